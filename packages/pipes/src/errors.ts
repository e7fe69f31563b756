/**
 * Named error classes of @pktfabric/pipes (setup errors such as OptionError,
 * BusyError, ExhaustedError and PortNameError come from @pktfabric/core).
 */
import { PktfabricError } from '@pktfabric/core';

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
