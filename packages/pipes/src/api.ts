/** Public option and result types of @pktfabric/pipes, each with its default. */

export interface PipeOptions {
  /**
   * Pipe number N: the ends are named `pipe{N` (master) and `pipe}N` (slave).
   * 0 .. 65535. @defaultValue the lowest number not in use in the region
   */
  id?: number;
  /** Rings per direction, 1 .. 256. @defaultValue 1 */
  rings?: number;
  /** Slots per ring: a power of two, 4 .. 32768 (fits the region's ringSize). @defaultValue 1024 */
  slots?: number;
  /** Largest per-slot buffer offset a sender may use, 0 .. bufSize-1. @defaultValue 0 */
  maxOffset?: number;
}

export interface OpenOptions {
  /** Extra buffers to take at open (netmap's nr_extra_bufs); the pool may give fewer. @defaultValue 0 */
  extraBufs?: number;
  /**
   * Cheap peeks at the peer's words a blocking poll() makes before it parks
   * in Atomics.wait, 0 .. 10^7. Long spins suit a thread with a core of its
   * own (fewer sleeps and wake-ups at saturation); when more threads are
   * busy than there are cores, a short spin (a few hundred) gives the core
   * to the peer sooner. @defaultValue POLL_SPIN (20000)
   */
  spin?: number;
}

/** A cloneable description of one pipe end, for postMessage to a worker. */
export interface EndpointDescriptor {
  sab: SharedArrayBuffer;
  /** Port name, e.g. `pipe{3` or `pipe}3/x`. */
  name: string;
}

/** poll() event bits, as in poll(2). */
export const POLLIN = 0x1;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
/** The peer end has closed or its worker has exited. */
export const POLLHUP = 0x10;
