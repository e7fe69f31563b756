import { OptionError } from '@pktfabric/core';

/**
 * Paces a sender to `pps` packets per second: packet k is due at
 * start + k / pps. `allowance(now)` says how many may go now; a sender that
 * fell behind by more than one burst forgets the backlog instead of sending
 * it all at once. Does not allocate.
 */
export class RateLimiter {
  private startMs = -1;
  private sent = 0;
  private readonly perMs: number;

  constructor(
    readonly pps: number,
    readonly burst: number,
  ) {
    if (!(pps > 0) || !Number.isFinite(pps))
      throw new OptionError('rate', 'a positive number of packets per second', pps);
    this.perMs = pps / 1000;
  }

  /** Packets that may be sent at time `nowMs` (at most `burst`). */
  allowance(nowMs: number): number {
    if (this.startMs < 0) this.startMs = nowMs;
    let due = Math.floor((nowMs - this.startMs) * this.perMs) + 1 - this.sent;
    if (due > this.burst) {
      this.sent += due - this.burst;
      due = this.burst;
    }
    return due > 0 ? due : 0;
  }

  /** Records `n` packets sent. */
  consume(n: number): void {
    this.sent += n;
  }

  /** Milliseconds from `nowMs` until the next packet is due (0 if one is due now). */
  waitMs(nowMs: number): number {
    if (this.startMs < 0) return 0;
    const dueAt = this.startMs + this.sent / this.perMs;
    return dueAt > nowMs ? dueAt - nowMs : 0;
  }
}
