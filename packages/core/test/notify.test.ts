/**
 * Notifier: notify() costs one load and no Atomics.notify when nobody waits;
 * a worker parked in wait() is woken by store + notify; wait() and
 * waitAsync() time out; waitAsync() resolves on notify; and a pending
 * waitAsync() keeps a worker's event loop alive (Node issue 44729).
 *
 * The worker tests need the built fixture: `npx tsc -p tsconfig.build.json` first.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRegion, Notifier, portDoorbell } from '../src/index.js';
import { FixtureWorker, nextTurn, waitFor } from '../testing/index.js';
import type {
  NotifyWorkerData,
  NotifyWorkerMessage,
  NotifyWorkerResult,
} from './fixtures/notify-worker.js';

/** Word, waiter count and kick counter on separate 64-byte lines. */
const WORD = 0;
const WAITERS = 16;
const KICKS = 32;

function words(): { sab: SharedArrayBuffer; i32: Int32Array } {
  const sab = new SharedArrayBuffer(64 * 3);
  return { sab, i32: new Int32Array(sab) };
}

interface Running {
  fixture: FixtureWorker<NotifyWorkerMessage>;
  /** The worker's one result; rejects if it fails or exits without one. */
  result: Promise<NotifyWorkerResult>;
}

function start(data: NotifyWorkerData): Running {
  const fixture = new FixtureWorker<NotifyWorkerMessage>(import.meta.url, 'notify-worker', data);
  const result = fixture.next('result').then((m) => m.result);
  result.catch(() => undefined); // tests await `result` themselves; no unhandled-rejection noise
  return { fixture, result };
}

/** Waits (event-loop turns, no timers) until the worker has announced itself as a waiter. */
async function announced(i32: Int32Array, run: Running): Promise<void> {
  await waitFor('the worker to announce itself as a waiter', () => {
    if (Atomics.load(i32, WAITERS) !== 0) return true;
    if (run.fixture.exitCode !== null) throw new Error('worker exited before waiting');
    return false;
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Notifier.notify', () => {
  it('makes no Atomics.notify call and no kick when nobody waits', () => {
    const { i32 } = words();
    const n = new Notifier(i32, WORD, WAITERS, KICKS);
    const spy = vi.spyOn(Atomics, 'notify');
    Atomics.store(i32, WORD, 1);
    expect(n.notify()).toBe(0);
    expect(n.notify()).toBe(0);
    expect(spy).not.toHaveBeenCalled();
    expect(Atomics.load(i32, KICKS)).toBe(0);
  });

  it("through a port's doorbell: kicks stays 0 with no waiter, counts one kick per notify with one", async () => {
    const r = createRegion({ bufCount: 16, ringSize: 512, ringCount: 2, ifCount: 2, memId: 1 });
    const k = r.allocIf();
    const bell = portDoorbell(r, k);
    const spy = vi.spyOn(Atomics, 'notify');
    expect(bell.notify()).toBe(0);
    expect(bell.kicks).toBe(0);
    expect(spy).not.toHaveBeenCalled();

    // With a waiter (an async one, in this thread) the same call does notify.
    const before = bell.load();
    const pending = bell.waitAsync(before);
    expect(bell.waiters()).toBe(1);
    Atomics.store(r.i32, bell.wordI32, before + 1);
    expect(bell.notify()).toBe(1);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(bell.kicks).toBe(1);
    await expect(pending).resolves.toBe('changed');
    expect(bell.waiters()).toBe(0);
  });
});

describe('Notifier.wait', () => {
  it("returns 'changed' at once when the word already differs, without announcing", () => {
    const { i32 } = words();
    const n = new Notifier(i32, WORD, WAITERS, KICKS, 0);
    Atomics.store(i32, WORD, 5);
    expect(n.wait(4, 10_000)).toBe('changed');
    expect(n.waiters()).toBe(0);
  });

  it("times out with 'timed-out' and withdraws its announcement", () => {
    const { i32 } = words();
    const n = new Notifier(i32, WORD, WAITERS, KICKS, 16);
    const t0 = performance.now();
    expect(n.wait(0, 30)).toBe('timed-out');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(n.wait(0, 0)).toBe('timed-out');
    expect(n.waiters()).toBe(0);
  });

  it("times out with 'timed-out' in a worker", async () => {
    const { sab, i32 } = words();
    const run = start({
      sab,
      wordI32: WORD,
      waitersI32: WAITERS,
      kicksI32: KICKS,
      mode: 'wait',
      expected: 0,
      timeoutMs: 50,
      spin: 0,
    });
    await expect(waitFor("the worker's wait(0, 50) to time out", run.result)).resolves.toEqual({
      outcome: 'timed-out',
      word: 0,
    });
    expect(await run.fixture.exited).toBe(0);
    expect(Atomics.load(i32, WAITERS)).toBe(0);
    expect(Atomics.load(i32, KICKS)).toBe(0);
  });

  it("wakes a worker blocked in wait() with notify alone, which reports 'changed'", async () => {
    const { sab, i32 } = words();
    const run = start({
      sab,
      wordI32: WORD,
      waitersI32: WAITERS,
      kicksI32: KICKS,
      mode: 'wait',
      expected: 0,
      spin: 0, // park at once
    });
    try {
      await announced(i32, run);
      const n = new Notifier(i32, WORD, WAITERS, KICKS);
      // The word stays 0 and the wait has no timeout, so the worker can only
      // return if a notify reaches it while it is inside the wait. It has
      // announced itself but may not be parked yet (a notify before that
      // wakes nobody), so notify once per event-loop turn until it reports.
      let done = false;
      void run.result.then(
        () => (done = true),
        () => (done = true),
      );
      await waitFor('the notified worker to wake', () => {
        if (!done) n.notify();
        return done;
      });
      await expect(run.result).resolves.toEqual({ outcome: 'changed', word: 0 });
      expect(await run.fixture.exited).toBe(0);
      expect(Atomics.load(i32, KICKS)).toBeGreaterThanOrEqual(1);
      expect(Atomics.load(i32, WAITERS)).toBe(0);
    } finally {
      await run.fixture.terminate();
    }
  });
});

describe('Notifier.waitAsync', () => {
  it("resolves 'changed' on notify", async () => {
    const { i32 } = words();
    const n = new Notifier(i32, WORD, WAITERS, KICKS);
    let settled = false;
    const p = n.waitAsync(0).then((v) => {
      settled = true;
      return v;
    });
    await nextTurn();
    expect(settled).toBe(false);
    expect(n.waiters()).toBe(1);
    Atomics.store(i32, WORD, 1);
    expect(n.notify()).toBe(1);
    expect(await p).toBe('changed');
    expect(n.waiters()).toBe(0);
    expect(Atomics.load(i32, KICKS)).toBe(1);
  });

  it("resolves 'changed' at once when the word already differs", async () => {
    const { i32 } = words();
    const n = new Notifier(i32, WORD, WAITERS, KICKS);
    Atomics.store(i32, WORD, 3);
    expect(await n.waitAsync(0)).toBe('changed');
    expect(n.waiters()).toBe(0);
  });

  it("resolves 'timed-out' after its timeout", async () => {
    const { i32 } = words();
    const n = new Notifier(i32, WORD, WAITERS, KICKS);
    expect(await n.waitAsync(0, 20)).toBe('timed-out');
    expect(await n.waitAsync(0, 0)).toBe('timed-out');
    expect(n.waiters()).toBe(0);
  });

  it("keeps a worker's event loop alive while pending, until notified", async () => {
    const { sab, i32 } = words();
    const run = start({
      sab,
      wordI32: WORD,
      waitersI32: WAITERS,
      kicksI32: KICKS,
      mode: 'async',
      expected: 0,
      spin: 0,
    });
    try {
      await announced(i32, run);
      // The worker's top level has run up to its `await`. Wait until its event
      // loop has blocked idle at least once (what an alive loop does) — or
      // until it exits (what a loop with nothing keeping it alive does). Both
      // are events; no timer decides the outcome.
      const perf = run.fixture.worker.performance;
      const elu0 = perf.eventLoopUtilization();
      await waitFor(
        "the worker's event loop to idle or the worker to exit",
        () => run.fixture.exitCode !== null || perf.eventLoopUtilization(elu0).idle > 0,
      );
      expect(run.fixture.exitCode !== null, 'worker exited while its waitAsync was pending').toBe(
        false,
      );

      Atomics.store(i32, WORD, 7);
      expect(new Notifier(i32, WORD, WAITERS, KICKS).notify()).toBe(1);
      await expect(waitFor('the notified worker to resolve', run.result)).resolves.toEqual({
        outcome: 'changed',
        word: 7,
      });
      // And once resolved, nothing is left holding the loop: the worker exits by itself.
      expect(await run.fixture.exited).toBe(0);
      expect(Atomics.load(i32, WAITERS)).toBe(0);
    } finally {
      await run.fixture.terminate();
    }
  });
});
