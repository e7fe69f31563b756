import { BadIndexError, DoubleFreeError } from './errors.js';
import {
  PC_ALLOCS_I32,
  PC_BAD_INDEX_I32,
  PC_DOUBLE_FREES_I32,
  PC_FAILURES_I32,
  PC_FREE_I32,
  PC_FREES_I32,
  PC_HINT_I32,
  POOL_NAMES,
  poolCtrI32,
  poolDescI32,
  PD_BITMAP_OFF_I32,
  PD_BITMAP_WORDS_I32,
  PD_OBJ_TOTAL_I32,
  PD_RESERVED_I32,
} from './layout/region-layout.js';

/** Live counters of one pool, readable from any thread. */
export interface PoolCounters {
  /** Objects free now. */
  free: number;
  /** Objects handed out since creation. */
  allocs: number;
  /** Objects returned since creation. */
  frees: number;
  /** Alloc calls that got fewer objects than asked for. */
  failures: number;
  /** Frees of an object that was already free (rejected). */
  doubleFrees: number;
  /** Frees of an out-of-range or reserved index (rejected). */
  badIndex: number;
}

/**
 * One pool's allocator: a bitmap in the region (1 bit per object, 1 = free),
 * claimed a word at a time with `Atomics.compareExchange`, so any number of
 * threads may allocate and free at once without a lock and without lost
 * updates. The state lives entirely in the region; every thread that attaches
 * builds an identical `BitmapPool` over it.
 */
export class BitmapPool {
  readonly name: string;
  /** Number of objects, including reserved ones. */
  readonly total: number;
  /** Indices `0 .. reserved-1` are never handed out. */
  readonly reserved: number;
  private readonly i32: Int32Array;
  private readonly bitmapI32: number;
  private readonly words: number;
  private readonly ctr: number;

  constructor(i32: Int32Array, pool: number) {
    this.i32 = i32;
    this.name = POOL_NAMES[pool] ?? `pool${pool}`;
    this.total = i32[poolDescI32(pool, PD_OBJ_TOTAL_I32)]!;
    this.reserved = i32[poolDescI32(pool, PD_RESERVED_I32)]!;
    this.bitmapI32 = i32[poolDescI32(pool, PD_BITMAP_OFF_I32)]! >>> 2;
    this.words = i32[poolDescI32(pool, PD_BITMAP_WORDS_I32)]!;
    this.ctr = poolCtrI32(pool, 0);
  }

  /** Marks every non-reserved object free. Only at region creation. */
  initialise(): void {
    const { i32, bitmapI32, words, total, reserved } = this;
    for (let w = 0; w < words; w++) {
      const lo = w * 32;
      let v = 0;
      for (let b = 0; b < 32; b++) {
        const idx = lo + b;
        if (idx >= reserved && idx < total) v |= 1 << b;
      }
      i32[bitmapI32 + w] = v;
    }
    i32[this.ctr + PC_FREE_I32] = total - reserved;
  }

  /** Allocates one object. Returns its index, or 0 when the pool is empty. Does not allocate memory. */
  alloc(): number {
    const { i32, bitmapI32, words } = this;
    const hintI = this.ctr + PC_HINT_I32;
    let w = Atomics.load(i32, hintI);
    if (w >= words || w < 0) w = 0;
    for (let scanned = 0; scanned < words; scanned++) {
      let v = Atomics.load(i32, bitmapI32 + w);
      while (v !== 0) {
        const bit = v & -v;
        const seen = Atomics.compareExchange(i32, bitmapI32 + w, v, v & ~bit);
        if (seen === v) {
          Atomics.store(i32, hintI, w);
          Atomics.sub(i32, this.ctr + PC_FREE_I32, 1);
          Atomics.add(i32, this.ctr + PC_ALLOCS_I32, 1);
          return w * 32 + (31 - Math.clz32(bit));
        }
        v = seen;
      }
      if (++w === words) w = 0;
    }
    Atomics.add(i32, this.ctr + PC_FAILURES_I32, 1);
    return 0;
  }

  /**
   * Allocates up to `n` objects into `into[at..]` in one linear pass over the
   * bitmap from the shared position hint, claiming whole words at a time.
   * Returns how many it got (fewer than `n` only when the pool ran dry).
   * Does not allocate memory.
   */
  allocMany(n: number, into: Uint32Array | number[], at = 0): number {
    const { i32, bitmapI32, words } = this;
    const hintI = this.ctr + PC_HINT_I32;
    let w = Atomics.load(i32, hintI);
    if (w >= words || w < 0) w = 0;
    let got = 0;
    for (let scanned = 0; scanned < words && got < n; scanned++) {
      let v = Atomics.load(i32, bitmapI32 + w);
      while (v !== 0 && got < n) {
        const need = n - got;
        let take = v;
        if (need < 32) {
          // the lowest `need` set bits of v
          take = 0;
          let x = v;
          for (let k = 0; k < need && x !== 0; k++) {
            const lb = x & -x;
            take |= lb;
            x ^= lb;
          }
        }
        const seen = Atomics.compareExchange(i32, bitmapI32 + w, v, v & ~take);
        if (seen !== v) {
          v = seen;
          continue;
        }
        const base = w * 32;
        while (take !== 0) {
          const lb = take & -take;
          into[at + got++] = base + (31 - Math.clz32(lb));
          take ^= lb;
        }
        v = Atomics.load(i32, bitmapI32 + w);
      }
      if (got < n && ++w === words) w = 0;
    }
    Atomics.store(i32, hintI, w < words ? w : 0);
    if (got > 0) {
      Atomics.sub(i32, this.ctr + PC_FREE_I32, got);
      Atomics.add(i32, this.ctr + PC_ALLOCS_I32, got);
    }
    if (got < n) Atomics.add(i32, this.ctr + PC_FAILURES_I32, 1);
    return got;
  }

  /** True when `idx` is a valid, non-reserved index of this pool. */
  valid(idx: number): boolean {
    return idx >= this.reserved && idx < this.total && idx === (idx | 0);
  }

  /** Human-readable range of valid indices, for error messages. */
  validRange(): string {
    return `${this.reserved}..${this.total - 1}`;
  }

  /**
   * Returns one object. Throws BadIndexError for an out-of-range or reserved
   * index and DoubleFreeError for an object that is already free; in both
   * cases the pool is unchanged. Does not allocate memory on success.
   */
  free(idx: number): void {
    const err = this.freeOne(idx);
    if (err !== null) throw err;
    Atomics.add(this.i32, this.ctr + PC_FREE_I32, 1);
    Atomics.add(this.i32, this.ctr + PC_FREES_I32, 1);
  }

  /**
   * Returns `n` objects from `list[at..]`. Every valid entry is freed even if
   * some are bad; afterwards the first problem (if any) is thrown. Returns the
   * number freed.
   */
  freeMany(list: ArrayLike<number>, n = list.length, at = 0): number {
    let freed = 0;
    let first: Error | null = null;
    for (let k = 0; k < n; k++) {
      const err = this.freeOne(list[at + k]!);
      if (err === null) freed++;
      else first ??= err;
    }
    if (freed > 0) {
      Atomics.add(this.i32, this.ctr + PC_FREE_I32, freed);
      Atomics.add(this.i32, this.ctr + PC_FREES_I32, freed);
    }
    if (first !== null) throw first;
    return freed;
  }

  /** Frees one index without touching FREE/FREES; returns the error instead of throwing. */
  private freeOne(idx: number): Error | null {
    if (!this.valid(idx)) {
      Atomics.add(this.i32, this.ctr + PC_BAD_INDEX_I32, 1);
      return new BadIndexError(this.name, idx, this.validRange());
    }
    const bit = 1 << (idx & 31);
    const old = Atomics.or(this.i32, this.bitmapI32 + (idx >>> 5), bit);
    if ((old & bit) !== 0) {
      Atomics.add(this.i32, this.ctr + PC_DOUBLE_FREES_I32, 1);
      return new DoubleFreeError(this.name, idx);
    }
    return null;
  }

  /** True when `idx` is currently free. */
  isFree(idx: number): boolean {
    if (idx < 0 || idx >= this.total) return false;
    return (Atomics.load(this.i32, this.bitmapI32 + (idx >>> 5)) & (1 << (idx & 31))) !== 0;
  }

  /** Counts free objects by scanning the bitmap (authoritative; the FREE counter is a cache). */
  countFree(): number {
    let n = 0;
    for (let w = 0; w < this.words; w++) {
      let v = Atomics.load(this.i32, this.bitmapI32 + w);
      while (v !== 0) {
        v &= v - 1;
        n++;
      }
    }
    return n;
  }

  /** Snapshot of the live counters. Allocates the result object. */
  counters(): PoolCounters {
    const { i32, ctr } = this;
    return {
      free: Atomics.load(i32, ctr + PC_FREE_I32),
      allocs: Atomics.load(i32, ctr + PC_ALLOCS_I32) >>> 0,
      frees: Atomics.load(i32, ctr + PC_FREES_I32) >>> 0,
      failures: Atomics.load(i32, ctr + PC_FAILURES_I32) >>> 0,
      doubleFrees: Atomics.load(i32, ctr + PC_DOUBLE_FREES_I32) >>> 0,
      badIndex: Atomics.load(i32, ctr + PC_BAD_INDEX_I32) >>> 0,
    };
  }
}
