import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createRegion } from '@pktfabric/core';
import { createPipe, watchWorker } from '@pktfabric/pipes';

interface Report {
  role: string;
  packets: number;
  errors: number;
  swaps: number;
}

function run(
  sab: SharedArrayBuffer,
  job: object,
): { worker: Worker; ready: Promise<void>; done: Promise<Report>; exited: Promise<number> } {
  const worker = new Worker(new URL('./dist/fixtures/chain-worker.js', import.meta.url), {
    workerData: { sab, ...job },
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  let opened!: () => void;
  const ready = new Promise<void>((resolve) => (opened = resolve));
  const done = new Promise<Report>((resolve, reject) => {
    worker.on('message', (m: Report & { ready?: boolean }) => {
      if (m.ready === true) opened();
      else resolve(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}`));
    });
  });
  return { worker, ready, done, exited };
}

describe('zero-copy chain gen -> bridge -> sink over two pipes in one region', () => {
  it('moves every packet in order by swapping buffers, and returns every buffer', async () => {
    const region = createRegion({ bufCount: 8192, memId: 3 });
    const free0 = region.bufPool.countFree();
    const a = createPipe(region, { id: 1, slots: 512 });
    const b = createPipe(region, { id: 2, slots: 512 });
    const count = Number(process.env.CHAIN_COUNT ?? 1_000_000);
    const gen = run(region.sab, { role: 'gen', output: 'pipe{1', count, burst: 256 });
    const bridge = run(region.sab, {
      role: 'bridge',
      input: 'pipe}1',
      output: 'pipe{2',
      count,
      burst: 256,
    });
    const sink = run(region.sab, { role: 'sink', input: 'pipe}2', count, burst: 256 });
    watchWorker(region, 'pipe{1', gen.worker);
    watchWorker(region, 'pipe}2', sink.worker);
    // The creator's references go once every end is open; the pipes then live until the last close.
    await Promise.all([gen.ready, bridge.ready, sink.ready]);
    a.release();
    b.release();
    const [g, br, s] = await Promise.all([gen.done, bridge.done, sink.done]);
    expect(await Promise.all([gen.exited, bridge.exited, sink.exited])).toEqual([0, 0, 0]);
    expect(g.packets).toBe(count);
    expect(br.swaps).toBe(count);
    expect(s.packets).toBe(count);
    expect(s.errors).toBe(0);
    // every buffer back exactly once: the bitmap, the counter, and no double free recorded
    expect(region.bufPool.countFree()).toBe(free0);
    expect(region.counters('buf').free).toBe(free0);
    expect(region.counters('buf').doubleFrees).toBe(0);
    expect(region.ringPool.countFree()).toBe(region.ringCount - 1);
  });
});
