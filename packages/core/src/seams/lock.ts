/**
 * The lock seam: a mutex on one shared word, for the control plane (opening,
 * closing, destroying ports; the port-name table). The data path never takes
 * it.
 *
 * Lock word: 0 when free; otherwise the holder's owner id (owners.ts) shifted
 * left by one, with bit 0 set when some thread may be asleep on the word (the
 * release must wake it). A futex mutex in the manner of Drepper's "Futexes Are
 * Tricky"; the holder is recorded so that the liveness seam can break the
 * lock of a party that died holding it.
 *
 * Why no thread sleeps forever: a waiter sets the contended bit on the
 * holder's word (compareExchange) before waiting on `holder | CONTENDED`,
 * which re-reads the word atomically with going to sleep. A releaser
 * exchanges the word to 0 and wakes when the old value had the bit. Either
 * the release comes after the waiter's compareExchange (it sees the bit and
 * wakes) or before it (the compareExchange fails, the waiter re-reads 0 and
 * takes the lock). A thread that took the lock through the contended path
 * sets the bit itself, so its release wakes any other sleeper.
 */
import type { Waiter } from './waiter.js';

const LOCK_FREE = 0;
const CONTENDED_BIT = 1;

/** Loads of the lock word before a contended acquire sleeps. */
export const LOCK_SPIN = 1000;

export class SharedLock {
  private readonly i32: Int32Array;
  private readonly word: number;
  private readonly waiter: Waiter;
  private readonly ownerId: () => number;
  /** How deep this object is inside withLock (0 = it does not hold the lock). */
  private depth = 0;
  /** Acquires that had to sleep (local to this object; for tests and stats). */
  parked = 0;

  constructor(i32: Int32Array, word: number, waiter: Waiter, ownerId: () => number) {
    this.i32 = i32;
    this.word = word;
    this.waiter = waiter;
    this.ownerId = ownerId;
  }

  /**
   * Runs `fn` holding the lock. Nested calls on the same object do not take
   * it again. Released in `finally`, also when `fn` throws. `fn` must be
   * synchronous. A second SharedLock object over the same word in the same
   * thread would deadlock inside `fn`: use this one. Blocks.
   */
  withLock<T>(fn: () => T): T {
    if (this.depth > 0) {
      this.depth++;
      try {
        return fn();
      } finally {
        this.depth--;
      }
    }
    this.acquire();
    this.depth = 1;
    try {
      return fn();
    } finally {
      this.depth = 0;
      this.release();
    }
  }

  /** True while this object holds the lock. */
  get held(): boolean {
    return this.depth > 0;
  }

  /** Owner id of the holder, or 0 when free. */
  holder(): number {
    return Atomics.load(this.i32, this.word) >>> 1;
  }

  private acquire(): void {
    const i32 = this.i32;
    const w = this.word;
    const tag = this.ownerId() << 1;
    if (Atomics.compareExchange(i32, w, LOCK_FREE, tag) === LOCK_FREE) return;
    for (let s = LOCK_SPIN; s > 0; s--) {
      if (
        Atomics.load(i32, w) === LOCK_FREE &&
        Atomics.compareExchange(i32, w, LOCK_FREE, tag) === LOCK_FREE
      )
        return;
    }
    for (;;) {
      const v = Atomics.load(i32, w);
      if (v === LOCK_FREE) {
        if (Atomics.compareExchange(i32, w, LOCK_FREE, tag | CONTENDED_BIT) === LOCK_FREE) return;
        continue;
      }
      const contended = v | CONTENDED_BIT;
      if (v !== contended && Atomics.compareExchange(i32, w, v, contended) !== v) continue;
      this.parked++;
      this.waiter.wait(i32, w, contended, Infinity);
    }
  }

  private release(): void {
    const old = Atomics.exchange(this.i32, this.word, LOCK_FREE);
    if ((old & CONTENDED_BIT) !== 0) this.waiter.wake(this.i32, this.word, 1);
  }

  /**
   * Breaks the lock if owner `deadOwner` holds it, waking every waiter;
   * returns true if it did. Only for a party known to be gone: what it was
   * changing under the lock may be left half done, but no thread waits
   * forever.
   */
  breakIfHeldBy(deadOwner: number): boolean {
    const tag = deadOwner << 1;
    for (;;) {
      const v = Atomics.load(this.i32, this.word);
      if ((v & ~CONTENDED_BIT) !== tag) return false;
      if (Atomics.compareExchange(this.i32, this.word, v, LOCK_FREE) === v) {
        this.waiter.wake(this.i32, this.word);
        return true;
      }
    }
  }
}
