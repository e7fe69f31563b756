/**
 * Named error classes of @pktfabric/core. Callers test them with `instanceof`;
 * every class carries the structured fields that its message is built from.
 */

/** Base class of every error thrown by pktfabric packages. */
export class PktfabricError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An option or argument is outside its documented limits. */
export class OptionError extends PktfabricError {
  constructor(
    readonly option: string,
    readonly limit: string,
    readonly value: unknown,
  ) {
    super(`${option} must be ${limit} (got ${describe(value)})`);
  }
}

/** `attachRegion` was given memory that is not a valid pktfabric region. */
export class AttachError extends PktfabricError {
  constructor(
    readonly reason: 'type' | 'size' | 'magic' | 'version' | 'layout',
    detail: string,
  ) {
    super(`cannot attach region: ${detail}`);
  }
}

/** A buffer (or pool object) index outside the valid range, or a reserved one. */
export class BadIndexError extends PktfabricError {
  constructor(
    readonly pool: string,
    readonly index: number,
    readonly limit: string,
  ) {
    super(`${pool} index ${index} is invalid: valid indices are ${limit}`);
  }
}

/** An object was freed while already free. The pool is unchanged by the second free. */
export class DoubleFreeError extends PktfabricError {
  constructor(
    readonly pool: string,
    readonly index: number,
  ) {
    super(`${pool} index ${index} freed twice (it was already free)`);
  }
}

/**
 * A buffer given to freeBuf / freeBufs is held by a ring slot or a port's
 * extra-buffer list (buffer-owner map): the library frees it with its port.
 * The pool is unchanged for it.
 */
export class OwnedBufferError extends PktfabricError {
  constructor(
    readonly index: number,
    readonly holder: 'slot' | 'extra',
  ) {
    super(
      `buffer ${index} is held by ${holder === 'slot' ? 'a ring slot' : "a port's extra-buffer list"}; it goes back to the pool when its port closes`,
    );
  }
}

/**
 * A linked extra-buffer list was corrupt (a bad index or a loop). The walk
 * stopped at the bad link; `freed` buffers before it were returned.
 */
export class CorruptListError extends PktfabricError {
  constructor(
    readonly freed: number,
    readonly badIndex: number,
    readonly reason: 'bad-index' | 'loop',
  ) {
    super(
      `extra-buffer list corrupt (${reason} at index ${badIndex}); freed ${freed} buffers before it`,
    );
  }
}

/**
 * A port name does not have the shape `subsystem:name[/flags][@options]`, or a
 * name given to the port-name table is empty, too long or not printable ASCII.
 * `at` is the index in `portName` of the first offending character, or -1
 * when the problem is not at one place (empty, too long).
 */
export class PortNameError extends PktfabricError {
  constructor(
    readonly portName: string,
    readonly reason: string,
    readonly at: number = -1,
  ) {
    super(
      `invalid port name ${JSON.stringify(portName)}: ${reason}${at >= 0 ? ` (at index ${at})` : ''}`,
    );
  }
}

/** A pool (if, ring) or the port-name table has no room left. */
export class ExhaustedError extends PktfabricError {
  constructor(
    readonly pool: string,
    readonly wanted: number,
  ) {
    super(`${pool} exhausted: could not get ${wanted} object(s); create the region with more`);
  }
}

/** A port is already open exclusively, or a name is already taken. */
export class BusyError extends PktfabricError {
  constructor(
    readonly portName: string,
    detail: string,
  ) {
    super(`${portName} is busy: ${detail}`);
  }
}

/**
 * A sync found `head` or `cur` outside the range the user owns. The ring was
 * reset to its last good state (head = cur = hwcur); nothing was published.
 */
export class RingStateError extends PktfabricError {
  constructor(
    readonly ring: string,
    readonly field: 'head' | 'cur',
    readonly value: number,
    readonly limit: string,
  ) {
    super(
      `${ring}: ${field} ${value} is outside the owned range ${limit}; ring reset to its last good state`,
    );
  }
}

/**
 * A sync found a slot with an invalid buffer index, or a length (plus offset)
 * over the buffer size. The slot was made harmless (its last good buffer,
 * length 0) and, on transmit, the ring was reset to its last good state.
 */
export class SlotError extends PktfabricError {
  constructor(
    readonly ring: string,
    readonly slot: number,
    readonly field: 'bufIdx' | 'len' | 'frags' | 'offset',
    readonly value: number,
    readonly limit: string,
    readonly fromPeer: boolean,
  ) {
    super(
      `${ring}: slot ${slot} has ${field} ${value}, valid is ${limit}` +
        (fromPeer
          ? ' (written by the peer; slot made harmless)'
          : '; ring reset to its last good state'),
    );
  }
}

/** The peer wrote a pipe tail outside the range it may publish. Nothing was imported. */
export class PeerCorruptError extends PktfabricError {
  constructor(
    readonly ring: string,
    readonly value: number,
    readonly limit: string,
  ) {
    super(`${ring}: peer published tail ${value}, valid is ${limit}; ignored`);
  }
}

/** The peer end has closed (or its worker exited) and nothing more can be sent or received. */
export class PeerClosedError extends PktfabricError {
  constructor(readonly portName: string) {
    super(`${portName}: peer closed`);
  }
}

/** The endpoint was used after close(). */
export class ClosedError extends PktfabricError {
  constructor(readonly portName: string) {
    super(`${portName}: endpoint is closed`);
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return 'undefined';
  if (typeof v === 'object' && v !== null) return v.constructor?.name ?? 'object';
  return String(v);
}
