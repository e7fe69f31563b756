/**
 * The counters in shared memory (ring-layout.ts line 2): what the syncs of a
 * pipe count for a known pattern, read with core's readPortCounters as
 * another thread would; drops by reason; that they outlast an end's close;
 * and that the pipe's destroy keeps each end's totals in the region's
 * retired-counters table, by name, across reopen cycles.
 */
import { describe, expect, it } from 'vitest';
import {
  IF_WAITERS_I32,
  ifWord,
  createRegion,
  PortTable,
  readPortCounters,
  readRetiredPort,
  readRetiredPorts,
  RETIRED_CATCH_ALL_NAME,
  RING_DROP_BAD_SLOT,
  RING_DROP_REASONS,
  SLOT_LEN_MAX,
  sumDrops,
  sumRings,
} from '@pktfabric/core';
import { HANG_GUARD_MS, waitForWord } from '@pktfabric/core/testing';
import { createPipe, END_SLAVE, endIf, openPort, POLLIN, SlotError } from '../src/index.js';

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

  it('count wake-ups: received on the sleeper’s end (kicks), sent on the waker’s, kept at retire', async () => {
    const region = createRegion({ bufSize: 256, bufCount: 128 });
    const pipe = createPipe(region, { id: 3, slots: 8 });
    const m = openPort(region, 'pipe{3');
    const s = openPort(region, 'pipe}3', { spin: 0 });
    const mIf = ifOf(region, 'pipe{3');
    const sIf = ifOf(region, 'pipe}3');
    for (let round = 1; round <= 3; round++) {
      const ready = s.pollAsync(POLLIN, HANG_GUARD_MS);
      // The receiver is announced as a sleeper before the sender publishes.
      await waitForWord(
        'the receiver to sleep',
        region.i32,
        ifWord(region, sIf, IF_WAITERS_I32),
        (v) => v > 0,
      );
      expect(m.sendBatch([new Uint8Array(16)])).toBe(1);
      expect((await ready) & POLLIN).toBe(POLLIN);
      expect(s.recvBatch(10).length).toBe(1);
      const tx = readPortCounters(region, mIf);
      const rx = readPortCounters(region, sIf);
      expect([rx.kicks, tx.wakesSent]).toEqual([round, round]);
      // Nobody woke the sender, and the receiver woke nobody (the sender never slept).
      expect([tx.kicks, rx.wakesSent]).toEqual([0, 0]);
    }
    m.close();
    s.close();
    pipe.release();
    const kept = [readRetiredPort(region, 'pipe{3')!, readRetiredPort(region, 'pipe}3')!];
    expect(kept.map((p) => [p.kicks, p.wakesSent])).toEqual([
      [0, 3],
      [3, 0],
    ]);
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

/** Sends `n` packets of `len` bytes from pipe{id to pipe}id, both opened here, and closes both. */
function cycle(region: ReturnType<typeof createRegion>, id: number, n: number, len: number): void {
  const m = openPort(region, `pipe{${id}`);
  const s = openPort(region, `pipe}${id}`);
  let got = 0;
  for (let sent = 0; sent < n;) {
    const k = Math.min(8, n - sent);
    expect(m.sendBatch(Array.from({ length: k }, () => new Uint8Array(len)))).toBe(k);
    sent += k;
    got += s.recvBatch(64).length;
  }
  expect(got).toBe(n);
  m.close();
  s.close();
}

describe('retired counters (pipes)', () => {
  it('keep both ends’ totals by name once both ends closed and the pipe went', () => {
    const region = createRegion({ bufSize: 1024, bufCount: 2100 });
    const m = openPort(region, 'pipe{4');
    const s = openPort(region, 'pipe}4');
    expect(m.sendBatch(Array.from({ length: 13 }, (_, i) => new Uint8Array(100 + i)))).toBe(13);
    expect(s.recvBatch(64).length).toBe(13);
    const bytes = 13 * 100 + (12 * 13) / 2;
    m.close();
    // One end closed: the pipe (and its counters) is still there, nothing retired.
    expect(readRetiredPorts(region).ports).toEqual([]);
    s.close();
    expect(new PortTable(region).lookup('pipe4')).toBeNull();
    const tx = readRetiredPort(region, 'pipe{4');
    const rx = readRetiredPort(region, 'pipe}4');
    expect(tx).toMatchObject({ ok: true, retires: 1, txPkts: 13, txBytes: bytes, rxPkts: 0 });
    expect(rx).toMatchObject({ ok: true, retires: 1, rxPkts: 13, rxBytes: bytes, txPkts: 0 });
    expect(tx!.drops).toEqual([0, 0, 0, 0]);
    expect([tx!.txErrors, rx!.rxErrors]).toEqual([0, 0]);
  });

  it('add up the cycles of one name: N, then M more after a reopen, is N + M', () => {
    const region = createRegion({ bufSize: 1024, bufCount: 2100 });
    cycle(region, 5, 20, 64);
    expect(readRetiredPort(region, 'pipe{5')).toMatchObject({ txPkts: 20, txBytes: 1280 });
    cycle(region, 5, 7, 1000);
    expect(readRetiredPort(region, 'pipe{5')).toMatchObject({
      retires: 2,
      txPkts: 27,
      txBytes: 1280 + 7000,
    });
    expect(readRetiredPort(region, 'pipe}5')).toMatchObject({
      retires: 2,
      rxPkts: 27,
      rxBytes: 1280 + 7000,
    });
    expect(readRetiredPorts(region).ports.map((p) => p.name)).toEqual(['pipe{5', 'pipe}5']);
  });

  it('fold pipes past the table’s capacity into the catch-all record', () => {
    const region = createRegion({ bufSize: 1024, bufCount: 2100, retiredPorts: 3 });
    for (let id = 1; id <= 4; id++) cycle(region, id, id, 10);
    const t = readRetiredPorts(region);
    // pipe{1, pipe}1 and pipe{2 have records; pipe}2 and both ends of 3 and 4 are folded.
    expect(t.ports.map((p) => [p.name, p.retires, p.txPkts, p.rxPkts])).toEqual([
      ['pipe{1', 1, 1, 0],
      ['pipe}1', 1, 0, 1],
      ['pipe{2', 1, 2, 0],
      [RETIRED_CATCH_ALL_NAME, 5, 7, 9],
    ]);
  });
});
