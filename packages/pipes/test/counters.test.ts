/**
 * The counters in shared memory (ring-layout.ts line 2): what the syncs of a
 * pipe count for a known pattern, read with core's readPortCounters as
 * another thread would; drops by reason; and that they outlast an end's close.
 */
import { describe, expect, it } from 'vitest';
import {
  createRegion,
  PortTable,
  readPortCounters,
  RING_DROP_BAD_SLOT,
  RING_DROP_REASONS,
  SLOT_LEN_MAX,
  sumDrops,
  sumRings,
} from '@pktfabric/core';
import { createPipe, END_SLAVE, endIf, openPort, SlotError } from '../src/index.js';

/** If index of an end, from the port-name table (the master) and its IF_PEER_IF (the slave). */
function ifOf(region: ReturnType<typeof createRegion>, name: string): number {
  const id = Number(name.slice(5));
  const e = new PortTable(region).lookup(`pipe${id}`);
  if (e === null) throw new Error(`no pipe ${id}`);
  return name[4] === '{' ? e.ifIndex : endIf(region, e.ifIndex, END_SLAVE);
}

describe('port counters', () => {
  it('count packets and bytes on both sides, occupancy, and survive a close', () => {
    const region = createRegion({ bufSize: 2048, bufCount: 256 });
    const pipe = createPipe(region, { id: 1, slots: 32 });
    const m = openPort(region, 'pipe{1');
    const s = openPort(region, 'pipe}1');
    const lens = [60, 61, 1514, 200, 64];
    let total = 0;
    for (let round = 0; round < 10; round++) {
      const batch = lens.map((l) => new Uint8Array(l + round));
      for (const b of batch) total += b.length;
      expect(m.sendBatch(batch)).toBe(batch.length);
      if (round % 2 === 1) expect(s.recvBatch(100).length).toBe(10);
    }
    // 50 sent, 50 received; the last batch is still held by the receiver
    // until its next sync gives it back.
    const tx = readPortCounters(region, ifOf(region, 'pipe{1'));
    const rx = readPortCounters(region, ifOf(region, 'pipe}1'));
    expect(tx.ok && rx.ok).toBe(true);
    expect([sumRings(tx, 'tx', 'pkts'), sumRings(tx, 'tx', 'bytes')]).toEqual([50, total]);
    expect([sumRings(rx, 'rx', 'pkts'), sumRings(rx, 'rx', 'bytes')]).toEqual([50, total]);
    expect(sumRings(rx, 'rx', 'occupancy')).toBe(10);
    expect(sumDrops(rx)).toEqual(new Array(RING_DROP_REASONS).fill(0));
    expect(rx.rings.map((r) => r.errors)).toEqual(rx.rings.map(() => 0));
    // The counters stay in the ring object after the sender closes.
    const txIf = ifOf(region, 'pipe{1');
    m.close();
    expect(sumRings(readPortCounters(region, txIf), 'tx', 'bytes')).toBe(total);
    s.close();
    pipe.release();
  });

  it('count a slot the peer spoiled as a drop (bad-slot) and a sync error', () => {
    const region = createRegion({ bufSize: 256, bufCount: 128 });
    const pipe = createPipe(region, { id: 2, slots: 8 });
    const m = openPort(region, 'pipe{2');
    const s = openPort(region, 'pipe}2');
    expect(m.sendBatch([new Uint8Array(10), new Uint8Array(20), new Uint8Array(30)])).toBe(3);
    // The sender rewrites a published slot's len past the buffer.
    const v = m.txRings[0]!;
    region.u32[v.lenFlagsBase + 1] = (region.u32[v.lenFlagsBase + 1]! & ~SLOT_LEN_MAX) | 300;
    expect(() => s.rxsync()).toThrow(SlotError);
    const rx = readPortCounters(region, ifOf(region, 'pipe}2'));
    const drops = sumDrops(rx);
    expect(drops[RING_DROP_BAD_SLOT]).toBe(1);
    expect(drops.reduce((a, b) => a + b)).toBe(1);
    expect(sumRings(rx, 'rx', 'errors')).toBe(1);
    // Slots handed on: 3; bytes: the two good ones only.
    expect([sumRings(rx, 'rx', 'pkts'), sumRings(rx, 'rx', 'bytes')]).toEqual([3, 40]);
    m.close();
    s.close();
    pipe.release();
  });

  it('reports garbage in an if object as not ok, without following it', () => {
    const region = createRegion({ bufSize: 256, bufCount: 64 });
    expect(readPortCounters(region, 0).ok).toBe(false);
    expect(readPortCounters(region, 1e9).ok).toBe(false);
    const pipe = createPipe(region, { id: 3, slots: 8 });
    const i = ifOf(region, 'pipe{3');
    expect(readPortCounters(region, i).ok).toBe(true);
    // A ring-table entry pointing into the buffer pool.
    const w = (region.ifOffset(i) >>> 2) + 80;
    const saved = region.i32[w]!;
    region.i32[w] = region.bufBase;
    expect(readPortCounters(region, i).ok).toBe(false);
    region.i32[w] = saved;
    pipe.release();
  });
});
