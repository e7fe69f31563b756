import { OptionError } from './errors.js';
import {
  RING_BUF_SIZE_I32,
  RING_CUR_I32,
  RING_DIR_I32,
  RING_FLAGS_I32,
  RING_HEAD_I32,
  RING_HWCUR_I32,
  RING_HWTAIL_I32,
  RING_ID_I32,
  RING_MEM_ID_I32,
  RING_NUM_SLOTS_I32,
  RING_OFFSET_MASK_I32,
  RING_OWNER_IF_I32,
  RING_MAX_OFFSET_I32,
  RING_PEER_OFF_I32,
  RING_SHADOW_OFF_I32,
  RING_SLOTS_OFF_I32,
  RING_TAIL_I32,
  RING_TS_F64_BYTE,
  RING_HEADER_BYTES,
  ringBytes,
  SLOT_BUF_IDX_COL,
  SLOT_COLS,
  SLOT_LEN_FLAGS_COL,
  SLOT_PTR_HI_COL,
  SLOT_PTR_LO_COL,
} from './layout/ring-layout.js';
import { MAX_RING_SLOTS, MIN_RING_SLOTS } from './api.js';
import type { Region } from './region.js';

/** Next slot index after `i` in a ring of `n` slots (compare-and-wrap, no `%`). */
export function ringNext(i: number, n: number): number {
  return i + 1 === n ? 0 : i + 1;
}

/** Previous slot index. */
export function ringPrev(i: number, n: number): number {
  return i === 0 ? n - 1 : i - 1;
}

/** Slots from `head` up to `tail` (what the user owns): (tail - head) mod n. */
export function ringSpace(head: number, tail: number, n: number): number {
  const d = tail - head;
  return d < 0 ? d + n : d;
}

/** True when the user owns no slot. */
export function ringEmpty(head: number, tail: number): boolean {
  return head === tail;
}

/** A slot's len | flags word (SLOT_LEN_FLAGS_COL): len in the low 16 bits, flags in the high 16. */
export function packLenFlags(len: number, flags: number): number {
  return ((len & 0xffff) | ((flags & 0xffff) << 16)) >>> 0;
}

/** len of a len | flags word. */
export function lfLen(lf: number): number {
  return lf & 0xffff;
}

/** flags of a len | flags word. */
export function lfFlags(lf: number): number {
  return lf >>> 16;
}

/** True when `x` lies in the circular interval [from, to] of a ring of `n` slots. */
export function ringBetween(from: number, x: number, to: number, n: number): boolean {
  return ringSpace(from, x, n) <= ringSpace(from, to, n);
}

/**
 * Checks a ring's slot count (a power of two from MIN_RING_SLOTS to
 * MAX_RING_SLOTS that fits a ring object of the region) and its largest
 * per-slot offset (0 .. bufSize - 1). Throws OptionError naming `slots` or
 * `maxOffset` and the limit. Used by initRing and by anything that validates
 * options before allocating rings.
 */
export function checkRingGeometry(region: Region, numSlots: number, maxOffset: number): void {
  if (
    !Number.isInteger(numSlots) ||
    numSlots < MIN_RING_SLOTS ||
    numSlots > MAX_RING_SLOTS ||
    (numSlots & (numSlots - 1)) !== 0
  ) {
    throw new OptionError(
      'slots',
      `a power of two from ${MIN_RING_SLOTS} to ${MAX_RING_SLOTS}`,
      numSlots,
    );
  }
  if (ringBytes(numSlots) > region.ringSize) {
    throw new OptionError(
      'slots',
      `at most what a ring object of ${region.ringSize} bytes holds (create the region with ringSize >= ringBytes(${numSlots}) = ${ringBytes(numSlots)})`,
      numSlots,
    );
  }
  if (!Number.isInteger(maxOffset) || maxOffset < 0 || maxOffset >= region.bufSize) {
    throw new OptionError(
      'maxOffset',
      `an integer from 0 to ${region.bufSize - 1} (bufSize - 1)`,
      maxOffset,
    );
  }
}

export interface RingInit {
  numSlots: number;
  /** 0 transmit, 1 receive. */
  dir: number;
  ringId: number;
  /** If object that owns the ring. */
  ownerIf: number;
  /** Absolute byte offset of a slot array to share instead of this ring's own. */
  shareSlotsOf?: number;
  /** Largest per-slot buffer offset, 0 .. bufSize-1. @defaultValue 0 */
  maxOffset?: number;
}

/**
 * Writes the read-only line of a fresh (zeroed) ring object at byte offset
 * `off`. The ring's own slots follow its header unless `shareSlotsOf` names
 * another ring whose slots (and shadow) it uses.
 */
export function initRing(region: Region, off: number, init: RingInit): void {
  const { numSlots } = init;
  const maxOffset = init.maxOffset ?? 0;
  checkRingGeometry(region, numSlots, maxOffset);
  const b = off >>> 2;
  const i32 = region.i32;
  let slotsOff = off + RING_HEADER_BYTES;
  if (init.shareSlotsOf !== undefined)
    slotsOff = i32[(init.shareSlotsOf >>> 2) + RING_SLOTS_OFF_I32]!;
  i32[b + RING_NUM_SLOTS_I32] = numSlots;
  i32[b + RING_BUF_SIZE_I32] = region.bufSize;
  i32[b + RING_ID_I32] = init.ringId;
  i32[b + RING_DIR_I32] = init.dir;
  i32[b + RING_SLOTS_OFF_I32] = slotsOff;
  i32[b + RING_SHADOW_OFF_I32] = slotsOff + numSlots * SLOT_COLS * 4;
  i32[b + RING_OFFSET_MASK_I32] = maxOffset === 0 ? 0 : (1 << (32 - Math.clz32(maxOffset))) - 1;
  i32[b + RING_MEM_ID_I32] = region.memId;
  i32[b + RING_OWNER_IF_I32] = init.ownerIf;
  i32[b + RING_MAX_OFFSET_I32] = maxOffset;
}

/**
 * A view of one ring: named accessors over the shared words. Creating it
 * allocates; the accessors do not. Field writers follow ring-layout.ts.
 *
 * Hot loops index `region.u32` directly with the column bases: slot `i`'s
 * buffer is `u32[bufIdxBase + i]`, its len and flags `u32[lenFlagsBase + i]`
 * (len in the low 16 bits), its offset `u32[ptrLoBase + i] & offsetMask`.
 */
export class RingView {
  readonly region: Region;
  /** Byte offset of the ring object. */
  readonly off: number;
  /** Index of the ring's first word in region.i32 / region.u32. */
  readonly base: number;
  readonly numSlots: number;
  readonly bufSize: number;
  /** Index in region.u32 of the slot array (the bufIdx column). */
  readonly slotsBase: number;
  /** Index in region.u32 of bufIdx[0]. */
  readonly bufIdxBase: number;
  /** Index in region.u32 of lenFlags[0] (len low 16 bits, flags high 16 bits). */
  readonly lenFlagsBase: number;
  /** Index in region.u32 of ptrLo[0] (the per-slot offset lives in its low bits). */
  readonly ptrLoBase: number;
  /** Index in region.u32 of ptrHi[0]. */
  readonly ptrHiBase: number;
  /** Index of shadow[0] in region.u32. */
  readonly shadowBase: number;
  readonly offsetMask: number;

  constructor(region: Region, off: number) {
    this.region = region;
    this.off = off;
    const b = (this.base = off >>> 2);
    const i32 = region.i32;
    this.numSlots = i32[b + RING_NUM_SLOTS_I32]!;
    this.bufSize = i32[b + RING_BUF_SIZE_I32]!;
    const sb = (this.slotsBase = i32[b + RING_SLOTS_OFF_I32]! >>> 2);
    const n = this.numSlots;
    this.bufIdxBase = sb + SLOT_BUF_IDX_COL * n;
    this.lenFlagsBase = sb + SLOT_LEN_FLAGS_COL * n;
    this.ptrLoBase = sb + SLOT_PTR_LO_COL * n;
    this.ptrHiBase = sb + SLOT_PTR_HI_COL * n;
    this.shadowBase = i32[b + RING_SHADOW_OFF_I32]! >>> 2;
    this.offsetMask = i32[b + RING_OFFSET_MASK_I32]!;
  }

  get ringId(): number {
    return this.region.i32[this.base + RING_ID_I32]!;
  }
  get dir(): number {
    return this.region.i32[this.base + RING_DIR_I32]!;
  }
  get memId(): number {
    return this.region.i32[this.base + RING_MEM_ID_I32]!;
  }
  get peerOff(): number {
    return this.region.i32[this.base + RING_PEER_OFF_I32]!;
  }
  get ownerIf(): number {
    return this.region.i32[this.base + RING_OWNER_IF_I32]!;
  }

  get head(): number {
    return this.region.i32[this.base + RING_HEAD_I32]!;
  }
  set head(v: number) {
    this.region.i32[this.base + RING_HEAD_I32] = v;
  }
  get cur(): number {
    return this.region.i32[this.base + RING_CUR_I32]!;
  }
  set cur(v: number) {
    this.region.i32[this.base + RING_CUR_I32] = v;
  }
  get tail(): number {
    return this.region.i32[this.base + RING_TAIL_I32]!;
  }
  get flags(): number {
    return this.region.i32[this.base + RING_FLAGS_I32]!;
  }
  set flags(v: number) {
    this.region.i32[this.base + RING_FLAGS_I32] = v;
  }
  get ts(): number {
    return this.region.f64[(this.off + RING_TS_F64_BYTE) >>> 3]!;
  }
  set ts(v: number) {
    this.region.f64[(this.off + RING_TS_F64_BYTE) >>> 3] = v;
  }
  get hwcur(): number {
    return this.region.i32[this.base + RING_HWCUR_I32]!;
  }
  get hwtail(): number {
    return this.region.i32[this.base + RING_HWTAIL_I32]!;
  }

  /** Slots the user owns: (tail - head) mod numSlots. */
  space(): number {
    return ringSpace(this.head, this.tail, this.numSlots);
  }
  empty(): boolean {
    return this.head === this.tail;
  }
  next(i: number): number {
    return i + 1 === this.numSlots ? 0 : i + 1;
  }

  bufIdx(i: number): number {
    return this.region.u32[this.bufIdxBase + i]!;
  }
  setBufIdx(i: number, v: number): void {
    this.region.u32[this.bufIdxBase + i] = v;
  }
  len(i: number): number {
    return this.region.u32[this.lenFlagsBase + i]! & 0xffff;
  }
  setLen(i: number, v: number): void {
    const w = this.lenFlagsBase + i;
    this.region.u32[w] = (this.region.u32[w]! & 0xffff0000) | (v & 0xffff);
  }
  slotFlags(i: number): number {
    return this.region.u32[this.lenFlagsBase + i]! >>> 16;
  }
  setSlotFlags(i: number, v: number): void {
    const w = this.lenFlagsBase + i;
    this.region.u32[w] = (this.region.u32[w]! & 0xffff) | ((v & 0xffff) << 16);
  }
  /** Per-slot buffer offset (low bits of ptr, masked by the ring's offset mask). */
  offset(i: number): number {
    return this.region.u32[this.ptrLoBase + i]! & this.offsetMask;
  }
  setOffset(i: number, v: number): void {
    const w = this.ptrLoBase + i;
    this.region.u32[w] = (this.region.u32[w]! & ~this.offsetMask) | (v & this.offsetMask);
  }
  ptrHi(i: number): number {
    return this.region.u32[this.ptrHiBase + i]!;
  }
  /** Byte offset in the region where slot `i`'s payload starts (buffer + per-slot offset). */
  payloadOffset(i: number): number {
    return this.region.bufOffset(this.bufIdx(i)) + this.offset(i);
  }
  /** A view of slot `i`'s payload (allocates a view; hot paths use region.u8 + payloadOffset). */
  payload(i: number): Uint8Array {
    const o = this.payloadOffset(i);
    return this.region.u8.subarray(o, o + this.len(i));
  }
  /** Last validated buffer index of slot `i`. */
  shadow(i: number): number {
    return this.region.u32[this.shadowBase + i]!;
  }
}
