/** Public option types of @pktfabric/core, each with its default and limits. */
import type { RegionMemory } from './seams/memory.js';

export interface RegionOptions {
  /**
   * Bytes per packet buffer: a multiple of 64 from 64 to 65536.
   * @defaultValue 2048
   */
  bufSize?: number;
  /**
   * Number of packet buffers, including the two reserved ones (0 and 1):
   * 4 .. 2^24.
   * @defaultValue 8192
   */
  bufCount?: number;
  /**
   * Bytes per ring object: a multiple of 64, at least `ringBytes(4)`. A ring
   * with N slots needs `ringBytes(N)`.
   * @defaultValue ringBytes(1024) (20,736 bytes)
   */
  ringSize?: number;
  /**
   * Number of ring objects, including the reserved index 0: 2 .. 65536. A
   * pipe with R rings per direction uses 4R.
   * @defaultValue 64
   */
  ringCount?: number;
  /**
   * Bytes per if object (one per port): a multiple of 64, 384 .. 65536 (a
   * port with R rings needs 320 + 4R bytes).
   * @defaultValue 1024
   */
  ifSize?: number;
  /**
   * Number of if objects, including the reserved index 0: 2 .. 65536.
   * @defaultValue 64
   */
  ifCount?: number;
  /**
   * Entries in the port-name table: 1 .. 4096.
   * @defaultValue 64
   */
  nameTableSlots?: number;
  /**
   * Entries in the owner table (identities of the threads and processes that
   * use the region; one per thread that opens ports or takes a lock): 1 .. 65536.
   * @defaultValue 256
   */
  owners?: number;
  /**
   * Named records in the retired-counters table, which keeps the final
   * counters of every port whose if object was freed, one record per port
   * name, until the region goes: 0 .. 4096. Ports closed under more names
   * than this are added up in one catch-all record.
   * @defaultValue 64
   */
  retiredPorts?: number;
  /**
   * Identifier of this region (netmap's mem_id): 1 .. 65535. Buffers can be
   * swapped between ports only when their memIds match.
   * @defaultValue a random value
   */
  memId?: number;
  /**
   * Memory from a provider (the memory seam: its bytes and its waiter). It
   * must be at least `regionBytes(opts)` long. Give this or `sab`, not both.
   */
  memory?: RegionMemory;
  /**
   * Memory supplied by the caller (external memory). It must be at least
   * `regionBytes(opts)` long; the region uses its start.
   * @defaultValue a new SharedArrayBuffer of exactly the needed size
   */
  sab?: SharedArrayBuffer;
}

/** One pool as reported by `Region.pools()` (netmap's POOLS_INFO_GET). */
export interface PoolInfo {
  name: 'if' | 'ring' | 'buf';
  /** Byte offset of object 0 from the start of the region. */
  offset: number;
  objSize: number;
  objTotal: number;
  /** Objects never handed out (indices 0 .. reserved-1). */
  reserved: number;
  free: number;
  allocs: number;
  frees: number;
  failures: number;
  doubleFrees: number;
  badIndex: number;
}

export const DEFAULT_BUF_SIZE = 2048;
export const DEFAULT_BUF_COUNT = 8192;
export const DEFAULT_RING_SLOTS = 1024;
export const DEFAULT_RING_COUNT = 64;
export const DEFAULT_IF_SIZE = 1024;
export const MIN_IF_SIZE = 384;
export const DEFAULT_IF_COUNT = 64;
export const DEFAULT_NAME_TABLE_SLOTS = 64;
export const DEFAULT_OWNER_SLOTS = 256;
export const MAX_OWNER_SLOTS = 65536;
export const DEFAULT_RETIRED_PORTS = 64;
export const MAX_RETIRED_PORTS = 4096;

export const MIN_BUF_SIZE = 64;
export const MAX_BUF_SIZE = 65536;
export const MIN_BUF_COUNT = 4;
export const MAX_BUF_COUNT = 1 << 24;
export const MIN_RING_SLOTS = 4;
export const MAX_RING_SLOTS = 32768;
export const MAX_OBJ_COUNT = 65536;
export const MAX_NAME_TABLE_SLOTS = 4096;
/** A region is addressed with 31-bit offsets. */
export const MAX_REGION_BYTES = 0x7fffffc0;
