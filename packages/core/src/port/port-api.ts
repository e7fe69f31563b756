/** Public types and constants of ports, shared by every port kind. */
import { OptionError } from '../errors.js';
import type { ChecksMode } from './kring.js';

/** poll() event bits, as in poll(2). */
export const POLLIN = 0x1;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
/** The other side has closed or died. */
export const POLLHUP = 0x10;

/** Iterations of cheap peeks at the other side's words before a blocking poll sleeps. */
export const POLL_SPIN = 20000;

export interface OpenOptions {
  /** Extra buffers to take at open (netmap's nr_extra_bufs); the pool may give fewer. @defaultValue 0 */
  extraBufs?: number;
  /**
   * Cheap peeks at the other side's words a blocking poll() makes before it
   * sleeps, 0 .. 10^7. Long spins suit a thread with a core of its own (fewer
   * sleeps and wake-ups at saturation); when more threads are busy than there
   * are cores, a short spin (a few hundred) gives the core to the peer
   * sooner. @defaultValue POLL_SPIN (20000)
   */
  spin?: number;
  /**
   * What each sync checks:
   * - `'slots'`: head, cur and the peer's tail, and every slot the user or
   *   the peer changed (buffer ownership, len, offset, fragments). A bug that
   *   writes a wrong slot becomes a SlotError before any other ring's buffer
   *   can change hands.
   * - `'ring'`: netmap's own trust model. head, cur and the peer's tail are
   *   checked, and slots flagged NS_BUF_CHANGED or NS_MOREFRAG; other slots
   *   are trusted as written. Faster on descriptor-only traffic; parties
   *   that must be kept apart use separate regions.
   * @defaultValue 'slots'
   */
  checks?: ChecksMode;
}

/** A cloneable description of one port, for postMessage to a worker. */
export interface PortDescriptor {
  sab: SharedArrayBuffer;
  /** Port name, e.g. `pipe{3` or `pipe}3/x`. */
  name: string;
}

/** What closing a port gave back, when the close destroyed its rings. */
export interface DestroyReport {
  buffers: number;
  rings: number;
  /** Buffers that could not be freed (already free, or an invalid index), each also counted by the pool. */
  problems: number;
}

/**
 * Checks the options every port kind takes at open (spin and checks; a kind
 * checks extraBufs against its region). Throws OptionError naming the option.
 */
export function checkOpenOptions(opts: unknown): OpenOptions {
  if (opts === null || typeof opts !== 'object') throw new OptionError('opts', 'an object', opts);
  const o = opts as OpenOptions;
  if (o.checks !== undefined && o.checks !== 'slots' && o.checks !== 'ring')
    throw new OptionError('checks', "'slots' or 'ring'", o.checks);
  if (
    o.spin !== undefined &&
    (typeof o.spin !== 'number' || !Number.isInteger(o.spin) || o.spin < 0 || o.spin > 1e7)
  )
    throw new OptionError('spin', 'an integer from 0 to 10000000', o.spin);
  return o;
}
