/**
 * Layout of the region header. All offsets are in bytes from the start of the
 * region unless the name ends in `_I32` (an index into an Int32Array over the
 * whole region). Writers: (ro) fixed at creation, (rw) any thread via Atomics.
 *
 * ```
 *  byte 0    +-------------------------------------------------------------+
 *   line 0   | MAGIC  VERSION  TOTAL_BYTES  MEM_ID  FLAGS  NAME_TABLE_OFF   | (ro)
 *            | NAME_TABLE_SLOTS  BITMAPS_OFF  OWNERS_OFF  OWNER_SLOTS      |
 *            | BUF_OWNER_OFF  RETIRED_OFF  RETIRED_SLOTS                   |
 *   line 1-3 | pool descriptor x3 (if, ring, buf): OFF OBJ_SIZE OBJ_TOTAL  | (ro)
 *            |   BITMAP_OFF BITMAP_WORDS RESERVED                          |
 *   line 4-6 | pool counters x3: FREE ALLOCS FREES FAILURES HINT           | (rw)
 *            |   DOUBLE_FREES BAD_INDEX                                    |
 *   line 7   | name-table lock and generation                              | (rw)
 *  byte 512  +-------------------------------------------------------------+
 *            | port-name table: NAME_TABLE_SLOTS x 64 B entries            |
 *            +-------------------------------------------------------------+
 *            | bitmaps: if, ring, buf (1 bit per object, 1 = free)         |
 *            +-------------------------------------------------------------+
 *            | owner table: OWNER_SLOTS x 16 B (owner-table-layout.ts)     |
 *            +-------------------------------------------------------------+
 *            | buffer owners: bufCount x u32 (buf-owner-layout.ts)         |
 *            +-------------------------------------------------------------+
 *            | retired counters: 64 B header + (RETIRED_SLOTS + 1) x 192 B |
 *            |   (retired-layout.ts): final counters of freed ports        |
 *            +-------------------------------------------------------------+
 *            | if pool   : ifCount   x ifSize                              |
 *            | ring pool : ringCount x ringSize                            |
 *            | buf pool  : bufCount  x bufSize   (buffer i at OFF + i*size)|
 *            +-------------------------------------------------------------+
 * ```
 */

/** 'PKTF' little-endian. */
export const REGION_MAGIC = 0x46544b50;
/** Bumped whenever any layout in this folder changes. */
export const REGION_VERSION = 5;

export const CACHE_LINE_BYTES = 64;
export const HEADER_BYTES = 512;

// line 0 (ro)
export const HDR_MAGIC_I32 = 0;
export const HDR_VERSION_I32 = 1;
export const HDR_TOTAL_BYTES_I32 = 2;
export const HDR_MEM_ID_I32 = 3;
export const HDR_FLAGS_I32 = 4;
export const HDR_NAME_TABLE_OFF_I32 = 5;
export const HDR_NAME_TABLE_SLOTS_I32 = 6;
export const HDR_BITMAPS_OFF_I32 = 7;
/** Byte offset of the owner table (thread and process identities). */
export const HDR_OWNERS_OFF_I32 = 8;
/** Entries in the owner table. */
export const HDR_OWNER_SLOTS_I32 = 9;
/** Byte offset of the buffer-owner map (one u32 per buffer). */
export const HDR_BUF_OWNER_OFF_I32 = 10;
/** Byte offset of the retired-counters table (retired-layout.ts). */
export const HDR_RETIRED_OFF_I32 = 11;
/** Named records in the retired-counters table (the catch-all record is extra). */
export const HDR_RETIRED_SLOTS_I32 = 12;

/** HDR_FLAGS bit: the SharedArrayBuffer was supplied by the user. */
export const REGION_FLAG_EXTERNAL = 1;

/** Pool numbers, in layout order. */
export const POOL_IF = 0;
export const POOL_RING = 1;
export const POOL_BUF = 2;
export const POOL_COUNT = 3;
export const POOL_NAMES = ['if', 'ring', 'buf'] as const;

// pool descriptor (ro): one 64 B line per pool starting at line 1
export const POOL_DESC_BASE_I32 = 16;
export const POOL_DESC_STRIDE_I32 = 16;
export const PD_OFF_I32 = 0;
export const PD_OBJ_SIZE_I32 = 1;
export const PD_OBJ_TOTAL_I32 = 2;
export const PD_BITMAP_OFF_I32 = 3;
export const PD_BITMAP_WORDS_I32 = 4;
export const PD_RESERVED_I32 = 5;

// pool counters (rw, Atomics): one 64 B line per pool starting at line 4
export const POOL_CTR_BASE_I32 = 64;
export const POOL_CTR_STRIDE_I32 = 16;
export const PC_FREE_I32 = 0;
export const PC_ALLOCS_I32 = 1;
export const PC_FREES_I32 = 2;
export const PC_FAILURES_I32 = 3;
export const PC_HINT_I32 = 4;
export const PC_DOUBLE_FREES_I32 = 5;
export const PC_BAD_INDEX_I32 = 6;

// line 7 (rw): the port-name table lock
export const HDR_NAME_LOCK_I32 = 112;
export const HDR_NAME_GEN_I32 = 113;

/** Byte offset of the name table; it follows the header directly. */
export const NAME_TABLE_OFF_BYTES = HEADER_BYTES;

export function poolDescI32(pool: number, field: number): number {
  return POOL_DESC_BASE_I32 + pool * POOL_DESC_STRIDE_I32 + field;
}

export function poolCtrI32(pool: number, field: number): number {
  return POOL_CTR_BASE_I32 + pool * POOL_CTR_STRIDE_I32 + field;
}

/** Round `n` up to a multiple of `to` (a power of two). */
export function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
