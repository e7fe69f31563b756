/**
 * Notification on a shared word, with a waiter count so that the other side
 * calls `Atomics.notify` only when somebody sleeps.
 *
 * Why no wake-up is lost: the sleeper does `Atomics.add(waiters, 1)` and then
 * `Atomics.wait(word, expected)`, which re-reads the word atomically with
 * going to sleep. The waker does `Atomics.store(word, new)` and then
 * `Atomics.load(waiters)`. All four are sequentially consistent, so either
 * the sleeper's re-read sees the new word (and does not sleep) or the waker's
 * load sees waiters > 0 (and notifies). This is netmap's "set need-kick, fence,
 * re-check" with the fence supplied by the Atomics operations.
 */

import { atomicsWaiter, type Waiter } from './seams/waiter.js';

export type WaitOutcome = 'changed' | 'timed-out';

/** Iterations of `Atomics.load` before a blocking wait parks the thread. */
export const DEFAULT_SPIN = 4096;

export class Notifier {
  private readonly i32: Int32Array;
  /** Index of the word waited on (the futex word). */
  readonly wordI32: number;
  /** Index of the waiter count. */
  readonly waitersI32: number;
  /** Index of a counter of `Atomics.notify` calls, or -1. */
  readonly kicksI32: number;
  /**
   * Index of the waker's own counter of the notify calls it makes (a port's
   * wake-ups sent, IF_WAKES_SENT), or -1.
   */
  readonly sentI32: number;
  spin: number;
  private readonly waiter: Waiter;

  constructor(
    i32: Int32Array,
    wordI32: number,
    waitersI32: number,
    kicksI32 = -1,
    spin = DEFAULT_SPIN,
    waiter: Waiter = atomicsWaiter,
    sentI32 = -1,
  ) {
    this.sentI32 = sentI32;
    this.waiter = waiter;
    this.i32 = i32;
    this.wordI32 = wordI32;
    this.waitersI32 = waitersI32;
    this.kicksI32 = kicksI32;
    this.spin = spin;
  }

  /** Current value of the word. */
  load(): number {
    return Atomics.load(this.i32, this.wordI32);
  }

  /**
   * Blocks until the word differs from `expected` or `timeoutMs` passes.
   * Spins briefly first. Only in a worker (or a main thread that allows
   * `Atomics.wait`). Does not allocate.
   */
  wait(expected: number, timeoutMs = Infinity): WaitOutcome {
    const { i32, wordI32 } = this;
    for (let s = this.spin; s > 0; s--) {
      if (Atomics.load(i32, wordI32) !== expected) return 'changed';
    }
    if (timeoutMs <= 0) return 'timed-out';
    Atomics.add(i32, this.waitersI32, 1);
    return this.sleep(expected, timeoutMs);
  }

  /**
   * Like `wait` but does not block the thread: resolves when the word differs
   * from `expected`, on any notify, or after `timeoutMs`. Keeps the event loop
   * alive while pending (a pending `Atomics.waitAsync` alone does not; Node
   * issue 44729). Allocates a promise.
   */
  async waitAsync(expected: number, timeoutMs = Infinity): Promise<WaitOutcome> {
    const { i32, wordI32 } = this;
    if (Atomics.load(i32, wordI32) !== expected) return 'changed';
    if (timeoutMs <= 0) return 'timed-out';
    Atomics.add(i32, this.waitersI32, 1);
    return this.sleepAsync(expected, timeoutMs);
  }

  /**
   * Wakes the sleepers of this word, if there are any: a single
   * `Atomics.load` when nobody sleeps. Call after publishing the word with
   * `Atomics.store`. Returns the number of threads woken. Does not allocate.
   */
  notify(): number {
    if (Atomics.load(this.i32, this.waitersI32) === 0) return 0;
    this.count();
    return this.waiter.wake(this.i32, this.wordI32);
  }

  /**
   * Two-phase wait for a condition that lives outside the word (for example
   * several ring tails): `announce()` counts this thread as a sleeper and
   * returns the word's value; the caller then re-checks its condition and
   * either calls `sleep(value)` or `cancel()`. A waker that changed the
   * condition calls `ring()`, which bumps the word and notifies only when a
   * sleeper is announced. Announce, re-check, sleep: no wake-up is lost.
   * Does not allocate.
   */
  announce(): number {
    Atomics.add(this.i32, this.waitersI32, 1);
    return Atomics.load(this.i32, this.wordI32);
  }

  /** Second phase after `announce()`: blocks until the word moves from `expected` or the timeout. */
  sleep(expected: number, timeoutMs = Infinity): WaitOutcome {
    try {
      if (timeoutMs <= 0) return 'timed-out';
      const r = this.waiter.wait(this.i32, this.wordI32, expected, timeoutMs);
      return r === 'timed-out' ? 'timed-out' : 'changed';
    } finally {
      Atomics.sub(this.i32, this.waitersI32, 1);
    }
  }

  /** Second phase after `announce()`, without blocking the thread; keeps the event loop alive. Allocates a promise. */
  async sleepAsync(expected: number, timeoutMs = Infinity): Promise<WaitOutcome> {
    try {
      if (timeoutMs <= 0) return 'timed-out';
      const v = await this.waiter.waitAsync(this.i32, this.wordI32, expected, timeoutMs);
      return v === 'timed-out' ? 'timed-out' : 'changed';
    } finally {
      Atomics.sub(this.i32, this.waitersI32, 1);
    }
  }

  /** Withdraws an `announce()` whose re-check found the condition already true. */
  cancel(): void {
    Atomics.sub(this.i32, this.waitersI32, 1);
  }

  /**
   * Waker side of the two-phase wait: if a sleeper is announced, bumps the
   * word and notifies. One `Atomics.load` when nobody sleeps. Returns the
   * number of threads woken. Does not allocate.
   */
  ring(): number {
    if (Atomics.load(this.i32, this.waitersI32) === 0) return 0;
    Atomics.add(this.i32, this.wordI32, 1);
    this.count();
    return this.waiter.wake(this.i32, this.wordI32);
  }

  /**
   * Wakes every sleeper for an event that is not a change of the ring state
   * (a close, a death): bumps the word whether or not anyone sleeps (so a
   * thread between announce() and sleep() sees it), then wakes if anyone is
   * announced. Returns the number of threads woken.
   */
  wakeAll(): number {
    Atomics.add(this.i32, this.wordI32, 1);
    if (Atomics.load(this.i32, this.waitersI32) === 0) return 0;
    this.count();
    return this.waiter.wake(this.i32, this.wordI32);
  }

  /** Counts one notify call: on the word's side (kicks) and the waker's (sent). */
  private count(): void {
    if (this.kicksI32 >= 0) Atomics.add(this.i32, this.kicksI32, 1);
    if (this.sentI32 >= 0) Atomics.add(this.i32, this.sentI32, 1);
  }

  /** `Atomics.notify` calls made through this word (0 when it keeps no count). */
  get kicks(): number {
    return this.kicksI32 >= 0 ? Atomics.load(this.i32, this.kicksI32) >>> 0 : 0;
  }

  /** Threads announced as waiting now. */
  waiters(): number {
    return Atomics.load(this.i32, this.waitersI32);
  }
}
