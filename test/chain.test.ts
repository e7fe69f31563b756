import { describe, expect, it } from 'vitest';
import { createRegion } from '@pktfabric/core';
import { FixtureWorker } from '@pktfabric/core/testing';
import { createPipe, watchWorker } from '@pktfabric/pipes';
import type { ChainMessage, Job } from './fixtures/chain-worker.js';

/** One stage of the chain: the built fixtures/chain-worker.js on `job`. */
function run(sab: SharedArrayBuffer, job: Omit<Job, 'sab'>): FixtureWorker<ChainMessage> {
  return new FixtureWorker<ChainMessage>(import.meta.url, 'chain-worker', { sab, ...job });
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
    watchWorker(region, gen.worker);
    watchWorker(region, sink.worker);
    // The creator's references go once every end is open; the pipes then live until the last close.
    await Promise.all([gen.next('ready'), bridge.next('ready'), sink.next('ready')]);
    a.release();
    b.release();
    const [g, br, s] = await Promise.all([
      gen.next('done'),
      bridge.next('done'),
      sink.next('done'),
    ]);
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
