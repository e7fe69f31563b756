import {
  DEFAULT_BUF_COUNT,
  DEFAULT_BUF_SIZE,
  DEFAULT_IF_COUNT,
  DEFAULT_IF_SIZE,
  MIN_IF_SIZE,
  DEFAULT_NAME_TABLE_SLOTS,
  DEFAULT_OWNER_SLOTS,
  MAX_OWNER_SLOTS,
  DEFAULT_RETIRED_PORTS,
  MAX_RETIRED_PORTS,
  DEFAULT_RING_COUNT,
  DEFAULT_RING_SLOTS,
  MAX_BUF_COUNT,
  MAX_BUF_SIZE,
  MAX_NAME_TABLE_SLOTS,
  MAX_OBJ_COUNT,
  MAX_REGION_BYTES,
  MIN_BUF_COUNT,
  MIN_BUF_SIZE,
  MIN_RING_SLOTS,
  type PoolInfo,
  type RegionOptions,
} from './api.js';
import { BitmapPool, type PoolCounters } from './bitmap-pool.js';
import {
  AttachError,
  BadIndexError,
  CorruptListError,
  DoubleFreeError,
  OptionError,
  OwnedBufferError,
} from './errors.js';
import { BUF_OWNER_EXTRA, BUF_OWNER_SLOT, bufOwnerKind } from './layout/buf-owner-layout.js';
import {
  alignUp,
  CACHE_LINE_BYTES,
  HDR_BITMAPS_OFF_I32,
  HDR_BUF_OWNER_OFF_I32,
  HDR_NAME_LOCK_I32,
  HDR_RETIRED_OFF_I32,
  HDR_RETIRED_SLOTS_I32,
  HDR_OWNER_SLOTS_I32,
  HDR_OWNERS_OFF_I32,
  HDR_FLAGS_I32,
  HDR_MAGIC_I32,
  HDR_MEM_ID_I32,
  HDR_NAME_TABLE_OFF_I32,
  HDR_NAME_TABLE_SLOTS_I32,
  HDR_TOTAL_BYTES_I32,
  HDR_VERSION_I32,
  HEADER_BYTES,
  NAME_TABLE_OFF_BYTES,
  POOL_BUF,
  POOL_COUNT,
  POOL_IF,
  POOL_NAMES,
  POOL_RING,
  poolDescI32,
  PD_BITMAP_OFF_I32,
  PD_BITMAP_WORDS_I32,
  PD_OBJ_SIZE_I32,
  PD_OBJ_TOTAL_I32,
  PD_OFF_I32,
  PD_RESERVED_I32,
  REGION_FLAG_EXTERNAL,
  REGION_MAGIC,
  REGION_VERSION,
} from './layout/region-layout.js';
import { NAME_ENTRY_BYTES } from './layout/name-table-layout.js';
import { ringBytes } from './layout/ring-layout.js';
import { OWNER_ENTRY_BYTES } from './layout/owner-table-layout.js';
import { retiredTableBytes } from './layout/retired-layout.js';
import { sabMemory, type RegionMemory } from './seams/memory.js';
import type { Waiter } from './seams/waiter.js';
import { OwnerTable } from './seams/owners.js';
import { SharedLock } from './seams/lock.js';
import { extraOwnerCode } from './buf-owner.js';
import { portsOpenedBy } from './port/port-object.js';
import { threadId } from 'node:worker_threads';

/** Reserved objects at the start of each pool: if and ring 0 mean "none", buffers 0 and 1 as in netmap. */
const RESERVED = [1, 1, 2] as const;

interface Plan {
  bufSize: number;
  bufCount: number;
  ringSize: number;
  ringCount: number;
  ifSize: number;
  ifCount: number;
  nameTableSlots: number;
  owners: number;
  memId: number;
  ownersOff: number;
  bufOwnerOff: number;
  retiredOff: number;
  retiredSlots: number;
  sizes: number[];
  counts: number[];
  bitmapsOff: number;
  bitmapOffs: number[];
  bitmapWords: number[];
  poolOffs: number[];
  total: number;
}

function int(
  opts: RegionOptions,
  key: keyof RegionOptions,
  dflt: number,
  lo: number,
  hi: number,
  mult = 1,
): number {
  const v = opts[key] ?? dflt;
  const limit =
    mult > 1 ? `a multiple of ${mult} from ${lo} to ${hi}` : `an integer from ${lo} to ${hi}`;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi || v % mult !== 0) {
    throw new OptionError(key, limit, v);
  }
  return v;
}

function plan(opts: RegionOptions): Plan {
  if (opts === null || typeof opts !== 'object') throw new OptionError('opts', 'an object', opts);
  const bufSize = int(opts, 'bufSize', DEFAULT_BUF_SIZE, MIN_BUF_SIZE, MAX_BUF_SIZE, 64);
  const bufCount = int(opts, 'bufCount', DEFAULT_BUF_COUNT, MIN_BUF_COUNT, MAX_BUF_COUNT);
  const ringSize = int(
    opts,
    'ringSize',
    ringBytes(DEFAULT_RING_SLOTS),
    ringBytes(MIN_RING_SLOTS),
    1 << 24,
    64,
  );
  const ringCount = int(opts, 'ringCount', DEFAULT_RING_COUNT, 2, MAX_OBJ_COUNT);
  const ifSize = int(opts, 'ifSize', DEFAULT_IF_SIZE, MIN_IF_SIZE, 65536, 64);
  const ifCount = int(opts, 'ifCount', DEFAULT_IF_COUNT, 2, MAX_OBJ_COUNT);
  const nameTableSlots = int(
    opts,
    'nameTableSlots',
    DEFAULT_NAME_TABLE_SLOTS,
    1,
    MAX_NAME_TABLE_SLOTS,
  );
  const owners = int(opts, 'owners', DEFAULT_OWNER_SLOTS, 1, MAX_OWNER_SLOTS);
  const retiredSlots = int(opts, 'retiredPorts', DEFAULT_RETIRED_PORTS, 0, MAX_RETIRED_PORTS);
  const memId = opts.memId === undefined ? randomMemId() : int(opts, 'memId', 1, 1, 65535);

  const sizes = [ifSize, ringSize, bufSize];
  const counts = [ifCount, ringCount, bufCount];
  const bitmapsOff =
    NAME_TABLE_OFF_BYTES + alignUp(nameTableSlots * NAME_ENTRY_BYTES, CACHE_LINE_BYTES);
  let off = bitmapsOff;
  const bitmapOffs: number[] = [];
  const bitmapWords: number[] = [];
  for (let p = 0; p < POOL_COUNT; p++) {
    const words = Math.ceil(counts[p]! / 32);
    bitmapOffs.push(off);
    bitmapWords.push(words);
    off = alignUp(off + words * 4, CACHE_LINE_BYTES);
  }
  const ownersOff = off;
  off = alignUp(off + owners * OWNER_ENTRY_BYTES, CACHE_LINE_BYTES);
  const bufOwnerOff = off;
  off = alignUp(off + bufCount * 4, CACHE_LINE_BYTES);
  const retiredOff = off;
  off = alignUp(off + retiredTableBytes(retiredSlots), CACHE_LINE_BYTES);
  const poolOffs: number[] = [];
  for (let p = 0; p < POOL_COUNT; p++) {
    poolOffs.push(off);
    off += sizes[p]! * counts[p]!;
  }
  if (off > MAX_REGION_BYTES) {
    throw new OptionError(
      'bufSize * bufCount + ringSize * ringCount + ifSize * ifCount',
      `at most ${MAX_REGION_BYTES} bytes in all`,
      off,
    );
  }
  return {
    bufSize,
    bufCount,
    ringSize,
    ringCount,
    ifSize,
    ifCount,
    nameTableSlots,
    owners,
    memId,
    ownersOff,
    bufOwnerOff,
    retiredOff,
    retiredSlots,
    sizes,
    counts,
    bitmapsOff,
    bitmapOffs,
    bitmapWords,
    poolOffs,
    total: off,
  };
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return v.constructor?.name ?? 'object';
  return typeof v;
}

function randomMemId(): number {
  const a = new Uint16Array(1);
  do crypto.getRandomValues(a);
  while (a[0] === 0);
  return a[0]!;
}

/** Bytes a region with these options needs (for sizing external memory). Throws OptionError. */
export function regionBytes(opts: Omit<RegionOptions, 'sab' | 'memory'> = {}): number {
  return plan({ ...opts, memId: opts.memId ?? 1 }).total;
}

/**
 * Creates a region: one SharedArrayBuffer laid out as header, port-name table,
 * pool bitmaps, and the if, ring and buf pools. Every option is validated
 * first; a bad one throws OptionError naming it and its limit.
 */
export function createRegion(opts: RegionOptions = {}): Region {
  const p = plan(opts);
  let sab: SharedArrayBuffer;
  let flags = 0;
  if (opts.sab !== undefined && opts.memory !== undefined)
    throw new OptionError('memory', 'not given together with sab', opts.memory);
  const memory = opts.memory;
  if (memory !== undefined) {
    if (
      memory === null ||
      typeof memory !== 'object' ||
      !(memory.buffer instanceof SharedArrayBuffer || memory.buffer instanceof ArrayBuffer) ||
      typeof memory.waiter?.wait !== 'function'
    )
      throw new OptionError('memory', 'a RegionMemory { kind, buffer, waiter }', memory);
  }
  const external = opts.sab ?? memory?.buffer;
  if (external !== undefined) {
    if (!(external instanceof SharedArrayBuffer) && memory === undefined)
      throw new OptionError('sab', 'a SharedArrayBuffer', external);
    if (external.byteLength < p.total)
      throw new OptionError(
        memory !== undefined ? 'memory' : 'sab',
        `at least ${p.total} bytes long for these options`,
        external.byteLength,
      );
    sab = external as SharedArrayBuffer;
    flags |= REGION_FLAG_EXTERNAL;
    new Uint8Array(sab, 0, p.total).fill(0);
  } else {
    sab = new SharedArrayBuffer(p.total);
  }
  const i32 = new Int32Array(sab, 0, p.total >>> 2);
  i32[HDR_VERSION_I32] = REGION_VERSION;
  i32[HDR_TOTAL_BYTES_I32] = p.total;
  i32[HDR_MEM_ID_I32] = p.memId;
  i32[HDR_FLAGS_I32] = flags;
  i32[HDR_NAME_TABLE_OFF_I32] = NAME_TABLE_OFF_BYTES;
  i32[HDR_NAME_TABLE_SLOTS_I32] = p.nameTableSlots;
  i32[HDR_BITMAPS_OFF_I32] = p.bitmapsOff;
  i32[HDR_OWNERS_OFF_I32] = p.ownersOff;
  i32[HDR_OWNER_SLOTS_I32] = p.owners;
  i32[HDR_BUF_OWNER_OFF_I32] = p.bufOwnerOff;
  i32[HDR_RETIRED_OFF_I32] = p.retiredOff;
  i32[HDR_RETIRED_SLOTS_I32] = p.retiredSlots;
  for (let k = 0; k < POOL_COUNT; k++) {
    i32[poolDescI32(k, PD_OFF_I32)] = p.poolOffs[k]!;
    i32[poolDescI32(k, PD_OBJ_SIZE_I32)] = p.sizes[k]!;
    i32[poolDescI32(k, PD_OBJ_TOTAL_I32)] = p.counts[k]!;
    i32[poolDescI32(k, PD_BITMAP_OFF_I32)] = p.bitmapOffs[k]!;
    i32[poolDescI32(k, PD_BITMAP_WORDS_I32)] = p.bitmapWords[k]!;
    i32[poolDescI32(k, PD_RESERVED_I32)] = RESERVED[k]!;
    new BitmapPool(i32, k).initialise();
  }
  // The magic goes in last: a concurrent attach never sees a half-made header.
  Atomics.store(i32, HDR_MAGIC_I32, REGION_MAGIC);
  return new Region(memory ?? sab);
}

/**
 * Re-opens a region made by `createRegion` (in this thread or another) from
 * its SharedArrayBuffer, or from the memory a provider maps (`RegionMemory`).
 * Checks the magic, the layout version and every size; throws AttachError on
 * foreign, truncated or wrong-version memory.
 */
export function attachRegion(memory: SharedArrayBuffer | RegionMemory): Region {
  return new Region(memory);
}

/** True when `v` is a Region (attached in this thread). */
export function isRegion(v: unknown): v is Region {
  return v instanceof Region;
}

/**
 * Throws OptionError (parameter `region`) unless `region` is a Region: the
 * check of every port kind's entry points (a SharedArrayBuffer must be
 * attached first).
 */
export function checkRegion(region: unknown): asserts region is Region {
  if (!isRegion(region))
    throw new OptionError(
      'region',
      'a Region (from createRegion, or attachRegion(sab) in another thread)',
      region,
    );
}

/**
 * A view of a region. Holds only typed-array views over the shared memory;
 * every thread that attaches the same SharedArrayBuffer sees the same state.
 */
export class Region {
  /** The memory the region lives in (memory seam). */
  readonly memory: RegionMemory;
  /** How threads sleep on and wake words of this region (waiter seam). */
  readonly waiter: Waiter;
  /** The SharedArrayBuffer to hand to workers (they call attachRegion on it). */
  readonly sab: SharedArrayBuffer;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly u8: Uint8Array;
  readonly f64: Float64Array;
  readonly totalBytes: number;
  readonly memId: number;
  readonly external: boolean;
  readonly bufSize: number;
  readonly bufCount: number;
  /** Byte offset of buffer 0. */
  readonly bufBase: number;
  readonly ringSize: number;
  readonly ringCount: number;
  readonly ringBase: number;
  readonly ifSize: number;
  readonly ifCount: number;
  readonly ifBase: number;
  readonly nameTableOff: number;
  readonly nameTableSlots: number;
  readonly bufPool: BitmapPool;
  readonly ringPool: BitmapPool;
  readonly ifPool: BitmapPool;
  /** Byte offset of the buffer-owner map (buf-owner-layout.ts). */
  readonly bufOwnerOff: number;
  /** Index in i32 of buffer 0's owner word. */
  readonly bufOwnerBase: number;
  /** Byte offset of the retired-counters table (retired-layout.ts). */
  readonly retiredOff: number;
  /** Named records in the retired-counters table (the catch-all record is extra). */
  readonly retiredSlots: number;
  /** The owner table (identities of threads and processes using the region). */
  readonly owners: OwnerTable;
  /**
   * The region lock (port-name table, opening and closing ports). One per
   * Region object: nested withLock calls on it in one thread do not deadlock.
   */
  readonly lock: SharedLock;

  constructor(memory: SharedArrayBuffer | RegionMemory) {
    const mem: RegionMemory | null =
      memory instanceof SharedArrayBuffer
        ? sabMemory(memory)
        : memory !== null &&
            typeof memory === 'object' &&
            'buffer' in memory &&
            'waiter' in memory &&
            (memory.buffer instanceof SharedArrayBuffer || memory.buffer instanceof ArrayBuffer)
          ? memory
          : null;
    if (mem === null)
      throw new AttachError(
        'type',
        `expected a SharedArrayBuffer or a RegionMemory, got ${describeValue(memory)}`,
      );
    const sab = mem.buffer as SharedArrayBuffer;
    if (sab.byteLength < HEADER_BYTES)
      throw new AttachError(
        'size',
        `${sab.byteLength} bytes is smaller than a region header (${HEADER_BYTES})`,
      );
    const hdr = new Int32Array(sab, 0, HEADER_BYTES >>> 2);
    const magic = Atomics.load(hdr, HDR_MAGIC_I32);
    if (magic !== REGION_MAGIC)
      throw new AttachError(
        'magic',
        `bad magic 0x${(magic >>> 0).toString(16)} (not a pktfabric region)`,
      );
    const version = hdr[HDR_VERSION_I32]!;
    if (version !== REGION_VERSION)
      throw new AttachError(
        'version',
        `layout version ${version}, this library reads ${REGION_VERSION}`,
      );
    const total = hdr[HDR_TOTAL_BYTES_I32]!;
    if (total < HEADER_BYTES || total % CACHE_LINE_BYTES !== 0)
      throw new AttachError(
        'layout',
        `header total size ${total} is not a region size (corrupt header)`,
      );
    if (total > sab.byteLength)
      throw new AttachError(
        'size',
        `header says ${total} bytes but the buffer has ${sab.byteLength} (truncated)`,
      );
    this.memory = mem;
    this.waiter = mem.waiter;
    this.sab = sab;
    this.totalBytes = total;
    this.i32 = new Int32Array(sab, 0, total >>> 2);
    this.u32 = new Uint32Array(sab, 0, total >>> 2);
    this.u8 = new Uint8Array(sab, 0, total);
    this.f64 = new Float64Array(sab, 0, total >>> 3);
    const i32 = this.i32;
    this.memId = i32[HDR_MEM_ID_I32]!;
    this.external = (i32[HDR_FLAGS_I32]! & REGION_FLAG_EXTERNAL) !== 0;
    this.nameTableOff = i32[HDR_NAME_TABLE_OFF_I32]!;
    this.nameTableSlots = i32[HDR_NAME_TABLE_SLOTS_I32]!;
    const d = (p: number, f: number): number => i32[poolDescI32(p, f)]!;
    this.ifBase = d(POOL_IF, PD_OFF_I32);
    this.ifSize = d(POOL_IF, PD_OBJ_SIZE_I32);
    this.ifCount = d(POOL_IF, PD_OBJ_TOTAL_I32);
    this.ringBase = d(POOL_RING, PD_OFF_I32);
    this.ringSize = d(POOL_RING, PD_OBJ_SIZE_I32);
    this.ringCount = d(POOL_RING, PD_OBJ_TOTAL_I32);
    this.bufBase = d(POOL_BUF, PD_OFF_I32);
    this.bufSize = d(POOL_BUF, PD_OBJ_SIZE_I32);
    this.bufCount = d(POOL_BUF, PD_OBJ_TOTAL_I32);
    // Every pool must lie inside the buffer, in order, 64-byte aligned.
    let end = this.nameTableOff + this.nameTableSlots * NAME_ENTRY_BYTES;
    for (let p = 0; p < POOL_COUNT; p++) {
      const off = d(p, PD_OFF_I32);
      const size = d(p, PD_OBJ_SIZE_I32);
      const count = d(p, PD_OBJ_TOTAL_I32);
      const bm = d(p, PD_BITMAP_OFF_I32);
      const words = d(p, PD_BITMAP_WORDS_I32);
      const ok =
        off % CACHE_LINE_BYTES === 0 &&
        size > 0 &&
        size % CACHE_LINE_BYTES === 0 &&
        count > 0 &&
        off >= end &&
        off + size * count <= total &&
        bm >= this.nameTableOff &&
        bm + words * 4 <= d(0, PD_OFF_I32) &&
        words === Math.ceil(count / 32) &&
        d(p, PD_RESERVED_I32) === RESERVED[p];
      if (!ok)
        throw new AttachError(
          'layout',
          `pool ${POOL_NAMES[p]} descriptor is inconsistent (corrupt header)`,
        );
      end = off + size * count;
    }
    if (this.memId < 1 || this.memId > 65535)
      throw new AttachError('layout', `memId ${this.memId} out of range`);
    const ownersOff = i32[HDR_OWNERS_OFF_I32]!;
    const ownerSlots = i32[HDR_OWNER_SLOTS_I32]!;
    this.bufOwnerOff = i32[HDR_BUF_OWNER_OFF_I32]!;
    const firstPool = d(0, PD_OFF_I32);
    if (
      ownerSlots < 1 ||
      ownerSlots > MAX_OWNER_SLOTS ||
      ownersOff % CACHE_LINE_BYTES !== 0 ||
      ownersOff < this.nameTableOff ||
      ownersOff + ownerSlots * OWNER_ENTRY_BYTES > this.bufOwnerOff ||
      this.bufOwnerOff % CACHE_LINE_BYTES !== 0 ||
      this.bufOwnerOff + this.bufCount * 4 > firstPool
    )
      throw new AttachError(
        'layout',
        'owner table or buffer-owner map out of place (corrupt header)',
      );
    this.retiredOff = i32[HDR_RETIRED_OFF_I32]!;
    this.retiredSlots = i32[HDR_RETIRED_SLOTS_I32]!;
    if (
      this.retiredSlots < 0 ||
      this.retiredSlots > MAX_RETIRED_PORTS ||
      this.retiredOff % CACHE_LINE_BYTES !== 0 ||
      this.retiredOff < this.bufOwnerOff + this.bufCount * 4 ||
      this.retiredOff + retiredTableBytes(this.retiredSlots) > firstPool
    )
      throw new AttachError('layout', 'retired-counters table out of place (corrupt header)');
    this.bufOwnerBase = this.bufOwnerOff >>> 2;
    this.owners = new OwnerTable(i32, ownersOff, ownerSlots);
    this.lock = new SharedLock(i32, HDR_NAME_LOCK_I32, this.waiter, () => this.owners.mine());
    this.ifPool = new BitmapPool(i32, POOL_IF);
    this.ringPool = new BitmapPool(i32, POOL_RING);
    this.bufPool = new BitmapPool(i32, POOL_BUF);
  }

  /** The layout and live counters of the three pools (netmap's POOLS_INFO_GET). Allocates. */
  pools(): PoolInfo[] {
    const out: PoolInfo[] = [];
    const pools = [this.ifPool, this.ringPool, this.bufPool];
    for (let p = 0; p < POOL_COUNT; p++) {
      const pool = pools[p]!;
      out.push({
        name: POOL_NAMES[p]!,
        offset: this.i32[poolDescI32(p, PD_OFF_I32)]!,
        objSize: this.i32[poolDescI32(p, PD_OBJ_SIZE_I32)]!,
        objTotal: pool.total,
        reserved: pool.reserved,
        ...pool.counters(),
      });
    }
    return out;
  }

  /** Live counters of one pool. Allocates the result. */
  counters(pool: 'if' | 'ring' | 'buf'): PoolCounters {
    return (
      pool === 'if' ? this.ifPool : pool === 'ring' ? this.ringPool : this.bufPool
    ).counters();
  }

  // ---- buffers -------------------------------------------------------------

  /** Allocates one buffer. Returns its index, or 0 when none is free (hot path: no throw, no allocation). */
  allocBuf(): number {
    return this.bufPool.alloc();
  }

  /**
   * Allocates up to `n` buffers into `into[at..]` in one linear pass from the
   * shared position hint. Returns how many were allocated (fewer than `n` only
   * when the pool ran dry). Does not allocate memory.
   */
  allocBufs(n: number, into: Uint32Array | number[], at = 0): number {
    if (!Number.isInteger(n) || n < 0) throw new OptionError('n', 'a non-negative integer', n);
    if (!Number.isInteger(at) || at < 0 || at + n > into.length)
      throw new OptionError('into', `an array with room for ${n} entries from ${at}`, into.length);
    return this.bufPool.allocMany(n, into, at);
  }

  /**
   * Frees one buffer. Throws BadIndexError (0, 1 or out of range),
   * DoubleFreeError, or OwnedBufferError (a ring slot or an extra list holds
   * it); the pool is unchanged then.
   */
  freeBuf(idx: number): void {
    if (this.bufPool.valid(idx) && !this.bufPool.isFree(idx)) {
      this.checkNotHeld(idx);
      Atomics.store(this.i32, this.bufOwnerBase + idx, 0);
    }
    this.bufPool.free(idx);
  }

  /**
   * Frees `n` buffers from `list[at..]`; frees every one it may, then throws
   * the first problem, if any (BadIndexError, DoubleFreeError,
   * OwnedBufferError). Returns the count freed.
   */
  freeBufs(list: ArrayLike<number>, n = list.length, at = 0): number {
    const i32 = this.i32;
    const base = this.bufOwnerBase;
    let held = -1;
    for (let k = at; k < at + n; k++) {
      const idx = list[k]!;
      if (!this.bufPool.valid(idx)) continue;
      const code = i32[base + idx]!;
      if ((code & (BUF_OWNER_SLOT | BUF_OWNER_EXTRA)) !== 0 && !this.bufPool.isFree(idx)) {
        held = k;
        break;
      }
      if (code !== 0) Atomics.store(i32, base + idx, 0);
    }
    if (held < 0) return this.bufPool.freeMany(list, n, at);
    // Slow path: free the others one by one, then report the first problem.
    let freed = 0;
    let first: unknown = null;
    for (let k = at; k < at + n; k++) {
      try {
        this.freeBuf(list[k]!);
        freed++;
      } catch (e) {
        first ??= e;
      }
    }
    if (first !== null) throw first;
    return freed;
  }

  private checkNotHeld(idx: number): void {
    const kind = bufOwnerKind(Atomics.load(this.i32, this.bufOwnerBase + idx));
    if (kind === BUF_OWNER_SLOT) throw new OwnedBufferError(idx, 'slot');
    if (kind === BUF_OWNER_EXTRA) throw new OwnedBufferError(idx, 'extra');
  }

  /** The owner word of buffer `idx` (buf-owner-layout.ts). */
  bufOwner(idx: number): number {
    return Atomics.load(this.i32, this.bufOwnerBase + idx);
  }

  /** This thread's owner id in the region (allocated on first use; owner table). */
  get ownerId(): number {
    return this.owners.mine();
  }

  /**
   * Gives this thread's owner id back to the owner table, when the thread
   * holds nothing under it any more: no open port records it as its opener
   * and it does not hold the region lock. Returns true if it freed the id
   * (false when the thread has none, or still holds something). A thread
   * that exits without detaching keeps its id until a liveness watch
   * (watchOwner / watchWorker) reaps it. Does not block.
   */
  detach(): boolean {
    const ids = this.owners.find(process.pid, threadId);
    if (ids.length === 0) return false;
    for (const id of ids) {
      if (this.lock.holder() === id) return false;
      if (portsOpenedBy(this, id).length > 0) return false;
    }
    for (const id of ids) this.owners.free(id);
    return true;
  }

  /** True when `idx` names a buffer that can be held (2 .. bufCount-1). */
  validBuf(idx: number): boolean {
    return this.bufPool.valid(idx);
  }

  /** Byte offset of buffer `idx` in the region. Out-of-range indices read as buffer 0, as in netmap. */
  bufOffset(idx: number): number {
    return this.bufBase + (idx >>> 0 < this.bufCount ? idx : 0) * this.bufSize;
  }

  /** A Uint8Array over buffer `idx` (allocates a view object; hot paths use `u8` with `bufOffset`). */
  buf(idx: number): Uint8Array {
    return this.u8.subarray(this.bufOffset(idx), this.bufOffset(idx) + this.bufSize);
  }

  // ---- extra buffers (netmap's ni_bufs_head) ------------------------------------

  /**
   * Allocates up to `n` extra buffers linked through each buffer's first u32
   * (0 ends the list). Returns the head (0 for an empty list) and how many it
   * got, which may be fewer than asked, as in netmap. With `ownerIf`, the
   * buffers are recorded as that port's extra list in the buffer-owner map.
   */
  allocExtraBufs(n: number, ownerIf = 0): { head: number; count: number } {
    if (!Number.isInteger(n) || n < 0 || n > this.bufCount)
      throw new OptionError('n', `an integer from 0 to ${this.bufCount}`, n);
    const got = new Uint32Array(n);
    const count = this.bufPool.allocMany(n, got);
    const code = ownerIf === 0 ? 0 : extraOwnerCode(ownerIf);
    for (let k = 0; k < count; k++) {
      this.u32[this.bufOffset(got[k]!) >>> 2] = k + 1 < count ? got[k + 1]! : 0;
      Atomics.store(this.i32, this.bufOwnerBase + got[k]!, code);
    }
    return { head: count > 0 ? got[0]! : 0, count };
  }

  /**
   * Frees a linked extra-buffer list by walking it from `head`. Each link is
   * read before its buffer is freed. The walk stops safely at an invalid index
   * or at a buffer that is already free (a loop or a stale link): the buffers
   * before it are freed and CorruptListError reports how many. Returns the
   * number freed.
   */
  freeExtraList(head: number): number {
    let freed = 0;
    let idx = head;
    while (idx !== 0) {
      if (!this.bufPool.valid(idx)) throw new CorruptListError(freed, idx, 'bad-index');
      const next = this.u32[this.bufOffset(idx) >>> 2]!;
      try {
        this.bufPool.free(idx);
        Atomics.store(this.i32, this.bufOwnerBase + idx, 0);
      } catch (e) {
        if (e instanceof DoubleFreeError) throw new CorruptListError(freed, idx, 'loop');
        throw e;
      }
      freed++;
      idx = next;
    }
    return freed;
  }

  /** Length of a linked extra-buffer list (stops at an invalid index or after bufCount steps). */
  extraListLength(head: number): number {
    let n = 0;
    for (let idx = head; idx !== 0 && this.bufPool.valid(idx) && n <= this.bufCount; n++) {
      idx = this.u32[this.bufOffset(idx) >>> 2]!;
    }
    return n;
  }

  // ---- rings and if objects -------------------------------------------------

  /** Allocates a ring object; returns its byte offset, or 0 when the ring pool is empty. Contents are zeroed. */
  allocRingObject(): number {
    const k = this.ringPool.alloc();
    if (k === 0) return 0;
    const off = this.ringBase + k * this.ringSize;
    this.u8.fill(0, off, off + this.ringSize);
    return off;
  }

  /** Returns a ring object by its byte offset. Throws BadIndexError for an offset that is not a ring object. */
  freeRingObject(off: number): void {
    const k = (off - this.ringBase) / this.ringSize;
    if (!Number.isInteger(k) || k < 0 || k >= this.ringCount)
      throw new BadIndexError(
        'ring',
        off,
        `byte offsets ${this.ringBase} + k*${this.ringSize}, k < ${this.ringCount}`,
      );
    this.ringPool.free(k);
  }

  /** Allocates an if object; returns its index (>= 1), or 0 when the pool is empty. Contents are zeroed. */
  allocIf(): number {
    const k = this.ifPool.alloc();
    if (k !== 0) this.u8.fill(0, this.ifOffset(k), this.ifOffset(k) + this.ifSize);
    return k;
  }

  freeIf(k: number): void {
    this.ifPool.free(k);
  }

  /** Byte offset of if object `k`. */
  ifOffset(k: number): number {
    return this.ifBase + k * this.ifSize;
  }
}
