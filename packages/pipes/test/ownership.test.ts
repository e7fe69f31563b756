/**
 * A buffer is in exactly one place at a time: one ring slot, one extra-buffer
 * list, or the free pool. These cases are bugs a user's ring code can make
 * (tried as a hostile user would); each must become a typed error before any
 * ring's buffer changes hands, and nothing may leak or be freed twice. A
 * legal zero-copy swap between two pipes of one region moves ownership.
 *
 * Every case ends with the conservation check: after everything closes, the
 * pools hold exactly what they held before, with no double free.
 */
import { describe, expect, it } from 'vitest';
import { createRegion, NS_BUF_CHANGED, OptionError, type Region } from '@pktfabric/core';
import { expectConserved, markPools, type PoolMark } from '@pktfabric/core/testing';
import {
  createPipe,
  openDescriptor,
  openPort,
  SlotError,
  type Pipe,
  type PipeEndpoint,
} from '../src/index.js';

interface Two {
  region: Region;
  mark: PoolMark;
  pipes: Pipe[];
  /** Pipe 1. */
  m1: PipeEndpoint;
  s1: PipeEndpoint;
  /** Pipe 2, same region. */
  m2: PipeEndpoint;
  s2: PipeEndpoint;
}

function two(): Two {
  const region = createRegion({ bufSize: 256, bufCount: 256, memId: 31 });
  const mark = markPools(region);
  const pipes = [
    createPipe(region, { id: 1, slots: 16 }),
    createPipe(region, { id: 2, slots: 16 }),
  ];
  return {
    region,
    mark,
    pipes,
    m1: openPort(region, 'pipe{1'),
    s1: openPort(region, 'pipe}1'),
    m2: openPort(region, 'pipe{2'),
    s2: openPort(region, 'pipe}2'),
  };
}

function closeAll(w: Two): void {
  for (const e of [w.m1, w.s1, w.m2, w.s2]) e.close();
  for (const p of w.pipes) expect(p.release()?.problems ?? 0).toBe(0);
  expectConserved(w.region, w.mark);
}

/** Writes one packet of `len` bytes of `fill` at the TX ring's head and moves head/cur past it. */
function put(ep: PipeEndpoint, len: number, fill: number): number {
  const tx = ep.txRings[0]!;
  const k = tx.head;
  ep.region.u8.fill(fill, tx.payloadOffset(k), tx.payloadOffset(k) + len);
  tx.setLen(k, len);
  tx.head = tx.cur = tx.next(k);
  return k;
}

describe('a buffer is in exactly one place at a time', () => {
  it('txsync refuses a slot naming a buffer that another ring holds (SlotError); nothing changes hands', () => {
    const w = two();
    const tx1 = w.m1.txRings[0]!;
    const tx2 = w.m2.txRings[0]!;
    const foreign = tx2.bufIdx(3); // in pipe 2's TX slot 3, allocated, not ours
    const k = put(w.m1, 60, 0xaa);
    const own = tx1.bufIdx(k);
    tx1.setBufIdx(k, foreign);
    const e = (() => {
      try {
        w.m1.txsync();
        return null;
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(SlotError);
    expect((e as SlotError).field).toBe('bufIdx');
    expect((e as SlotError).value).toBe(foreign);
    // The slot got its own buffer back, pipe 2 still holds its buffer, nothing was published.
    expect(tx1.bufIdx(k)).toBe(own);
    expect(tx2.bufIdx(3)).toBe(foreign);
    w.s1.rxsync();
    expect(w.s1.rxRings[0]!.space()).toBe(0);
    // Both pipes still carry packets.
    expect(w.m1.send(new Uint8Array(10).fill(1))).toBe(true);
    expect(w.s1.recv()?.length).toBe(10);
    closeAll(w);
  });

  it('txsync refuses a buffer that is free, and one on an extra list', () => {
    const region = createRegion({ bufSize: 256, bufCount: 256, memId: 32 });
    const mark = markPools(region);
    const pipe = createPipe(region, { id: 1, slots: 16 });
    const m = openPort(region, 'pipe{1', { extraBufs: 2 });
    const s = openPort(region, 'pipe}1');
    const tx = m.txRings[0]!;
    const free = region.allocBuf();
    region.freeBuf(free);
    for (const [bi, why] of [
      [free, /free/],
      [m.extraHead, /elsewhere/],
    ] as const) {
      const k = put(m, 20, 1);
      tx.setBufIdx(k, bi);
      expect(() => m.txsync()).toThrow(SlotError);
      expect(() => {
        tx.setBufIdx(k, bi);
        tx.head = tx.cur = tx.next(k);
        m.txsync();
      }).toThrow(why);
    }
    expect(m.extraCount).toBe(2);
    m.close();
    s.close();
    expect(pipe.release()?.problems).toBe(0);
    expectConserved(region, mark);
  });

  it("the receiver's release refuses a buffer the peer wrote into a slot the receiver holds; no leak, no buffer in two rings", () => {
    const w = two();
    const tx = w.m1.txRings[0]!;
    const rx = w.s1.rxRings[0]!;
    const k = put(w.m1, 60, 0x11);
    w.m1.txsync();
    w.s1.rxsync(); // the receiver now holds slot k
    expect(rx.space()).toBe(1);
    const mine = rx.bufIdx(k);
    // The sender (a bug in its ring code) writes a buffer it still holds in
    // another slot into the receiver's slot, flagged as swapped.
    const z = tx.bufIdx(tx.next(k));
    tx.setBufIdx(k, z);
    tx.setSlotFlags(k, NS_BUF_CHANGED);
    rx.head = rx.cur = rx.next(k);
    let e: unknown = null;
    try {
      w.s1.rxsync();
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(SlotError);
    expect((e as SlotError).field).toBe('bufIdx');
    expect((e as SlotError).value).toBe(z);
    // The slot is back on the receiver's own buffer; z is only in the sender's slot.
    expect(rx.bufIdx(k)).toBe(mine);
    expect(tx.bufIdx(tx.next(k))).toBe(z);
    // Released anyway: the sender gets the slot back and the pipe keeps working.
    w.m1.txsync();
    expect(w.m1.send(new Uint8Array(5).fill(2))).toBe(true);
    expect(w.s1.recv()?.[0]).toBe(2);
    closeAll(w);
  });

  it('recv hands out the buffer and length rxsync validated, not what the slot says now', () => {
    const w = two();
    const tx = w.m1.txRings[0]!;
    const k = put(w.m1, 60, 0x5a);
    const mine = tx.bufIdx(k);
    w.m1.txsync();
    w.s1.rxsync(); // imported and validated: buffer `mine`, len 60
    // The sender rewrites the published slot: another pipe's buffer, and a
    // length that would run over ten buffers.
    tx.setBufIdx(k, w.m2.txRings[0]!.bufIdx(0));
    tx.setLen(k, 65535);
    const p = w.s1.recv();
    expect(p).not.toBeNull();
    expect(p!.length).toBe(60);
    expect(p!.byteOffset).toBe(w.region.bufOffset(mine));
    expect([...p!].every((b) => b === 0x5a)).toBe(true);
    // Giving the slot back finds the rewritten slot and repairs it (no buffer changes hands).
    tx.setBufIdx(k, mine);
    tx.setLen(k, 0);
    w.s1.giveBack();
    closeAll(w);
  });

  it('the same holds for recvBatch, batches() and a multi-slot packet', async () => {
    const w = two();
    const tx = w.m1.txRings[0]!;
    const big = new Uint8Array(600).fill(7); // 3 slots of 256
    expect(w.m1.sendBatch([new Uint8Array(30).fill(9), big])).toBe(2);
    w.s1.rxsync();
    // rewrite every published slot's len after the import
    for (let k = 0; k < 4; k++) tx.setLen(k, 9999);
    const got = w.s1.recvBatch(8);
    expect(got.map((p) => p.length)).toEqual([30, 600]);
    expect(got[1]!.every((b) => b === 7)).toBe(true);
    for (let k = 0; k < 4; k++) tx.setLen(k, 0);
    w.m1.close();
    const it = w.s1.batches(8);
    expect((await it.next()).done).toBe(true);
    closeAll(w);
  });

  it('a zero-copy swap between two pipes of one region moves ownership, in either sync order', () => {
    for (const order of ['tx-first', 'rx-first'] as const) {
      const w = two();
      // pipe 1 delivers a packet to s1; s1 forwards it into pipe 2 by swapping buffers (a bridge)
      const k = put(w.m1, 40, 0x77);
      w.m1.txsync();
      w.s1.rxsync();
      const rx = w.s1.rxRings[0]!;
      const tx = w.m2.txRings[0]!;
      const j = tx.head;
      const a = rx.bufIdx(k);
      const b = tx.bufIdx(j);
      tx.setBufIdx(j, a);
      tx.setLen(j, 40);
      tx.setSlotFlags(j, NS_BUF_CHANGED);
      rx.setBufIdx(k, b);
      rx.setSlotFlags(k, NS_BUF_CHANGED);
      tx.head = tx.cur = tx.next(j);
      rx.head = rx.cur = rx.next(k);
      if (order === 'tx-first') {
        w.m2.txsync();
        w.s1.rxsync();
      } else {
        w.s1.rxsync();
        w.m2.txsync();
      }
      const p = w.s2.recv();
      expect(p?.length).toBe(40);
      expect(p!.byteOffset).toBe(w.region.bufOffset(a));
      expect(p!.every((x) => x === 0x77)).toBe(true);
      // The old buffer went back to pipe 1's sender.
      w.m1.txsync();
      expect(w.m1.txRings[0]!.bufIdx(k)).toBe(b);
      closeAll(w);
    }
  });

  it('a buffer swapped away is refused if it is put back while the other ring holds it', () => {
    const w = two();
    const rx = w.s1.rxRings[0]!;
    const tx = w.m2.txRings[0]!;
    const k = put(w.m1, 40, 1);
    w.m1.txsync();
    w.s1.rxsync();
    const a = rx.bufIdx(k);
    const j = tx.head;
    const b = tx.bufIdx(j);
    tx.setBufIdx(j, a);
    tx.setLen(j, 40);
    tx.head = tx.cur = tx.next(j);
    rx.setBufIdx(k, b);
    rx.setSlotFlags(k, NS_BUF_CHANGED);
    w.m2.txsync(); // a now belongs to pipe 2 (in flight to s2)
    rx.setBufIdx(k, a); // and the bug: a is put back into the receiver's slot
    rx.setSlotFlags(k, NS_BUF_CHANGED);
    rx.head = rx.cur = rx.next(k);
    expect(() => w.s1.rxsync()).toThrow(SlotError);
    expect(rx.bufIdx(k)).not.toBe(a);
    expect(w.s2.recv()?.byteOffset).toBe(w.region.bufOffset(a));
    closeAll(w);
  });

  it('giveExtra refuses a buffer another ring holds', () => {
    const region = createRegion({ bufSize: 256, bufCount: 256, memId: 33 });
    const mark = markPools(region);
    const pipes = [
      createPipe(region, { id: 1, slots: 16 }),
      createPipe(region, { id: 2, slots: 16 }),
    ];
    const m = openPort(region, 'pipe{1');
    const m2 = openPort(region, 'pipe{2');
    const foreign = m2.txRings[0]!.bufIdx(0);
    expect(() => m.giveExtra(foreign)).toThrow(OptionError);
    expect(m.extraCount).toBe(0);
    m.close();
    m2.close();
    for (const p of pipes) p.release();
    expectConserved(region, mark);
  });
});

describe('bad arguments are typed errors naming the parameter', () => {
  const region = createRegion({ bufCount: 64, memId: 34 });
  const cases: Array<[string, () => unknown, string]> = [
    ['createPipe(region.sab)', () => createPipe(region.sab as never), 'region'],
    ['createPipe(undefined)', () => createPipe(undefined as never), 'region'],
    ["openPort(region.sab, 'pipe{1')", () => openPort(region.sab as never, 'pipe{1'), 'region'],
    ["openPort(region, 'pipe{1', null)", () => openPort(region, 'pipe{1', null as never), 'opts'],
    ['openPort(region, 7)', () => openPort(region, 7 as never), 'name'],
    [
      "openPort(region, 'pipe{1', { checks: 'none' })",
      () => openPort(region, 'pipe{1', { checks: 'none' as never }),
      'checks',
    ],
    ['openDescriptor(null)', () => openDescriptor(null as never), 'desc'],
  ];
  for (const [what, run, option] of cases) {
    it(`${what}: OptionError('${option}'), nothing created`, () => {
      const before = region.ifPool.countFree();
      let e: unknown = null;
      try {
        run();
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(OptionError);
      expect((e as OptionError).option).toBe(option);
      expect(region.ifPool.countFree()).toBe(before);
    });
  }
});

describe('a bad ring number', () => {
  it('txsync(5) / rxsync(1.5) on a one-ring port: OptionError naming ring', () => {
    const region = createRegion({ bufCount: 64, memId: 35 });
    const pipe = createPipe(region, { id: 1, slots: 8 });
    const m = openPort(region, 'pipe{1');
    for (const run of [() => m.txsync(5), () => m.rxsync(1.5), () => m.txsync(1)]) {
      let e: unknown = null;
      try {
        run();
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(OptionError);
      expect((e as OptionError).option).toBe('ring');
    }
    m.close();
    expect(pipe.release()?.problems).toBe(0);
  });
});
