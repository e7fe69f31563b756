/**
 * The memory seam: where a region's bytes come from. A region is laid out the
 * same way in any memory; what differs is how the memory is made, how another
 * thread or process reaches it, and which waiter can sleep on its words.
 *
 * Today: a `SharedArrayBuffer` (threads of one process, `atomicsWaiter`).
 * Next: a named shared-memory object mapped by several processes, with a
 * futex waiter (packages/shm).
 */
import { atomicsWaiter, type Waiter } from './waiter.js';

export interface RegionMemory {
  /** `sab` for a SharedArrayBuffer; other providers name themselves. */
  readonly kind: string;
  /** The bytes. A provider that maps memory may hand an ArrayBuffer where the runtime has no external SharedArrayBuffer. */
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  /** How threads sleep on and wake words of this memory. */
  readonly waiter: Waiter;
  /**
   * Whether process `pid` is alive, for memory that other processes map
   * (the owner seam's liveness across processes: a sleeping poll asks it
   * about the processes recorded in the owner table). Omitted for memory
   * that only threads of this process use.
   */
  readonly alive?: (pid: number) => boolean;
}

/** A SharedArrayBuffer as region memory (threads of one process). */
export function sabMemory(sab: SharedArrayBuffer): RegionMemory {
  return { kind: 'sab', buffer: sab, waiter: atomicsWaiter };
}
