/**
 * The waiter seam: how a thread sleeps on a shared 32-bit word and how
 * another wakes it. Everything in pktfabric that blocks or wakes goes through
 * a `Waiter`; this file is the only place that calls `Atomics.wait`,
 * `Atomics.waitAsync` and `Atomics.notify`.
 *
 * Inside one process `atomicsWaiter` is enough. V8's wait/notify do not reach
 * another process, so a region mapped by several processes supplies a waiter
 * backed by a futex (the cross-process memory provider does).
 */

/** What a wait ended with, as `Atomics.wait` reports it. */
export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

export interface Waiter {
  /** A short name for messages and stats (`atomics`, `futex`). */
  readonly kind: string;
  /**
   * Blocks the thread while `i32[index] === expected`, until woken or
   * `timeoutMs` passes (Infinity: no limit). Does not allocate.
   */
  wait(i32: Int32Array, index: number, expected: number, timeoutMs: number): WaitResult;
  /**
   * Like `wait` without blocking the thread; the promise keeps the event
   * loop alive while pending. Allocates a promise.
   */
  waitAsync(
    i32: Int32Array,
    index: number,
    expected: number,
    timeoutMs: number,
  ): Promise<WaitResult>;
  /** Wakes up to `count` sleepers of `i32[index]` (all by default). Returns how many woke. */
  wake(i32: Int32Array, index: number, count?: number): number;
}

/** The in-process waiter: `Atomics.wait` / `waitAsync` / `notify` on a SharedArrayBuffer. */
export const atomicsWaiter: Waiter = {
  kind: 'atomics',
  wait(i32, index, expected, timeoutMs) {
    return Atomics.wait(i32, index, expected, timeoutMs);
  },
  async waitAsync(i32, index, expected, timeoutMs) {
    // A pending Atomics.waitAsync alone does not keep Node's event loop
    // alive (nodejs/node#44729): a ref'd timer does, until the wait settles.
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      const r = Atomics.waitAsync(
        i32,
        index,
        expected,
        Number.isFinite(timeoutMs) ? timeoutMs : undefined,
      );
      return r.async ? await r.value : r.value;
    } finally {
      clearInterval(keepAlive);
    }
  },
  wake(i32, index, count) {
    return Atomics.notify(i32, index, count);
  },
};
