/** Public option and result types of @pktfabric/pipes, each with its default. */
export {
  POLL_SPIN,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  type DestroyReport,
  type OpenOptions,
  type PortDescriptor as EndpointDescriptor,
} from '@pktfabric/core';

export interface PipeOptions {
  /**
   * Pipe number N: the ends are named `pipe{N` (master) and `pipe}N` (slave).
   * 0 .. 65535. @defaultValue the lowest number not in use in the region
   */
  id?: number;
  /** Rings per direction, 1 .. 256 (and what the region's if objects can describe). @defaultValue 1 */
  rings?: number;
  /** Slots per ring: a power of two, 4 .. 32768 (fits the region's ringSize). @defaultValue 1024 */
  slots?: number;
  /** Largest per-slot buffer offset a sender may use, 0 .. bufSize-1. @defaultValue 0 */
  maxOffset?: number;
}
