/**
 * The parts of core's port layer a pipe exercises that other suites do not:
 * checks 'ring' (netmap's trust model), recvBatch into a reused array,
 * sendBatch of part of a list, batches() and the per-packet iterator in one
 * thread. Every case ends with buffer conservation.
 */
import { describe, expect, it } from 'vitest';
import { createRegion, NS_BUF_CHANGED, OptionError, SlotError } from '@pktfabric/core';
import { expectConserved, markPools } from '@pktfabric/core/testing';
import { createPipe, openPort } from '../src/index.js';

function pair(checks: 'slots' | 'ring', slots = 16) {
  const region = createRegion({ bufSize: 256, bufCount: 256, memId: 51 });
  const mark = markPools(region);
  const pipe = createPipe(region, { id: 1, slots });
  const m = openPort(region, 'pipe{1', { checks, extraBufs: 2 });
  const s = openPort(region, 'pipe}1', { checks, extraBufs: 2 });
  const done = (): void => {
    m.close();
    s.close();
    expect(pipe.release()?.problems ?? 0).toBe(0);
    expectConserved(region, mark);
  };
  return { region, m, s, done };
}

const pkt = (len: number, fill: number): Uint8Array => new Uint8Array(len).fill(fill);

describe("checks: 'ring'", () => {
  it('moves packets like the default mode, and still claims buffers swapped in with NS_BUF_CHANGED', () => {
    const { m, s, done } = pair('ring');
    expect(m.sendBatch([pkt(10, 1), pkt(300, 2), pkt(20, 3)])).toBe(3);
    expect(s.recvBatch(8).map((p) => [p.length, p[0]])).toEqual([
      [10, 1],
      [300, 2],
      [20, 3],
    ]);
    // A legal swap: an extra buffer into a TX slot, the slot's buffer onto the list.
    const tx = m.txRings[0]!;
    const k = tx.head;
    const e = m.takeExtra();
    m.giveExtra(tx.bufIdx(k));
    tx.setBufIdx(k, e);
    tx.setLen(k, 4);
    tx.setSlotFlags(k, NS_BUF_CHANGED);
    tx.head = tx.cur = tx.next(k);
    m.txsync();
    const p = s.recv();
    expect(p?.byteOffset).toBe(s.region.bufOffset(e));
    // A buffer still held elsewhere is refused even here, when flagged.
    const k2 = tx.head;
    tx.setBufIdx(k2, m.extraHead);
    tx.setSlotFlags(k2, NS_BUF_CHANGED);
    tx.head = tx.cur = tx.next(k2);
    expect(() => m.txsync()).toThrow(SlotError);
    done();
  });

  it('trusts an unflagged slot (no SlotError) but recv clamps a length over the buffer', () => {
    const { m, s, done } = pair('ring');
    const tx = m.txRings[0]!;
    const k = tx.head;
    tx.setLen(k, 60000); // over bufSize 256: 'slots' would refuse it
    tx.head = tx.cur = tx.next(k);
    m.txsync();
    const p = s.recv();
    expect(p?.length).toBe(256);
    tx.setLen(k, 0);
    done();
  });

  it('an unknown checks value is an OptionError naming checks', () => {
    const region = createRegion({ bufCount: 64, memId: 52 });
    expect(() => openPort(region, 'pipe{1', { checks: 'off' as never })).toThrow(OptionError);
  });
});

describe('batches in one thread', () => {
  it('recvBatch(max, into) reuses the array; sendBatch(list, from, count) sends part of a list', () => {
    const { m, s, done } = pair('slots', 8);
    const list = [pkt(1, 1), pkt(2, 2), pkt(3, 3), pkt(4, 4), pkt(5, 5)];
    expect(m.sendBatch(list, 1, 3)).toBe(3);
    const into: Uint8Array[] = [pkt(9, 9)];
    const got = s.recvBatch(2, into);
    expect(got).toBe(into);
    expect(got.map((p) => p.length)).toEqual([2, 3]);
    expect(s.recvBatch(8, into).map((p) => p.length)).toEqual([4]);
    s.giveBack(); // the ring is all the sender's again
    // A ring of 8 slots holds 7: the rest is left for later, counted from `from`.
    const many = Array.from({ length: 12 }, (_, i) => pkt(8, i));
    const sent = m.sendBatch(many);
    expect(sent).toBe(7);
    expect(s.recvBatch(16).length).toBe(7);
    s.giveBack();
    expect(m.sendBatch(many, sent)).toBe(5);
    expect(s.recvBatch(16).map((p) => p[0])).toEqual([7, 8, 9, 10, 11]);
    expect(() => m.sendBatch(many, 13)).toThrow(OptionError);
    expect(() => m.sendBatch(many, 2, 11)).toThrow(OptionError);
    done();
  });

  it('batches() and the per-packet iterator end when the sender has closed and all was read', async () => {
    const { m, s, done } = pair('slots', 32);
    expect(m.sendBatch(Array.from({ length: 20 }, (_, i) => pkt(16, i)))).toBe(20);
    const it = s.batches(8);
    const first = await it.next();
    expect(first.done).toBe(false);
    expect(first.value!.map((p: Uint8Array) => p[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await it.return!();
    const seen: number[] = [];
    m.close();
    for await (const p of s) seen.push(p[0]!);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => 8 + i));
    done();
  });
});

describe('Region.detach', () => {
  it('gives the owner id back only when this thread has nothing open', () => {
    const region = createRegion({ bufCount: 64, owners: 2, memId: 53 });
    const pipe = createPipe(region, { id: 1, slots: 8 });
    const m = openPort(region, 'pipe{1');
    const id = region.ownerId;
    expect(region.owners.inUse()).toBe(1);
    expect(region.detach()).toBe(false); // pipe{1 is open under this id
    m.close();
    expect(region.detach()).toBe(true);
    expect(region.owners.inUse()).toBe(0);
    expect(region.detach()).toBe(false); // nothing left to give back
    expect(region.ownerId).toBe(id); // claimed again on next use
    pipe.release();
  });
});
