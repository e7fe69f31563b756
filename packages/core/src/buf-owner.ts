/**
 * The rule "a buffer is in exactly one place at a time" (one ring slot, one
 * port's extra-buffer list, or the free pool), kept in the buffer-owner map
 * (layout/buf-owner-layout.ts). Only library code calls these; user code
 * moves buffers by writing slots, and the next sync asks `claimBuf` whether
 * the move is legal.
 *
 * A buffer found in a slot where it was not before may be claimed when it
 * has left the place its owner word names: the slot named there holds
 * another buffer now, or it was loose (allocated and not placed, or taken off
 * an extra list). A buffer still in another slot, still on an extra list, or
 * free is refused. The claim is one `Atomics.compareExchange`, so two rings
 * that both find the same buffer cannot both win. The winner also clears the
 * old slot's shadow entry if it still names the buffer, so that putting the
 * buffer back there later is checked again instead of trusted.
 */
import {
  BUF_OWNER_EXTRA,
  BUF_OWNER_IF_MASK,
  BUF_OWNER_NONE,
  BUF_OWNER_SLOT,
  BUF_OWNER_SLOT_BITS,
  BUF_OWNER_SLOT_MASK,
  BUF_OWNER_TAKEN,
  bufOwnerKind,
  slotOwnerRing,
} from './layout/buf-owner-layout.js';
import {
  RING_NUM_SLOTS_I32,
  RING_SHADOW_OFF_I32,
  RING_SLOTS_OFF_I32,
  SLOT_BUF_IDX_COL,
} from './layout/ring-layout.js';
import type { Region } from './region.js';

/** claimBuf results. */
export const CLAIM_OK = 0;
/** Not a buffer index (0, 1, or bufCount and above). */
export const CLAIM_BAD_INDEX = 1;
/** The buffer is in the free pool. */
export const CLAIM_FREE = 2;
/** The buffer is still in another slot or on an extra list. */
export const CLAIM_ELSEWHERE = 3;

/** What each claim result means, for error messages. */
export const CLAIM_REASONS = [
  'ok',
  'not a buffer index',
  'a free buffer (not allocated)',
  'a buffer still held elsewhere (another slot or an extra-buffer list)',
] as const;

/** The byte offset of ring object `ringIdx`. */
function ringOff(region: Region, ringIdx: number): number {
  return region.ringBase + ringIdx * region.ringSize;
}

/** Where a SLOT owner code points: the slot's bufIdx word and shadow word in region.i32. */
function slotWords(region: Region, code: number): { buf: number; shadow: number } | null {
  const ringIdx = slotOwnerRing(code);
  const slot = code & BUF_OWNER_SLOT_MASK;
  if (ringIdx >= region.ringCount) return null;
  const b = ringOff(region, ringIdx) >>> 2;
  const n = region.i32[b + RING_NUM_SLOTS_I32]!;
  if (slot >= n) return null;
  const slots = region.i32[b + RING_SLOTS_OFF_I32]! >>> 2;
  return {
    buf: slots + SLOT_BUF_IDX_COL * n + slot,
    shadow: (region.i32[b + RING_SHADOW_OFF_I32]! >>> 2) + slot,
  };
}

/** True when buffer `bi`, whose owner word is `code`, is no longer at the place `code` names. */
function hasLeft(region: Region, bi: number, code: number): boolean {
  const kind = bufOwnerKind(code);
  if (kind === BUF_OWNER_NONE || kind === BUF_OWNER_TAKEN) return true;
  if (kind === BUF_OWNER_EXTRA) return false;
  if (kind === BUF_OWNER_SLOT) {
    const w = slotWords(region, code);
    return w === null || region.u32[w.buf] !== bi;
  }
  return false;
}

/**
 * Moves buffer `bi` to the place `code` (a slot, an extra list) if the move is
 * legal, and returns CLAIM_OK; otherwise returns why not and changes nothing.
 * Claiming a buffer for the place it already has is OK. Does not allocate.
 */
export function claimBuf(region: Region, bi: number, code: number): number {
  if (!(bi >= 2 && bi < region.bufCount)) return CLAIM_BAD_INDEX;
  if (region.bufPool.isFree(bi)) return CLAIM_FREE;
  const i32 = region.i32;
  const w = region.bufOwnerBase + bi;
  for (;;) {
    const cur = Atomics.load(i32, w);
    if (cur === code) return CLAIM_OK;
    if (!hasLeft(region, bi, cur)) return CLAIM_ELSEWHERE;
    if (Atomics.compareExchange(i32, w, cur, code) !== cur) continue;
    if (cur < 0) {
      const old = slotWords(region, cur);
      if (old !== null) Atomics.compareExchange(i32, old.shadow, bi, 0);
    }
    return CLAIM_OK;
  }
}

/** Records `bi` at place `code` without checks (a buffer just allocated by the library). */
export function setBufOwner(region: Region, bi: number, code: number): void {
  Atomics.store(region.i32, region.bufOwnerBase + bi, code);
}

/**
 * Frees every allocated buffer whose owner word satisfies `match` (the slots
 * of a port being destroyed, the extra list of a port being closed). Scans
 * the whole map: a control-plane call, under the region lock. Returns the
 * number freed.
 */
export function freeOwned(
  region: Region,
  match: (code: number) => boolean,
): { freed: number; stale: number } {
  const i32 = region.i32;
  const base = region.bufOwnerBase;
  const pool = region.bufPool;
  let freed = 0;
  let stale = 0;
  for (let bi = 2; bi < region.bufCount; bi++) {
    const code = i32[base + bi]!;
    if (code === BUF_OWNER_NONE || !match(code)) continue;
    Atomics.store(i32, base + bi, BUF_OWNER_NONE);
    // A recorded owner on a free buffer would be a bookkeeping bug: count it, free nothing.
    if (pool.isFree(bi)) stale++;
    else {
      pool.free(bi);
      freed++;
    }
  }
  return { freed, stale };
}

/** The ring object named by a SLOT owner code, or -1 for another kind of code. */
export function slotCodeRing(code: number): number {
  return code < 0 ? slotOwnerRing(code) : -1;
}

/** True when `code` is port `ifIdx`'s extra list, or a buffer taken off it. */
export function isExtraOf(code: number, ifIdx: number): boolean {
  return code === extraOwnerCode(ifIdx) || code === takenOwnerCode(ifIdx);
}

/** The owner code of port `ifIdx`'s extra list. */
export function extraOwnerCode(ifIdx: number): number {
  return BUF_OWNER_EXTRA | (ifIdx & BUF_OWNER_IF_MASK);
}

/** The owner code of a buffer taken off port `ifIdx`'s extra list. */
export function takenOwnerCode(ifIdx: number): number {
  return BUF_OWNER_TAKEN | (ifIdx & BUF_OWNER_IF_MASK);
}

/** The ring-object index of the ring at byte offset `off`. */
export function ringIndexOf(region: Region, off: number): number {
  return (off - region.ringBase) / region.ringSize;
}

/** The owner code of slot `slot` of the slot array owned by ring object `ringIdx`. */
export function slotCode(ringIdx: number, slot: number): number {
  return BUF_OWNER_SLOT | (ringIdx << BUF_OWNER_SLOT_BITS) | slot;
}

/**
 * Like claimBuf, and also takes a buffer that still sits in a slot of one of
 * `ownRings` (the caller's own rings: a user about to swap it out). The
 * slot's shadow entry is cleared, so if the user leaves the buffer in the
 * slot, the next sync refuses it instead of sending a buffer that is now
 * elsewhere.
 */
export function claimFromOwnSlot(
  region: Region,
  bi: number,
  code: number,
  ownRings: readonly number[],
): number {
  const r = claimBuf(region, bi, code);
  if (r !== CLAIM_ELSEWHERE) return r;
  const i32 = region.i32;
  const w = region.bufOwnerBase + bi;
  const cur = Atomics.load(i32, w);
  if (cur >= 0) return r;
  const ringIdx = slotOwnerRing(cur);
  if (!ownRings.includes(ringIdx)) return r;
  if (Atomics.compareExchange(i32, w, cur, code) !== cur) return claimBuf(region, bi, code);
  const old = slotWords(region, cur);
  if (old !== null) Atomics.compareExchange(i32, old.shadow, bi, 0);
  return CLAIM_OK;
}
