/**
 * Stress test with real workers: 3 workers allocate and free buffers of one
 * small region concurrently (single, bulk and extra-list calls; >= 10^6 calls
 * in total; the pool runs dry often). Each worker checks it never receives an
 * index it already holds, and claims a per-buffer ownership word with Atomics
 * so that two workers holding one buffer at once is caught. At the end every
 * buffer is free exactly once.
 *
 * Needs the built fixture: `npx tsc -p tsconfig.build.json` first.
 */
import { describe, expect, it } from 'vitest';
import { createRegion } from '../src/index.js';
import { FixtureWorker, testSeed, waitForWord } from '../testing/index.js';
import {
  CTL_GO,
  CTL_READY,
  CTL_WORDS,
  type AllocWorkerData,
  type AllocWorkerResult,
} from './fixtures/alloc-protocol.js';

const WORKERS = 3;
const TOTAL_CALLS = 1_050_000;
const BUF_COUNT = 2048;

const seed = testSeed(import.meta.url);

describe('allocator under concurrent workers', () => {
  it(`${WORKERS} workers, >= 10^6 alloc/free calls: no buffer held twice, every buffer free once at the end`, async () => {
    const region = createRegion({
      bufSize: 64,
      bufCount: BUF_COUNT,
      ringCount: 2,
      ifCount: 2,
      memId: 3,
    });
    const ctlSab = new SharedArrayBuffer(CTL_WORDS * 4);
    const ownersSab = new SharedArrayBuffer(BUF_COUNT * 4);
    const ctl = new Int32Array(ctlSab);
    const usable = BUF_COUNT - 2;

    const workers: FixtureWorker<AllocWorkerResult>[] = [];
    for (let id = 1; id <= WORKERS; id++) {
      const data: AllocWorkerData = {
        sab: region.sab,
        ctl: ctlSab,
        owners: ownersSab,
        id,
        seed: (seed + id * 0x9e3779b9) >>> 0,
        calls: Math.ceil(TOTAL_CALLS / WORKERS),
        // Together the workers want more than the pool has: it runs dry.
        maxHeld: 1024,
      };
      workers.push(new FixtureWorker<AllocWorkerResult>(import.meta.url, 'alloc-worker', data));
    }
    // Each one's 'done' message, once it has exited with code 0.
    const results = workers.map((w) => w.result('done'));
    try {
      // Start them together so that they really overlap.
      await Promise.race([
        waitForWord('every worker ready', ctl, CTL_READY, (v) => v >= WORKERS),
        Promise.all(results),
      ]);
      Atomics.store(ctl, CTL_GO, 1);
      Atomics.notify(ctl, CTL_GO);
      const res = await Promise.all(results);

      const sum = (k: keyof AllocWorkerResult): number =>
        res.reduce((s, r) => s + (r[k] as number), 0);
      const problems = res.flatMap((r) => r.problems);
      console.log(
        `alloc.stress: ${sum('calls')} calls (${sum('singleCalls')} single, ${sum('bulkCalls')} bulk, ` +
          `${sum('listCalls')} list), ${sum('allocated')} buffers moved, ${sum('short')} short allocs`,
      );
      expect(problems).toEqual([]);
      expect(sum('localDupes')).toBe(0);
      expect(sum('collisions')).toBe(0);
      expect(sum('calls')).toBeGreaterThanOrEqual(1_000_000);
      // The mix really happened, and the pool really ran dry under contention.
      expect(sum('singleCalls')).toBeGreaterThan(100_000);
      expect(sum('bulkCalls')).toBeGreaterThan(100_000);
      expect(sum('listCalls')).toBeGreaterThan(10_000);
      expect(sum('short')).toBeGreaterThan(0);
      expect(sum('allocated')).toBe(sum('freed'));

      // Every buffer is free exactly once.
      const c = region.counters('buf');
      expect(region.bufPool.countFree()).toBe(usable);
      expect(c.free).toBe(usable);
      expect(c.allocs).toBe(c.frees);
      expect(c.allocs).toBe(sum('allocated'));
      expect(c.doubleFrees).toBe(0);
      expect(c.badIndex).toBe(0);
      const notFree: number[] = [];
      for (let i = 2; i < BUF_COUNT; i++) if (!region.bufPool.isFree(i)) notFree.push(i);
      expect(notFree).toEqual([]);
      expect([region.bufPool.isFree(0), region.bufPool.isFree(1)]).toEqual([false, false]);
      expect(new Int32Array(ownersSab).every((o) => o === 0)).toBe(true);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });
});
