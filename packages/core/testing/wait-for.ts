/**
 * Waiting for something another thread does, with a hang guard: a generous
 * timeout that only turns a hang into a clear failure naming what was
 * awaited. It never orders events; nothing here sleeps a fixed time.
 */

/** The default hang guard: far longer than anything a passing test waits for. */
export const HANG_GUARD_MS = 30_000;

export interface WaitOptions {
  /** Give up after this long (default `HANG_GUARD_MS`). */
  timeoutMs?: number;
}

/** What `waitFor` and `waitForWord` throw when the hang guard runs out. */
export class HangError extends Error {
  readonly what: string;
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number, detail = '') {
    super(`hang guard: gave up waiting for ${what} after ${timeoutMs} ms${detail}`);
    this.name = 'HangError';
    this.what = what;
    this.timeoutMs = timeoutMs;
  }
}

/** One macrotask turn of this thread's event loop (messages and I/O get their turn). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Waits until `predicate()` is true, checking it once per event-loop turn;
 * a predicate that throws ends the wait with its error (e.g. "the worker
 * exited first"). Or, given a promise, settles as it does.
 * Either way rejects with a `HangError` naming `what` after `timeoutMs`.
 */
export function waitFor(what: string, predicate: () => boolean, opts?: WaitOptions): Promise<void>;
export function waitFor<T>(what: string, promise: PromiseLike<T>, opts?: WaitOptions): Promise<T>;
export function waitFor<T>(
  what: string,
  cond: (() => boolean) | PromiseLike<T>,
  opts: WaitOptions = {},
): Promise<T | void> {
  const ms = opts.timeoutMs ?? HANG_GUARD_MS;
  if (typeof cond !== 'function') {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HangError(what, ms)), ms);
    });
    return Promise.race([cond, guard]).finally(() => clearTimeout(timer));
  }
  return (async () => {
    const deadline = performance.now() + ms;
    while (!cond()) {
      if (performance.now() > deadline) throw new HangError(what, ms);
      await nextTurn();
    }
  })();
}

/**
 * Waits until `done(Atomics.load(i32, index))` is true, sleeping in
 * `Atomics.waitAsync` on the word (so the writer's `Atomics.notify` wakes it;
 * a bounded slice re-checks a word changed without a notify). Rejects with a
 * `HangError` naming `what` and the word's last value after `timeoutMs`.
 */
export async function waitForWord(
  what: string,
  i32: Int32Array,
  index: number,
  done: (value: number) => boolean,
  opts: WaitOptions = {},
): Promise<void> {
  const ms = opts.timeoutMs ?? HANG_GUARD_MS;
  const deadline = performance.now() + ms;
  for (;;) {
    const v = Atomics.load(i32, index);
    if (done(v)) return;
    const left = deadline - performance.now();
    if (left <= 0) throw new HangError(what, ms, ` (word ${index} is ${v})`);
    const r = Atomics.waitAsync(i32, index, v, Math.min(left, 250));
    if (r.async) await r.value;
  }
}
