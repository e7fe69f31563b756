/**
 * Creating, opening, closing and destroying pipes in a region. Every change
 * to a pipe's if object (references, end states, extra-buffer heads) happens
 * under the region's port-name table lock, so opens and closes from any
 * number of workers are serialised; the data path never takes it.
 */
import { threadId, type Worker } from 'node:worker_threads';
import {
  BusyError,
  CorruptListError,
  ExhaustedError,
  checkRingGeometry,
  initRing,
  OptionError,
  PORT_KIND_PIPE,
  PortTable,
  RING_DIR_RX,
  RING_DIR_TX,
  RING_HWTAIL_I32,
  RING_NUM_SLOTS_I32,
  RING_PEER_OFF_I32,
  RING_PIPE_TAIL_I32,
  RING_SHADOW_OFF_I32,
  RING_SLOTS_OFF_I32,
  RING_TAIL_I32,
  NS_BUF_CHANGED,
  SLOT_BUF_IDX_COL,
  SLOT_LEN_FLAGS_COL,
  DEFAULT_RING_SLOTS,
  MAX_PIPE_ID,
  MAX_PORT_RINGS,
  type Region,
} from '@pktfabric/core';
import type { OpenOptions, PipeOptions } from './api.js';
import {
  END_CLOSED,
  END_DEAD,
  END_DOORBELL_I32,
  END_EXCL_I32,
  END_EXTRA_COUNT_I32,
  END_EXTRA_HEAD_I32,
  END_KICKS_I32,
  END_OPEN,
  END_OPENS_I32,
  END_OWNER_I32,
  END_STATE_I32,
  END_WAITERS_I32,
  endI32,
  maxRingsFor,
  PIPE_ID_I32,
  PIPE_MAGIC,
  PIPE_MAGIC_I32,
  PIPE_MAX_OFFSET_I32,
  PIPE_REFS_I32,
  PIPE_RING_ENTRY_I32,
  PIPE_RING_TABLE_I32,
  PIPE_RINGS_I32,
  PIPE_SLOTS_I32,
  RT_M2S_RX,
  RT_M2S_TX,
  RT_S2M_RX,
  RT_S2M_TX,
} from './layout/pipe-layout.js';
import { parsePipeName, pipeEndName } from './pipe-name.js';

/** Result of destroying a pipe: what went back to the pools. */
export interface DestroyReport {
  buffers: number;
  rings: number;
  /** Buffers that could not be freed (already free, or an invalid index), each also counted by the pool. */
  problems: number;
}

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
      const ifIdx = lookupPipe(this.region, table, this.id);
      if (ifIdx === 0) return null;
      return dropRefs(this.region, table, ifIdx, 1);
    });
  }
}

/** Byte offset of a pipe's if object word `i`, as an i32 index. */
export function ifWord(region: Region, ifIdx: number, i: number): number {
  return (region.ifOffset(ifIdx) >>> 2) + i;
}

export function lookupPipe(region: Region, table: PortTable, id: number): number {
  const e = table.lookup(`pipe${id}`);
  if (e === null || e.kind !== PORT_KIND_PIPE) return 0;
  if (region.i32[ifWord(region, e.ifIndex, PIPE_MAGIC_I32)] !== PIPE_MAGIC) return 0;
  return e.ifIndex;
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
  const maxRings = Math.min(MAX_PORT_RINGS, maxRingsFor(region.ifSize));
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

/**
 * Creates pipe N in the region: 4 rings per ring index (a TX ring owning the
 * slots and the peer's RX ring sharing them, each direction), and one buffer
 * per slot. Registers `pipeN` in the port-name table so that `pipe{N` and
 * `pipe}N` can be opened by name from any worker holding the region. Throws
 * OptionError, BusyError (the number is taken) or ExhaustedError (a pool ran
 * dry: everything taken so far is given back). Allocates.
 */
export function createPipe(region: Region, opts: PipeOptions = {}): Pipe {
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

/** Allocates and initialises everything of a pipe; undoes it all on failure. Under the table lock. */
function build(
  region: Region,
  table: PortTable,
  id: number,
  rings: number,
  slots: number,
  maxOffset: number,
  refs: number,
): number {
  const ifIdx = region.allocIf();
  if (ifIdx === 0) throw new ExhaustedError('if pool', 1);
  const i32 = region.i32;
  const w = (i: number): number => ifWord(region, ifIdx, i);
  const ringOffs: number[] = [];
  const bufs = new Uint32Array(slots);
  const heldBufs: number[] = [];
  try {
    for (let r = 0; r < rings; r++) {
      for (let k = 0; k < PIPE_RING_ENTRY_I32; k++) {
        const off = region.allocRingObject();
        if (off === 0) throw new ExhaustedError('ring pool', rings * 4);
        ringOffs.push(off);
        i32[w(PIPE_RING_TABLE_I32 + r * PIPE_RING_ENTRY_I32 + k)] = off;
      }
      const at = (k: number): number => ringOffs[r * PIPE_RING_ENTRY_I32 + k]!;
      for (const [txK, rxK] of [
        [RT_M2S_TX, RT_M2S_RX],
        [RT_S2M_TX, RT_S2M_RX],
      ] as const) {
        const tx = at(txK);
        const rx = at(rxK);
        initRing(region, tx, {
          numSlots: slots,
          dir: RING_DIR_TX,
          ringId: r,
          ownerIf: ifIdx,
          maxOffset,
        });
        initRing(region, rx, {
          numSlots: slots,
          dir: RING_DIR_RX,
          ringId: r,
          ownerIf: ifIdx,
          maxOffset,
          shareSlotsOf: tx,
        });
        i32[(tx >>> 2) + RING_PEER_OFF_I32] = rx;
        i32[(rx >>> 2) + RING_PEER_OFF_I32] = tx;
        const got = region.allocBufs(slots, bufs);
        for (let k = 0; k < got; k++) heldBufs.push(bufs[k]!);
        if (got < slots) throw new ExhaustedError('buf pool', slots * 2 * rings);
        const slotsBase = i32[(tx >>> 2) + RING_SLOTS_OFF_I32]! >>> 2;
        const shadowBase = i32[(tx >>> 2) + RING_SHADOW_OFF_I32]! >>> 2;
        for (let k = 0; k < slots; k++) {
          region.u32[slotsBase + SLOT_BUF_IDX_COL * slots + k] = bufs[k]!;
          region.u32[shadowBase + k] = bufs[k]!;
        }
        // The sender owns every slot but one; the receiver owns none.
        i32[(tx >>> 2) + RING_TAIL_I32] = slots - 1;
        i32[(tx >>> 2) + RING_HWTAIL_I32] = slots - 1;
        i32[(tx >>> 2) + RING_PIPE_TAIL_I32] = slots - 1;
      }
    }
    i32[w(PIPE_ID_I32)] = id;
    i32[w(PIPE_RINGS_I32)] = rings;
    i32[w(PIPE_SLOTS_I32)] = slots;
    i32[w(PIPE_MAX_OFFSET_I32)] = maxOffset;
    i32[w(PIPE_REFS_I32)] = refs;
    table.insert(`pipe${id}`, PORT_KIND_PIPE, ifIdx);
    Atomics.store(i32, w(PIPE_MAGIC_I32), PIPE_MAGIC);
    return ifIdx;
  } catch (e) {
    if (heldBufs.length > 0) region.freeBufs(heldBufs);
    for (const off of ringOffs) region.freeRingObject(off);
    region.freeIf(ifIdx);
    throw e;
  }
}

/** What openEnd hands to the endpoint. */
export interface OpenedEnd {
  ifIdx: number;
  id: number;
  end: number;
  rings: number;
  slots: number;
}

/**
 * Opens one end by name under the table lock; creates the pipe with default
 * options if it does not exist (as netmap does). Throws PortNameError,
 * BusyError (exclusive conflict) or ExhaustedError.
 */
export function openEnd(region: Region, name: string, opts: OpenOptions): OpenedEnd {
  const pn = parsePipeName(name);
  if (pn.memId !== null && pn.memId !== region.memId) {
    throw new OptionError(
      'name',
      `a region with memId ${pn.memId} (this region has memId ${region.memId})`,
      name,
    );
  }
  const extra = opts.extraBufs ?? pn.conf.extraBufs ?? 0;
  if (!Number.isInteger(extra) || extra < 0 || extra > region.bufCount)
    throw new OptionError('extraBufs', `an integer from 0 to ${region.bufCount}`, extra);
  const table = new PortTable(region);
  return table.withLock(() => {
    let ifIdx = lookupPipe(region, table, pn.id);
    if (ifIdx === 0) {
      const c = pn.conf;
      const o = validate(region, { rings: c.txRings ?? c.rxRings, slots: c.txSlots ?? c.rxSlots });
      ifIdx = build(region, table, pn.id, o.rings, o.slots, o.maxOffset, 0);
    }
    const i32 = region.i32;
    const e = (f: number): number => ifWord(region, ifIdx, endI32(pn.end, f));
    const opens = i32[e(END_OPENS_I32)]!;
    if (opens > 0 && (pn.exclusive || i32[e(END_EXCL_I32)] === 1)) {
      throw new BusyError(
        name,
        i32[e(END_EXCL_I32)] === 1
          ? 'this end is open exclusively'
          : 'this end is already open (exclusive open refused)',
      );
    }
    if (extra > 0) {
      const { head, count } = region.allocExtraBufs(extra);
      if (count > 0) {
        // Prepend the new list to whatever the end holds already.
        let last = head;
        for (let k = 1; k < count; k++) last = region.u32[region.bufOffset(last) >>> 2]!;
        region.u32[region.bufOffset(last) >>> 2] = i32[e(END_EXTRA_HEAD_I32)]!;
        i32[e(END_EXTRA_HEAD_I32)] = head;
        i32[e(END_EXTRA_COUNT_I32)] = i32[e(END_EXTRA_COUNT_I32)]! + count;
      }
    }
    i32[e(END_OPENS_I32)] = opens + 1;
    i32[e(END_EXCL_I32)] = pn.exclusive ? 1 : 0;
    i32[e(END_OWNER_I32)] = threadId;
    Atomics.store(i32, e(END_STATE_I32), END_OPEN);
    i32[ifWord(region, ifIdx, PIPE_REFS_I32)] = i32[ifWord(region, ifIdx, PIPE_REFS_I32)]! + 1;
    return {
      ifIdx,
      id: pn.id,
      end: pn.end,
      rings: i32[ifWord(region, ifIdx, PIPE_RINGS_I32)]!,
      slots: i32[ifWord(region, ifIdx, PIPE_SLOTS_I32)]!,
    };
  });
}

/** Wakes every sleeper of end `end` (close, death): bumps its doorbell and notifies unconditionally. */
export function wakeEnd(region: Region, ifIdx: number, end: number): void {
  const i = ifWord(region, ifIdx, endI32(end, END_DOORBELL_I32));
  Atomics.add(region.i32, i, 1);
  if (Atomics.load(region.i32, ifWord(region, ifIdx, endI32(end, END_WAITERS_I32))) > 0) {
    Atomics.add(region.i32, ifWord(region, ifIdx, endI32(end, END_KICKS_I32)), 1);
    Atomics.notify(region.i32, i);
  }
}

/**
 * Closes one open of an end: when it was the end's last open, the end's
 * extra buffers go back and its state becomes `finalState`; the peer is woken.
 * Destroys the pipe when no reference is left. Under the table lock.
 * Returns the destroy report if it destroyed, and the extra-list problem if any.
 */
export function closeEnd(
  region: Region,
  ifIdx: number,
  end: number,
  finalState = END_CLOSED,
  all = false,
): { destroyed: DestroyReport | null; listError: CorruptListError | null } {
  const table = new PortTable(region);
  return table.withLock(() => {
    const i32 = region.i32;
    const e = (f: number): number => ifWord(region, ifIdx, endI32(end, f));
    const opens = i32[e(END_OPENS_I32)]!;
    if (opens <= 0) return { destroyed: null, listError: null };
    const drop = all ? opens : 1;
    i32[e(END_OPENS_I32)] = opens - drop;
    let listError: CorruptListError | null = null;
    if (opens - drop === 0) {
      listError = freeEndExtras(region, ifIdx, end);
      i32[e(END_EXCL_I32)] = 0;
      Atomics.store(i32, e(END_STATE_I32), finalState);
    }
    wakeEnd(region, ifIdx, 1 - end);
    return { destroyed: dropRefs(region, table, ifIdx, drop), listError };
  });
}

function freeEndExtras(region: Region, ifIdx: number, end: number): CorruptListError | null {
  const i32 = region.i32;
  const hi = ifWord(region, ifIdx, endI32(end, END_EXTRA_HEAD_I32));
  const head = i32[hi]!;
  i32[hi] = 0;
  i32[ifWord(region, ifIdx, endI32(end, END_EXTRA_COUNT_I32))] = 0;
  try {
    region.freeExtraList(head);
    return null;
  } catch (err) {
    if (err instanceof CorruptListError) return err;
    throw err;
  }
}

function dropRefs(
  region: Region,
  table: PortTable,
  ifIdx: number,
  n: number,
): DestroyReport | null {
  const ri = ifWord(region, ifIdx, PIPE_REFS_I32);
  const refs = region.i32[ri]! - n;
  region.i32[ri] = refs;
  return refs <= 0 ? destroy(region, table, ifIdx) : null;
}

/**
 * Returns everything of a pipe to the pools, exactly once: for each slot its
 * current buffer if that is held and either matches the shadow or was swapped
 * in with NS_BUF_CHANGED, otherwise the shadow (last validated) buffer; then
 * the extra lists of both ends, the ring objects, the name and the if object.
 */
function destroy(region: Region, table: PortTable, ifIdx: number): DestroyReport {
  const i32 = region.i32;
  const u32 = region.u32;
  const w = (i: number): number => ifWord(region, ifIdx, i);
  const rings = i32[w(PIPE_RINGS_I32)]!;
  const id = i32[w(PIPE_ID_I32)]!;
  const report: DestroyReport = { buffers: 0, rings: 0, problems: 0 };
  const list: number[] = [];
  for (let r = 0; r < rings; r++) {
    for (const k of [RT_M2S_TX, RT_S2M_TX]) {
      const off = i32[w(PIPE_RING_TABLE_I32 + r * PIPE_RING_ENTRY_I32 + k)]!;
      const n = i32[(off >>> 2) + RING_NUM_SLOTS_I32]!;
      const slots = i32[(off >>> 2) + RING_SLOTS_OFF_I32]! >>> 2;
      const shadow = i32[(off >>> 2) + RING_SHADOW_OFF_I32]! >>> 2;
      for (let s = 0; s < n; s++) {
        const cur = u32[slots + SLOT_BUF_IDX_COL * n + s]!;
        const sh = u32[shadow + s]!;
        const changed = (u32[slots + SLOT_LEN_FLAGS_COL * n + s]! >>> 16) & NS_BUF_CHANGED;
        list.push(
          cur === sh || (changed !== 0 && region.validBuf(cur) && !region.bufPool.isFree(cur))
            ? cur
            : sh,
        );
      }
    }
  }
  for (const idx of list) {
    try {
      region.freeBuf(idx);
      report.buffers++;
    } catch {
      report.problems++;
    }
  }
  for (const end of [0, 1]) {
    const before = region.bufPool.counters().frees;
    const err = freeEndExtras(region, ifIdx, end);
    report.buffers += region.bufPool.counters().frees - before;
    if (err !== null) report.problems++;
  }
  for (let r = 0; r < rings; r++) {
    for (let k = 0; k < PIPE_RING_ENTRY_I32; k++) {
      region.freeRingObject(i32[w(PIPE_RING_TABLE_I32 + r * PIPE_RING_ENTRY_I32 + k)]!);
      report.rings++;
    }
  }
  table.remove(`pipe${id}`);
  Atomics.store(i32, w(PIPE_MAGIC_I32), 0);
  region.freeIf(ifIdx);
  return report;
}

/**
 * Parent-side liveness: when `worker` exits while it holds `name` open, the
 * end is closed on its behalf (state "dead", extra buffers freed, the pipe
 * destroyed if that was the last reference) and the peer wakes with POLLHUP.
 * Call it right after handing the end to the worker. Returns a function that
 * stops watching.
 */
export function watchWorker(region: Region, name: string, worker: Worker): () => void {
  const pn = parsePipeName(name);
  const tid = worker.threadId;
  const onExit = (): void => {
    // A worker terminated inside an open or close would leave the table lock
    // held forever; it is gone now, so break its lock first.
    new PortTable(region).releaseIfHeldBy(tid);
    markDead(region, pn.id, pn.end, tid);
  };
  worker.once('exit', onExit);
  return () => worker.off('exit', onExit);
}

/** Closes every open of end `end` of pipe `id` held by thread `tid` (state dead). Returns true if it did. */
export function markDead(region: Region, id: number, end: number, tid: number): boolean {
  const table = new PortTable(region);
  const ifIdx = table.withLock(() => lookupPipe(region, table, id));
  if (ifIdx === 0) return false;
  const i32 = region.i32;
  const e = (f: number): number => ifWord(region, ifIdx, endI32(end, f));
  if (Atomics.load(i32, e(END_STATE_I32)) !== END_OPEN || i32[e(END_OWNER_I32)] !== tid)
    return false;
  closeEnd(region, ifIdx, end, END_DEAD, true);
  return true;
}
