/**
 * Test-side helpers: the seed, starting worker fixtures (built to
 * dist/test/fixtures, since workers cannot load .ts on Node 20) and reading
 * their results, and the buffer-conservation check every test ends with.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect } from 'vitest';
import { PortTable, type PoolCounters, type Region } from '@pktfabric/core';
import type { ErrorMessage, SerializedError } from './fixtures/protocol.js';

/** The run's seed: PKTF_SEED when set, else a random one. Print it with `announceSeed`. */
export function testSeed(): number {
  const env = process.env['PKTF_SEED'];
  return env !== undefined && env !== ''
    ? Number(env) >>> 0
    : crypto.getRandomValues(new Uint32Array(1))[0]!;
}

export function fixtureUrl(name: string): URL {
  const url = new URL(`../dist/test/fixtures/${name}.js`, import.meta.url);
  if (!existsSync(fileURLToPath(url)))
    throw new Error(
      `${fileURLToPath(url)} is missing: build the fixtures first (npx tsc -p tsconfig.build.json in packages/pipes)`,
    );
  return url;
}

/** An error rebuilt from a worker's message, with its original name and fields. */
export class WorkerError extends Error {
  readonly fields: Record<string, unknown>;
  constructor(e: SerializedError) {
    super(e.message);
    this.name = e.name;
    this.fields = e.fields;
    if (e.stack !== undefined) this.stack = e.stack;
  }
}

/**
 * A worker started on a fixture, with its messages collected. `next(type)`
 * resolves with the next message of that type; an error message, an 'error'
 * event or an unexpected exit rejects every pending and later `next`.
 */
export class FixtureWorker<M extends { type: string }> {
  readonly worker: Worker;
  readonly exited: Promise<number>;
  private readonly queue: M[] = [];
  private readonly waiters: Array<{
    type: string;
    resolve: (m: M) => void;
    reject: (e: Error) => void;
  }> = [];
  private failure: Error | null = null;
  /** Set when an 'error' event (an uncaught throw in the worker) was seen. */
  uncaught: Error | null = null;

  constructor(name: string, data: unknown, opts: { expectUncaught?: boolean } = {}) {
    this.worker = new Worker(fixtureUrl(name), { workerData: data });
    this.worker.on('message', (m: M | ErrorMessage) => {
      if (m.type === 'error') this.fail(new WorkerError((m as ErrorMessage).error));
      else this.push(m as M);
    });
    this.worker.on('error', (e) => {
      this.uncaught = e;
      if (opts.expectUncaught !== true) this.fail(e);
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', resolve));
    void this.exited.then((code) => {
      this.fail(new Error(`worker ${name} exited (code ${code}) while a message was awaited`));
    });
  }

  next<T extends M['type']>(type: T, timeoutMs = 60_000): Promise<Extract<M, { type: T }>> {
    const k = this.queue.findIndex((m) => m.type === type);
    if (k >= 0) return Promise.resolve(this.queue.splice(k, 1)[0] as Extract<M, { type: T }>);
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no '${type}' message from the worker in ${timeoutMs} ms (hang)`)),
        timeoutMs,
      );
      this.waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<M, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  post(m: unknown): void {
    this.worker.postMessage(m);
  }

  private push(m: M): void {
    const k = this.waiters.findIndex((w) => w.type === m.type);
    if (k >= 0) this.waiters.splice(k, 1)[0]!.resolve(m);
    else this.queue.push(m);
  }

  private fail(e: Error): void {
    if (this.failure === null) this.failure = e;
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
  }
}

/** The allocator state a test starts from, to compare with at the end. */
export interface PoolMark {
  bufFree: number;
  ringFree: number;
  ifFree: number;
  buf: PoolCounters;
}

export function markPools(region: Region): PoolMark {
  return {
    bufFree: region.bufPool.countFree(),
    ringFree: region.ringPool.countFree(),
    ifFree: region.ifPool.countFree(),
    buf: region.counters('buf'),
  };
}

/**
 * Every buffer, ring and if object is back exactly once: the bitmap count
 * equals the start, the cached FREE counter agrees with the bitmap, as many
 * buffers were freed as allocated since the mark, no double free or bad index
 * was ever seen, and the port-name table holds no pipe.
 */
export function expectConserved(region: Region, mark: PoolMark): void {
  const c = region.counters('buf');
  expect(region.bufPool.countFree()).toBe(mark.bufFree);
  expect(c.free).toBe(mark.bufFree);
  expect(c.allocs - mark.buf.allocs).toBe(c.frees - mark.buf.frees);
  expect(c.doubleFrees).toBe(0);
  expect(c.badIndex).toBe(0);
  expect(region.ringPool.countFree()).toBe(mark.ringFree);
  expect(region.ifPool.countFree()).toBe(mark.ifFree);
  expect(new PortTable(region).list()).toEqual([]);
}
