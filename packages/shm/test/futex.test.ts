/**
 * Futex wait and wake between two real processes (a forked child maps the
 * same object), in both memory kinds: a blocked wait woken by the other
 * process, a wait that times out, a wait whose value already differs, and
 * the async wait, which leaves the event loop running.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createShm,
  futexWait,
  futexWaitAsync,
  futexWaiter,
  futexWake,
  ShmError,
  type ShmOptions,
} from '../src/index.js';
import {
  cleanup,
  runAddonTests,
  startChild,
  uniqueName,
  untilFutexWaiting,
  type Child,
} from './helpers.js';

afterEach(cleanup);

const IDX = 3; // word 3: byte offset 12
const START = 0x5eed; // the word's value while waiting: distinctive in /proc/<pid>/task/*/syscall

async function withChild(
  memory: ShmOptions['memory'],
  body: (c: Child, i32: Int32Array, buffer: ArrayBuffer | SharedArrayBuffer) => Promise<void>,
): Promise<void> {
  const name = uniqueName('fx');
  const m = createShm(name, 4096, { memory });
  const i32 = new Int32Array(m.buffer);
  Atomics.store(i32, IDX, START);
  const child = await startChild();
  try {
    await child.request({ op: 'open', name, memory }, 'opened');
    await body(child, i32, m.buffer);
  } finally {
    await child.kill();
  }
}

describe.runIf(runAddonTests)('futex across processes', () => {
  describe.each<ShmOptions['memory']>(['auto', 'external-arraybuffer'])('memory: %s', (memory) => {
    it('a child blocked in futexWait wakes on our store + futexWake and sees the new value', async () => {
      await withChild(memory, async (child, _i32, buffer) => {
        child.send({ op: 'wait', index: IDX, expected: START, timeoutMs: null });
        await untilFutexWaiting(child.pid, START, child); // it is asleep in the kernel
        const i32 = new Int32Array(buffer);
        Atomics.store(i32, IDX, 77);
        // futexWake on the whole buffer (a SharedArrayBuffer under Node 24) at byte offset 12
        expect(futexWake(buffer, IDX * 4, 1)).toBe(1);
        const r = await child.next('waited');
        expect(r.result).toBe('ok');
        expect(r.value).toBe(77);
      });
    });

    it('a child waiting with a timeout times out, and no wake finds it afterwards', async () => {
      await withChild(memory, async (child, i32) => {
        const r = await child.request(
          { op: 'wait', index: IDX, expected: START, timeoutMs: 100 },
          'waited',
        );
        expect(r.result).toBe('timed-out');
        expect(r.value).toBe(START);
        expect(r.elapsedMs).toBeGreaterThanOrEqual(99);
        expect(futexWaiter.wake(i32, IDX)).toBe(0);
      });
    });

    it("a child whose expected value already differs gets 'not-equal' at once", async () => {
      await withChild(memory, async (child) => {
        const r = await child.request(
          { op: 'wait', index: IDX, expected: START + 1, timeoutMs: null },
          'waited',
        );
        expect(r.result).toBe('not-equal');
        expect(r.value).toBe(START);
      });
    });

    it("a child's futexWaitAsync leaves its event loop running and resolves on our wake", async () => {
      await withChild(memory, async (child, i32) => {
        await child.request(
          { op: 'waitAsync', index: IDX, expected: START, timeoutMs: null },
          'waitStarted',
        );
        await untilFutexWaiting(child.pid, START, child); // its waiter thread sleeps in the kernel
        // While it sleeps the child's event loop serves IPC and turns setImmediate.
        const p1 = await child.request({ op: 'ping' }, 'pong');
        const p2 = await child.request({ op: 'ping' }, 'pong');
        expect(p2.ticks).toBeGreaterThan(p1.ticks);
        Atomics.store(i32, IDX, 99);
        expect(futexWaiter.wake(i32, IDX)).toBe(1);
        const r = await child.next('waited');
        expect(r.result).toBe('ok');
        expect(r.value).toBe(99);
        expect(r.ticks).toBeGreaterThanOrEqual(p2.ticks);
      });
    });

    it('our futexWaitAsync keeps our event loop running and resolves on a wake from the child', async () => {
      await withChild(memory, async (child, i32) => {
        let ticks = 0;
        let counting = true;
        const turn = (): void => {
          if (!counting) return;
          ticks++;
          setImmediate(turn);
        };
        setImmediate(turn);
        const waited = futexWaiter.waitAsync(i32, IDX, START, Infinity);
        await untilFutexWaiting(process.pid, START);
        // While the wait is pending (its thread asleep in the kernel), the
        // event loop turns: one setImmediate queued now runs after `turn`'s.
        const before = ticks;
        await new Promise<void>((resolve) => setImmediate(resolve));
        expect(ticks).toBeGreaterThan(before);
        const woke = await child.request({ op: 'storeWake', index: IDX, value: 1234 }, 'woke');
        expect(woke.count).toBe(1);
        expect(await waited).toBe('ok');
        counting = false;
        expect(Atomics.load(i32, IDX)).toBe(1234);
      });
    });
  });
});

describe.runIf(runAddonTests)('futex in one process', () => {
  it('wait: not-equal, timed-out; waitAsync: not-equal, timed-out; wake with nobody waiting is 0', async () => {
    const m = createShm(uniqueName('one'), 64);
    const i32 = new Int32Array(m.buffer);
    expect(futexWait(i32, 0, 1, Infinity)).toBe('not-equal');
    expect(futexWait(i32, 0, 0, 0)).toBe('timed-out');
    expect(futexWait(m.buffer, 4, 0, 5)).toBe('timed-out');
    expect(await futexWaitAsync(i32, 0, 1, Infinity)).toBe('not-equal');
    expect(await futexWaitAsync(i32, 8, 0, 20)).toBe('timed-out');
    expect(futexWake(i32, 0, 10)).toBe(0);
  });

  it('works on a plain SharedArrayBuffer and on a view with an offset', async () => {
    const sab = new SharedArrayBuffer(64);
    expect(futexWait(sab, 8, 0, 1)).toBe('timed-out');
    const view = new Int32Array(sab, 16, 4);
    expect(futexWaiter.wait(view, 1, 0, 1)).toBe('timed-out');
    expect(await futexWaiter.waitAsync(view, 1, 5, 1)).toBe('not-equal');
  });

  it('bad arguments are typed errors naming the parameter', async () => {
    const i32 = new Int32Array(new SharedArrayBuffer(16));
    const cases: [() => unknown, string][] = [
      [() => futexWait(i32, 16, 0, 0), 'byteOffset'],
      [() => futexWait(i32, -4, 0, 0), 'byteOffset'],
      [() => futexWait(i32, 2, 0, 0), 'byteOffset'],
      [() => futexWait(new Uint8Array(i32.buffer, 1, 8), 0, 0, 0), 'byteOffset'],
      [() => futexWait(i32, 0, 0, -1), 'timeoutMs'],
      [() => futexWait(i32, 0, 0, NaN), 'timeoutMs'],
      [() => futexWait(i32, 0, 1.5, 0), 'expected'],
      [() => futexWait({} as Int32Array, 0, 0, 0), 'buffer'],
      [() => futexWake(i32, 0, -1), 'count'],
      [() => futexWaiter.wake(i32, 4), 'byteOffset'],
    ];
    for (const [f, param] of cases) {
      let caught: unknown;
      try {
        f();
      } catch (err) {
        caught = err;
      }
      expect(caught, param).toBeInstanceOf(ShmError);
      expect((caught as ShmError).param).toBe(param);
    }
    await expect(futexWaitAsync(i32, 3, 0, 0)).rejects.toMatchObject({ param: 'byteOffset' });
  });
});

describe.runIf(runAddonTests)('futexWaitAsync and worker teardown', () => {
  it('a worker terminated while its async wait is pending: the waiter thread wakes and exits without touching the dead environment', async () => {
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const script = fileURLToPath(new URL('../dist/test/fixtures/teardown.js', import.meta.url));
    for (let round = 0; round < 3; round++) {
      const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.signal).toBeNull();
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ woke: 1, again: 'timed-out', threadsLeft: 0 });
    }
  });
});
