/**
 * Creating, opening, closing and destroying pipes in a region. Each end is a
 * port with an if object of its own (core's port layout); every change to
 * them (references, states, extra buffers) happens under the region lock, so
 * opens and closes from any number of workers are serialised. The data path
 * never takes it.
 */
import type { Worker } from 'node:worker_threads';
import {
  BusyError,
  checkExtraBufs,
  checkRingGeometry,
  closePortObject,
  DEFAULT_RING_SLOTS,
  ExhaustedError,
  freeOwned,
  IF_KIND_I32,
  IF_MAGIC_I32,
  IF_MAX_OFFSET_I32,
  IF_NRX_I32,
  IF_NTX_I32,
  IF_PEER_IF_I32,
  IF_RING_TABLE_I32,
  IF_SLOTS_I32,
  ifWord,
  initRing,
  isExtraOf,
  checkRegion,
  MAX_PIPE_ID,
  MAX_PORT_RINGS,
  maxPortRings,
  OptionError,
  openPortObject,
  portsOpenedBy,
  PORT_CLOSED,
  PORT_DEAD,
  PORT_KIND_PIPE,
  PORT_MAGIC,
  portDoorbell,
  PortTable,
  registerReaper,
  retirePortCounters,
  RING_DIR_RX,
  RING_DIR_TX,
  RING_HWTAIL_I32,
  RING_PEER_OFF_I32,
  RING_PIPE_TAIL_I32,
  RING_SHADOW_OFF_I32,
  RING_SLOTS_OFF_I32,
  RING_TAIL_I32,
  ringIndexOf,
  setBufOwner,
  SLOT_BUF_IDX_COL,
  slotCode,
  slotCodeRing,
  watchOwner,
  workerLiveness,
  type DestroyReport,
  type OpenOptions,
  type Region,
} from '@pktfabric/core';
import type { PipeOptions } from './api.js';
import { END_MASTER, PIPE_END_I32, PIPE_ID_I32, PIPE_REFS_I32 } from './layout/pipe-layout.js';
import { parsePipeName, pipeEndName } from './pipe-name.js';

/** Handle returned by createPipe: names of both ends and the creator's reference. */
export class Pipe {
  readonly region: Region;
  readonly id: number;
  readonly master: string;
  readonly slave: string;
  readonly rings: number;
  readonly slots: number;
  private released = false;

  constructor(region: Region, id: number, rings: number, slots: number) {
    this.region = region;
    this.id = id;
    this.master = pipeEndName(id, 0);
    this.slave = pipeEndName(id, 1);
    this.rings = rings;
    this.slots = slots;
  }

  /**
   * Drops the creator's reference. The pipe is destroyed (every buffer back to
   * the pool) when no end is open any more; if ends are still open, at the
   * last close. Idempotent. Returns the destroy report when it destroyed now.
   */
  release(): DestroyReport | null {
    if (this.released) return null;
    this.released = true;
    const table = new PortTable(this.region);
    return table.withLock(() => {
      const masterIf = lookupPipe(this.region, table, this.id);
      if (masterIf === 0) return null;
      return dropRefs(this.region, table, masterIf, 1);
    });
  }
}

/** The master end's if index of pipe `id`, or 0 when the region has no such pipe. */
export function lookupPipe(region: Region, table: PortTable, id: number): number {
  const e = table.lookup(`pipe${id}`);
  if (e === null || e.kind !== PORT_KIND_PIPE) return 0;
  const w = (i: number): number => region.i32[ifWord(region, e.ifIndex, i)]!;
  if (w(IF_MAGIC_I32) !== PORT_MAGIC || w(IF_KIND_I32) !== PORT_KIND_PIPE) return 0;
  return e.ifIndex;
}

/** If index of end `end` of the pipe whose master is `masterIf`. */
export function endIf(region: Region, masterIf: number, end: number): number {
  return end === END_MASTER ? masterIf : region.i32[ifWord(region, masterIf, IF_PEER_IF_I32)]!;
}

function validate(
  region: Region,
  opts: PipeOptions,
): Required<Omit<PipeOptions, 'id'>> & { id: number | undefined } {
  if (opts === null || typeof opts !== 'object') throw new OptionError('opts', 'an object', opts);
  const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  const { id } = opts;
  if (id !== undefined && (!isInt(id) || id < 0 || id > MAX_PIPE_ID))
    throw new OptionError('id', `an integer from 0 to ${MAX_PIPE_ID}`, id);
  const maxRings = maxRingsFor(region.ifSize);
  const rings = opts.rings ?? 1;
  if (!isInt(rings) || rings < 1 || rings > maxRings)
    throw new OptionError(
      'rings',
      `an integer from 1 to ${maxRings} (limited by ifSize ${region.ifSize})`,
      rings,
    );
  const slots = opts.slots ?? DEFAULT_RING_SLOTS;
  const maxOffset = opts.maxOffset ?? 0;
  checkRingGeometry(region, slots, maxOffset);
  return { id, rings, slots, maxOffset };
}

/** Most rings per direction a pipe can have in a region with if objects of `ifSize` bytes. */
export function maxRingsFor(ifSize: number): number {
  return Math.min(MAX_PORT_RINGS, Math.floor(maxPortRings(ifSize) / 2));
}

/**
 * Creates pipe N in the region: two ports (the ends), 4 rings per ring index
 * (each direction: a TX ring owning the slots and the other end's RX ring
 * sharing them), and one buffer per slot. Registers `pipeN` in the port-name
 * table so that `pipe{N` and `pipe}N` can be opened by name from any worker
 * holding the region. Throws OptionError, BusyError (the number is taken) or
 * ExhaustedError (a pool ran dry: everything taken so far is given back).
 * Allocates.
 */
export function createPipe(region: Region, opts: PipeOptions = {}): Pipe {
  checkRegion(region);
  const o = validate(region, opts);
  const table = new PortTable(region);
  return table.withLock(() => {
    let id = o.id;
    if (id === undefined) {
      id = 0;
      while (id <= MAX_PIPE_ID && table.lookup(`pipe${id}`) !== null) id++;
      if (id > MAX_PIPE_ID) throw new ExhaustedError('pipe numbers', 1);
    } else if (table.lookup(`pipe${id}`) !== null) {
      throw new BusyError(pipeEndName(id, 0), `pipe ${id} already exists in this region`);
    }
    build(region, table, id, o.rings, o.slots, o.maxOffset, 1);
    return new Pipe(region, id, o.rings, o.slots);
  });
}

/** Allocates and initialises everything of a pipe; undoes it all on failure. Under the region lock. */
function build(
  region: Region,
  table: PortTable,
  id: number,
  rings: number,
  slots: number,
  maxOffset: number,
  refs: number,
): number {
  const i32 = region.i32;
  const ifs: number[] = [];
  const ringOffs: number[] = [];
  const bufs = new Uint32Array(slots);
  const heldBufs: number[] = [];
  try {
    for (let e = 0; e < 2; e++) {
      const k = region.allocIf();
      if (k === 0) throw new ExhaustedError('if pool', 2);
      ifs.push(k);
    }
    const [m, s] = ifs as [number, number];
    const w = (ifIdx: number, i: number): number => ifWord(region, ifIdx, i);
    for (let r = 0; r < rings; r++) {
      // Each direction: the sender's TX ring owns the slots, the receiver's RX ring shares them.
      for (const [txIf, rxIf] of [
        [m, s],
        [s, m],
      ] as const) {
        const tx = region.allocRingObject();
        if (tx === 0) throw new ExhaustedError('ring pool', rings * 4);
        ringOffs.push(tx);
        const rx = region.allocRingObject();
        if (rx === 0) throw new ExhaustedError('ring pool', rings * 4);
        ringOffs.push(rx);
        initRing(region, tx, {
          numSlots: slots,
          dir: RING_DIR_TX,
          ringId: r,
          ownerIf: txIf,
          maxOffset,
        });
        initRing(region, rx, {
          numSlots: slots,
          dir: RING_DIR_RX,
          ringId: r,
          ownerIf: rxIf,
          maxOffset,
          shareSlotsOf: tx,
        });
        i32[(tx >>> 2) + RING_PEER_OFF_I32] = rx;
        i32[(rx >>> 2) + RING_PEER_OFF_I32] = tx;
        i32[w(txIf, IF_RING_TABLE_I32 + r)] = tx;
        i32[w(rxIf, IF_RING_TABLE_I32 + rings + r)] = rx;
        const got = region.allocBufs(slots, bufs);
        for (let k = 0; k < got; k++) heldBufs.push(bufs[k]!);
        if (got < slots) throw new ExhaustedError('buf pool', slots * 2 * rings);
        const txIdx = ringIndexOf(region, tx);
        const n = slots;
        const slotsBase = i32[(tx >>> 2) + RING_SLOTS_OFF_I32]! >>> 2;
        const shadowBase = i32[(tx >>> 2) + RING_SHADOW_OFF_I32]! >>> 2;
        for (let k = 0; k < n; k++) {
          region.u32[slotsBase + SLOT_BUF_IDX_COL * n + k] = bufs[k]!;
          region.u32[shadowBase + k] = bufs[k]!;
          setBufOwner(region, bufs[k]!, slotCode(txIdx, k));
        }
        // The sender owns every slot but one; the receiver owns none.
        i32[(tx >>> 2) + RING_TAIL_I32] = n - 1;
        i32[(tx >>> 2) + RING_HWTAIL_I32] = n - 1;
        i32[(tx >>> 2) + RING_PIPE_TAIL_I32] = n - 1;
      }
    }
    for (const [e, self, peer] of [
      [0, m, s],
      [1, s, m],
    ] as const) {
      i32[w(self, IF_KIND_I32)] = PORT_KIND_PIPE;
      i32[w(self, IF_NTX_I32)] = rings;
      i32[w(self, IF_NRX_I32)] = rings;
      i32[w(self, IF_SLOTS_I32)] = slots;
      i32[w(self, IF_MAX_OFFSET_I32)] = maxOffset;
      i32[w(self, IF_PEER_IF_I32)] = peer;
      i32[w(self, PIPE_ID_I32)] = id;
      i32[w(self, PIPE_END_I32)] = e;
    }
    i32[w(m, PIPE_REFS_I32)] = refs;
    table.insert(`pipe${id}`, PORT_KIND_PIPE, m);
    Atomics.store(i32, w(s, IF_MAGIC_I32), PORT_MAGIC);
    Atomics.store(i32, w(m, IF_MAGIC_I32), PORT_MAGIC);
    return m;
  } catch (e) {
    for (const bi of heldBufs) setBufOwner(region, bi, 0);
    if (heldBufs.length > 0) region.freeBufs(heldBufs);
    for (const off of ringOffs) region.freeRingObject(off);
    for (const k of ifs) region.freeIf(k);
    throw e;
  }
}

/** What openEnd hands to the endpoint. */
export interface OpenedEnd {
  masterIf: number;
  ifIdx: number;
  peerIf: number;
  id: number;
  end: number;
  rings: number;
  slots: number;
}

/**
 * Opens one end by name under the region lock; creates the pipe with default
 * options if it does not exist (as netmap does). Throws PortNameError,
 * BusyError (exclusive conflict), OptionError or ExhaustedError.
 */
export function openEnd(region: Region, name: string, opts: OpenOptions): OpenedEnd {
  checkRegion(region);
  const pn = parsePipeName(name);
  if (pn.memId !== null && pn.memId !== region.memId) {
    throw new OptionError(
      'name',
      `a region with memId ${pn.memId} (this region has memId ${region.memId})`,
      name,
    );
  }
  const extra = checkExtraBufs(region, opts.extraBufs ?? pn.conf.extraBufs ?? 0);
  const table = new PortTable(region);
  return table.withLock(() => {
    let masterIf = lookupPipe(region, table, pn.id);
    if (masterIf === 0) {
      const c = pn.conf;
      const o = validate(region, { rings: c.txRings ?? c.rxRings, slots: c.txSlots ?? c.rxSlots });
      masterIf = build(region, table, pn.id, o.rings, o.slots, o.maxOffset, 0);
    }
    const i32 = region.i32;
    const self = endIf(region, masterIf, pn.end);
    openPortObject(region, self, name, pn.exclusive, extra);
    const refs = ifWord(region, masterIf, PIPE_REFS_I32);
    i32[refs] = i32[refs]! + 1;
    return {
      masterIf,
      ifIdx: self,
      peerIf: endIf(region, masterIf, 1 - pn.end),
      id: pn.id,
      end: pn.end,
      rings: i32[ifWord(region, self, IF_NTX_I32)]!,
      slots: i32[ifWord(region, self, IF_SLOTS_I32)]!,
    };
  });
}

/**
 * Closes one open of an end (every open with `all`): when it was the end's
 * last open, the end's extra buffers go back and its state becomes
 * `finalState`; the peer is woken. Destroys the pipe when no reference is
 * left. Under the region lock. Returns the destroy report if it destroyed.
 */
export function closeEnd(
  region: Region,
  masterIf: number,
  end: number,
  finalState = PORT_CLOSED,
  all = false,
): DestroyReport | null {
  const table = new PortTable(region);
  return table.withLock(() => {
    const drop = closePortObject(region, endIf(region, masterIf, end), finalState, all);
    if (drop === 0) return null;
    portDoorbell(region, endIf(region, masterIf, 1 - end)).wakeAll();
    return dropRefs(region, table, masterIf, drop);
  });
}

function dropRefs(
  region: Region,
  table: PortTable,
  masterIf: number,
  n: number,
): DestroyReport | null {
  const ri = ifWord(region, masterIf, PIPE_REFS_I32);
  const refs = region.i32[ri]! - n;
  region.i32[ri] = refs;
  return refs <= 0 ? destroy(region, table, masterIf) : null;
}

/**
 * Returns everything of a pipe to the pools, exactly once: every buffer the
 * buffer-owner map records in a slot of the pipe's rings or on either end's
 * extra list (what the slots say is not trusted), then the ring objects, the
 * name and both if objects; first each end's counters go to the region's
 * retired-counters table (core's retirePortCounters), as `pipe{N` and `pipe}N`.
 */
function destroy(region: Region, table: PortTable, masterIf: number): DestroyReport {
  const i32 = region.i32;
  const slaveIf = endIf(region, masterIf, 1);
  const rings = i32[ifWord(region, masterIf, IF_NTX_I32)]!;
  const id = i32[ifWord(region, masterIf, PIPE_ID_I32)]!;
  // Each end's final counters stay in the region under its name (a network
  // port's counter words, on the slave end, stay as the I/O worker left them).
  retirePortCounters(region, masterIf, `pipe{${id}`);
  retirePortCounters(region, slaveIf, `pipe}${id}`);
  const ringOffs: number[] = [];
  const slotRings = new Set<number>();
  for (const self of [masterIf, slaveIf]) {
    for (let r = 0; r < 2 * rings; r++) {
      const off = i32[ifWord(region, self, IF_RING_TABLE_I32 + r)]!;
      ringOffs.push(off);
      if (r < rings) slotRings.add(ringIndexOf(region, off));
    }
  }
  const { freed, stale } = freeOwned(
    region,
    (code) =>
      slotRings.has(slotCodeRing(code)) || isExtraOf(code, masterIf) || isExtraOf(code, slaveIf),
  );
  for (const off of ringOffs) region.freeRingObject(off);
  table.remove(`pipe${id}`);
  Atomics.store(i32, ifWord(region, masterIf, IF_MAGIC_I32), 0);
  Atomics.store(i32, ifWord(region, slaveIf, IF_MAGIC_I32), 0);
  region.freeIf(masterIf);
  region.freeIf(slaveIf);
  return { buffers: freed, rings: ringOffs.length, problems: stale };
}

/**
 * Closes, on behalf of dead owner `ownerId`, every pipe end it had open
 * (state dead, extra buffers freed, the pipe destroyed if that was the last
 * reference; the peer wakes with POLLHUP). Called by core's reaper under the
 * region lock. Returns the number of ends closed.
 */
function reapPipes(region: Region, ownerId: number): number {
  let closed = 0;
  for (const ifIdx of portsOpenedBy(region, ownerId)) {
    const i32 = region.i32;
    if (i32[ifWord(region, ifIdx, IF_KIND_I32)] !== PORT_KIND_PIPE) continue;
    const end = i32[ifWord(region, ifIdx, PIPE_END_I32)]!;
    const masterIf = end === END_MASTER ? ifIdx : i32[ifWord(region, ifIdx, IF_PEER_IF_I32)]!;
    closeEnd(region, masterIf, end, PORT_DEAD, true);
    closed++;
  }
  return closed;
}

registerReaper('pipe', reapPipes);

/**
 * Parent-side liveness for worker threads: when `worker` exits (returns,
 * throws, or is terminated), everything it held in the region is recovered
 * through core's owner seam: a lock it held is broken, every pipe end it had
 * open is closed on its behalf (extra buffers freed, the pipe destroyed if
 * that was the last reference) and the peers wake with POLLHUP. Call it
 * right after starting the worker. Returns a function that stops watching.
 */
export function watchWorker(region: Region, worker: Worker): () => void {
  checkRegion(region);
  return watchOwner(region, workerLiveness(worker));
}
