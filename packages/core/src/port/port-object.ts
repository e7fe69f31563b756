/**
 * Opening and closing a port's if object (layout/port-layout.ts), the same
 * for every port kind: the exclusive-open rule, extra buffers, the open
 * count, the owner id, the state, and waking whoever waits on the other side.
 * Callers hold the region lock; a kind adds what is its own (a pipe's
 * references, a switch's port table) around these.
 */
import { BusyError, OptionError } from '../errors.js';
import { freeOwned, isExtraOf } from '../buf-owner.js';
import {
  IF_EXCL_I32,
  IF_EXTRA_COUNT_I32,
  IF_EXTRA_HEAD_I32,
  IF_MAGIC_I32,
  IF_OPENS_I32,
  IF_OWNER_I32,
  IF_STATE_I32,
  PORT_MAGIC,
  PORT_OPEN,
} from '../layout/port-layout.js';
import type { Region } from '../region.js';
import { ifWord } from './if-object.js';

/** Checks an extraBufs request: an integer from 0 to the region's buffer count. Throws OptionError. */
export function checkExtraBufs(region: Region, extra: unknown): number {
  if (typeof extra !== 'number' || !Number.isInteger(extra) || extra < 0 || extra > region.bufCount)
    throw new OptionError('extraBufs', `an integer from 0 to ${region.bufCount}`, extra);
  return extra;
}

/**
 * Records one more open of the port at `ifIdx` by this thread's owner:
 * refuses (BusyError) an exclusive open of a port already open, or any open
 * of a port open exclusively; takes `extraBufs` extra buffers (the pool may
 * give fewer) onto the port's list; sets OWNER and STATE = open. Under the
 * region lock. Allocates.
 */
export function openPortObject(
  region: Region,
  ifIdx: number,
  name: string,
  exclusive: boolean,
  extraBufs: number,
): void {
  const i32 = region.i32;
  const w = (f: number): number => ifWord(region, ifIdx, f);
  const opens = i32[w(IF_OPENS_I32)]!;
  if (opens > 0 && (exclusive || i32[w(IF_EXCL_I32)] === 1)) {
    throw new BusyError(
      name,
      i32[w(IF_EXCL_I32)] === 1
        ? 'this port is open exclusively'
        : 'this port is already open (exclusive open refused)',
    );
  }
  if (extraBufs > 0) {
    const { head, count } = region.allocExtraBufs(extraBufs, ifIdx);
    if (count > 0) {
      // Prepend the new list to whatever the port holds already.
      let last = head;
      for (let k = 1; k < count; k++) last = region.u32[region.bufOffset(last) >>> 2]!;
      region.u32[region.bufOffset(last) >>> 2] = i32[w(IF_EXTRA_HEAD_I32)]!;
      i32[w(IF_EXTRA_HEAD_I32)] = head;
      i32[w(IF_EXTRA_COUNT_I32)] = i32[w(IF_EXTRA_COUNT_I32)]! + count;
    }
  }
  i32[w(IF_OPENS_I32)] = opens + 1;
  i32[w(IF_EXCL_I32)] = exclusive ? 1 : 0;
  i32[w(IF_OWNER_I32)] = region.ownerId;
  Atomics.store(i32, w(IF_STATE_I32), PORT_OPEN);
}

/**
 * Drops one open of the port (every open with `all`). When none is left, the
 * port's extra buffers go back (every buffer recorded as on its list or
 * taken off it: the links are not trusted) and its state becomes
 * `finalState`. Returns the number of opens dropped (0 when it was not open).
 * Under the region lock.
 */
export function closePortObject(
  region: Region,
  ifIdx: number,
  finalState: number,
  all: boolean,
): number {
  const i32 = region.i32;
  const w = (f: number): number => ifWord(region, ifIdx, f);
  const opens = i32[w(IF_OPENS_I32)]!;
  if (opens <= 0) return 0;
  const drop = all ? opens : 1;
  i32[w(IF_OPENS_I32)] = opens - drop;
  if (opens - drop === 0) {
    freePortExtras(region, ifIdx);
    i32[w(IF_EXCL_I32)] = 0;
    Atomics.store(i32, w(IF_STATE_I32), finalState);
  }
  return drop;
}

/** Frees a port's extra buffers by the buffer-owner map and empties its list. Returns how many. */
export function freePortExtras(region: Region, ifIdx: number): number {
  region.i32[ifWord(region, ifIdx, IF_EXTRA_HEAD_I32)] = 0;
  region.i32[ifWord(region, ifIdx, IF_EXTRA_COUNT_I32)] = 0;
  return freeOwned(region, (code) => isExtraOf(code, ifIdx)).freed;
}

/**
 * The if objects of live ports whose last opener is owner `ownerId` and
 * that are open now (for a reaper: what a dead owner held). Allocates.
 */
export function portsOpenedBy(region: Region, ownerId: number): number[] {
  const out: number[] = [];
  const i32 = region.i32;
  for (let k = 1; k < region.ifCount; k++) {
    if (region.ifPool.isFree(k)) continue;
    const w = (f: number): number => ifWord(region, k, f);
    if (Atomics.load(i32, w(IF_MAGIC_I32)) !== PORT_MAGIC) continue;
    if (Atomics.load(i32, w(IF_STATE_I32)) !== PORT_OPEN) continue;
    if (i32[w(IF_OWNER_I32)] === ownerId) out.push(k);
  }
  return out;
}
