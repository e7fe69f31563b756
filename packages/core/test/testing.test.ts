/**
 * The shared test harness itself (packages/core/testing): hang guards name
 * what they waited for, errors keep their name and fields across threads,
 * and a fixture's error message or exit rejects what is awaited from it.
 *
 * The worker cases reuse the built fixtures of the other tests.
 */
import { describe, expect, it } from 'vitest';
import { AttachError, attachRegion } from '../src/index.js';
import {
  errorMessage,
  fixtureUrl,
  FixtureWorker,
  HangError,
  serializeError,
  waitFor,
  waitForWord,
  WorkerError,
} from '../testing/index.js';
import type { AllocWorkerData, AllocWorkerResult } from './fixtures/alloc-protocol.js';
import type { NotifyWorkerData, NotifyWorkerMessage } from './fixtures/notify-worker.js';

describe('waitFor', () => {
  it('resolves once the predicate holds, checked between event-loop turns', async () => {
    let n = 0;
    const tick = setInterval(() => n++, 1);
    try {
      await waitFor('three ticks', () => n >= 3);
    } finally {
      clearInterval(tick);
    }
    expect(n).toBeGreaterThanOrEqual(3);
  });

  it('fails with a HangError naming what it waited for', async () => {
    const err = await waitFor('a condition that never holds', () => false, {
      timeoutMs: 20,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HangError);
    expect((err as HangError).message).toMatch(/a condition that never holds after 20 ms/);
  });

  it("passes on the predicate's own error", async () => {
    await expect(
      waitFor('anything', () => {
        throw new Error('the worker exited first');
      }),
    ).rejects.toThrow('the worker exited first');
  });

  it('given a promise, settles as it does, or fails with a HangError', async () => {
    await expect(waitFor('a value', Promise.resolve(7))).resolves.toBe(7);
    await expect(waitFor('a failure', Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(
      waitFor('a promise that never settles', new Promise(() => {}), { timeoutMs: 20 }),
    ).rejects.toThrow(HangError);
  });

  it('waitForWord wakes on Atomics.notify and names the word when it gives up', async () => {
    const i32 = new Int32Array(new SharedArrayBuffer(8));
    const p = waitForWord('word 1 to reach 2', i32, 1, (v) => v >= 2);
    Atomics.store(i32, 1, 2);
    Atomics.notify(i32, 1);
    await p;
    await expect(
      waitForWord('word 0 to be set', i32, 0, (v) => v !== 0, { timeoutMs: 20 }),
    ).rejects.toThrow(/word 0 to be set after 20 ms \(word 0 is 0\)/);
  });
});

describe('errors across threads', () => {
  it('serializeError + WorkerError keep the name, message, stack and own fields', () => {
    let original: unknown;
    try {
      attachRegion(new SharedArrayBuffer(16));
    } catch (e) {
      original = e;
    }
    expect(original).toBeInstanceOf(AttachError);
    const msg = errorMessage(original);
    expect(msg.type).toBe('error');
    expect(structuredClone(msg)).toEqual(msg); // plain data: survives postMessage
    const rebuilt = new WorkerError(msg.error);
    expect(rebuilt.name).toBe('AttachError');
    expect(rebuilt.message).toBe((original as Error).message);
    expect(rebuilt.stack).toBe((original as Error).stack);
    expect(rebuilt.fields).toEqual({ name: 'AttachError', reason: 'size' });
    expect((rebuilt as unknown as { reason: string }).reason).toBe('size');
    expect(serializeError('not an error')).toEqual({
      name: 'Error',
      message: 'not an error',
      fields: {},
    });
  });
});

describe('FixtureWorker', () => {
  it('fixtureUrl names a missing fixture and how to build it', () => {
    expect(() => fixtureUrl(import.meta.url, 'no-such-fixture')).toThrow(
      /dist\/test\/fixtures\/no-such-fixture\.js is missing: build the fixtures first/,
    );
  });

  it("rejects what is awaited with the fixture's error, rebuilt with its name and fields", async () => {
    const sab = new SharedArrayBuffer(16); // too small for a region: the worker's attach throws
    const data: AllocWorkerData = {
      sab,
      ctl: sab,
      owners: sab,
      id: 1,
      seed: 1,
      calls: 0,
      maxHeld: 0,
    };
    const w = new FixtureWorker<AllocWorkerResult>(import.meta.url, 'alloc-worker', data);
    const err = await w.next('done').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect((err as WorkerError).name).toBe('AttachError');
    expect((err as WorkerError).fields['reason']).toBe('size');
    expect(await w.exited).toBe(0);
  });

  it('serves queued messages after the exit, then rejects what can no longer come', async () => {
    const sab = new SharedArrayBuffer(64 * 3);
    const data: NotifyWorkerData = {
      sab,
      wordI32: 0,
      waitersI32: 16,
      kicksI32: 32,
      mode: 'wait',
      expected: 1, // differs from the word: returns at once
      spin: 0,
    };
    const w = new FixtureWorker<NotifyWorkerMessage>(import.meta.url, 'notify-worker', data);
    expect(await w.exited).toBe(0);
    expect(w.exitCode).toBe(0);
    expect((await w.next('result')).result).toEqual({ outcome: 'changed', word: 0 });
    await expect(w.next('result')).rejects.toThrow(/notify-worker exited \(code 0\)/);
  });
});
