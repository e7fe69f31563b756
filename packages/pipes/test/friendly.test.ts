/**
 * The friendly layer: send / sendBatch / recv / recvBatch (packets larger than
 * a buffer split with NS_MOREFRAG and reassembled), async iteration across a
 * worker, the stream adapters with backpressure, handing an end to a worker
 * with one descriptor, and zero-copy holding with extra buffers as in
 * netmap's utils/tests 004-006. Every test ends with every buffer back.
 *
 * Packets come from the seeded stream of test/fixtures/packet-stream.ts; the
 * seed is printed (PKTF_SEED reruns one). Needs the built fixtures.
 */
import { describe, expect, it } from 'vitest';
import {
  createRegion,
  NS_BUF_CHANGED,
  NS_MOREFRAG,
  OptionError,
  type Region,
} from '@pktfabric/core';
import {
  createPipe,
  openDescriptor,
  openPort,
  POLLIN,
  POLLOUT,
  type Pipe,
  type PipeEndpoint,
} from '../src/index.js';
import {
  expectConserved,
  FixtureWorker,
  markPools,
  nextTurn,
  testSeed,
  type PoolMark,
} from '@pktfabric/core/testing';
import { checkPacket, makePacket } from './fixtures/packet-stream.js';
import type { FriendlyMessage, FriendlyWorkerData } from './fixtures/protocol.js';

const seed = testSeed(import.meta.url);

const BUF_SIZE = 256;

interface Pair {
  region: Region;
  mark: PoolMark;
  pipe: Pipe;
  m: PipeEndpoint;
  s: PipeEndpoint;
}

function pair(slots = 64, extra = 0): Pair {
  const p = master(slots, extra);
  return { ...p, s: openPort(p.region, 'pipe}1', { extraBufs: extra }) };
}

/** Only the master end open here; the slave end is for a worker. */
function master(slots = 64, extra = 0): Omit<Pair, 's'> {
  const region = createRegion({ bufSize: BUF_SIZE, bufCount: 1024, memId: 31 });
  const mark = markPools(region);
  const pipe = createPipe(region, { id: 1, slots });
  const m = openPort(region, 'pipe{1', { extraBufs: extra });
  return { region, mark, pipe, m };
}

function finish(p: Pair): void {
  p.m.close();
  p.s.close();
  expect(p.pipe.release()?.problems).toBe(0);
  expectConserved(p.region, p.mark);
}

function runFriendly(data: FriendlyWorkerData): FixtureWorker<FriendlyMessage> {
  return new FixtureWorker<FriendlyMessage>(import.meta.url, 'friendly-worker', data);
}

async function done(w: FixtureWorker<FriendlyMessage>, timeoutMs = 30_000): Promise<number> {
  try {
    return (await w.next('done', timeoutMs)).count;
  } finally {
    await w.worker.terminate();
  }
}

describe('send / recv', () => {
  it('sends a packet larger than a buffer as a MOREFRAG chain and recv() reassembles it', () => {
    const p = pair();
    const big = makePacket(seed, 0);
    const len = 1000;
    const data = new Uint8Array(len).map((_, i) => (i * 7 + big[i % big.length]!) & 0xff);
    expect(p.m.send(data)).toBe(true);
    p.s.rxsync();
    const rx = p.s.rxRings[0]!;
    const frags = Math.ceil(len / BUF_SIZE);
    expect(rx.tail).toBe(frags);
    for (let k = 0; k < frags; k++) {
      expect(rx.slotFlags(k) & NS_MOREFRAG).toBe(k + 1 < frags ? NS_MOREFRAG : 0);
      expect(rx.len(k)).toBe(k + 1 < frags ? BUF_SIZE : len - (frags - 1) * BUF_SIZE);
    }
    expect(p.s.recv()).toEqual(data);
    expect(p.s.recv()).toBeNull();
    finish(p);
  });

  it('sendBatch takes what fits, in order, publishing once; recvBatch hands back views until the next release', () => {
    const p = pair(16);
    const list = Array.from({ length: 40 }, (_, i) => makePacket(seed, i));
    const kicks0 = p.s.kicks;
    let sent = 0;
    let got = 0;
    while (got < list.length) {
      const n = p.m.sendBatch(list.slice(sent));
      // What it took fits in the 15 slots the sender owns; the next packet did not.
      const slotsOf = (b: Uint8Array): number => Math.ceil(b.length / BUF_SIZE);
      const used = list.slice(sent, sent + n).reduce((a, b) => a + slotsOf(b), 0);
      expect(used).toBeLessThanOrEqual(15);
      if (sent + n < list.length) expect(used + slotsOf(list[sent + n]!)).toBeGreaterThan(15);
      sent += n;
      const batch = p.s.recvBatch(100);
      const firsts = batch.map((b) => b[0]);
      for (const b of batch) {
        expect(checkPacket(seed, got, b)).toBeNull();
        got++;
      }
      // views stay valid until released
      expect(batch.map((b) => b[0])).toEqual(firsts);
      p.s.giveBack();
    }
    expect(sent).toBe(40);
    expect(p.s.kicks).toBe(kicks0); // nobody slept, so nobody was woken
    finish(p);
  });

  it('a zero-length packet is a packet', () => {
    const p = pair();
    expect(p.m.sendBatch([new Uint8Array(0), new Uint8Array([1])])).toBe(2);
    expect(p.s.recvBatch(5).map((b) => b.length)).toEqual([0, 1]);
    finish(p);
  });

  it('a packet that can never fit (over 64 slots, or over the ring) is refused with OptionError before anything is queued', () => {
    for (const slots of [16, 128]) {
      const p = pair(slots);
      const small = new Uint8Array([9]);
      const over64 = new Uint8Array(BUF_SIZE * 64 + 1);
      const overRing = new Uint8Array(BUF_SIZE * (slots - 1) + 1);
      for (const bad of [over64, overRing]) {
        const head = p.m.txRings[0]!.head;
        expect(() => p.m.sendBatch([small, bad, small])).toThrow(OptionError);
        expect(() => p.m.send(bad)).toThrow(OptionError);
        expect(p.m.txRings[0]!.head).toBe(head); // nothing staged
      }
      expect(p.s.recvBatch(10)).toHaveLength(0);
      // The largest packet that fits goes through.
      const most = Math.min(64, slots - 1) * BUF_SIZE;
      const big = new Uint8Array(most).map((_, i) => i & 0xff);
      expect(p.m.sendBatch([big])).toBe(1);
      expect(p.s.recv()).toEqual(big);
      expect(p.s.recv()).toBeNull();
      expect(p.m.maxPacketBytes).toBe(most);
      finish(p);
    }
  });
});

describe('across a worker', () => {
  it('for await ends when the sending worker closes, after every packet it sent (handed over with descriptor())', async () => {
    const p = master(64);
    const count = 3000;
    const w = runFriendly({
      role: 'send-close',
      desc: p.m.descriptor('pipe}1'),
      seed,
      count,
    });
    let i = 0;
    for await (const pkt of p.m) {
      const bad = checkPacket(seed, i, pkt);
      if (bad !== null) expect.fail(bad);
      i++;
    }
    expect(i).toBe(count);
    expect(await done(w)).toBe(count);
    expect(p.m.peerClosed).toBe(true);
    p.m.close();
    expect(p.pipe.release()?.problems).toBe(0);
    expectConserved(p.region, p.mark);
  });

  it('a worker given only the descriptor echoes packets back', async () => {
    const region = createRegion({ bufSize: BUF_SIZE, bufCount: 1024, memId: 32 });
    const mark = markPools(region);
    const pipe = createPipe(region, { id: 4, slots: 32 });
    const m = openPort(region, 'pipe{4');
    const count = 500;
    const w = runFriendly({ role: 'echo', desc: m.descriptor('pipe}4'), seed, count });
    let sent = 0;
    let got = 0;
    while (got < count) {
      while (sent < count && sent - got < 8 && m.send(makePacket(seed, sent))) sent++;
      const pkt = m.recv();
      if (pkt === null) {
        // Wait for an answer, and for room too when a packet is waiting to go
        // (room comes back only through a txsync, which POLLOUT runs).
        const pending = sent < count && sent - got < 8;
        expect(await m.pollAsync(POLLIN | (pending ? POLLOUT : 0), 20_000)).not.toBe(0);
        continue;
      }
      const bad = checkPacket(seed, got, pkt);
      if (bad !== null) expect.fail(bad);
      got++;
    }
    expect(await done(w)).toBe(count);
    m.close();
    expect(pipe.release()?.problems).toBe(0);
    expectConserved(region, mark);
  });

  it('openDescriptor in the same thread is the same as openPort', () => {
    const p = pair();
    p.s.close();
    const s = openDescriptor(p.m.descriptor('pipe}1'));
    expect(s.name).toBe('pipe}1');
    expect(p.m.send(new Uint8Array([5]))).toBe(true);
    expect(Array.from(s.recv()!)).toEqual([5]);
    s.close();
    p.m.close();
    expect(p.pipe.release()?.problems).toBe(0);
    expectConserved(p.region, p.mark);
  });
});

describe('stream adapters', () => {
  it('a WritableStream in a worker faster than a slow ReadableStream reader: nothing lost or reordered', async () => {
    const p = master(16);
    const count = 2000;
    const w = runFriendly({ role: 'stream-writer', desc: p.m.descriptor('pipe}1'), seed, count });
    const reader = p.m.readable().getReader();
    let i = 0;
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      const bad = checkPacket(seed, i, value);
      if (bad !== null) expect.fail(bad);
      i++;
      if (i % 4 === 0) await nextTurn();
    }
    expect(i).toBe(count);
    expect(await done(w)).toBe(count);
    p.m.close();
    expect(p.pipe.release()?.problems).toBe(0);
    expectConserved(p.region, p.mark);
  });

  it('writable() and readable() in one thread with packets over several buffers: the writer waits for room instead of spinning', async () => {
    const region = createRegion({ bufSize: BUF_SIZE, bufCount: 1024, memId: 33 });
    const mark = markPools(region);
    const pipe = createPipe(region, { id: 2, slots: 16 });
    const count = 1500;
    // Packets of 60..1514 bytes take 1..6 slots of a 16-slot ring: the ring is
    // often short of room for the next one without being full.
    const w = runFriendly({
      role: 'stream-pair',
      desc: { sab: region.sab, name: 'pipe{2' },
      seed,
      count,
    });
    expect(await done(w, 20_000)).toBe(count);
    expect(pipe.release()?.problems).toBe(0);
    expectConserved(region, mark);
  });
});

describe('extra buffers: zero-copy holding (netmap utils/tests 004-006)', () => {
  it('a sender swaps its extra buffers into TX slots (NS_BUF_CHANGED) and the receiver gets exactly those buffers', () => {
    const p = pair(16, 12);
    const tx = p.m.txRings[0]!;
    const rx = p.s.rxRings[0]!;
    const { region } = p;
    expect(region.extraListLength(p.m.extraHead)).toBe(12);
    // Swap an extra buffer into each of 12 slots; the slot's old buffer joins the list.
    const swapped: number[] = [];
    for (let k = 0; k < 12; k++) {
      const e = p.m.takeExtra();
      expect(e).toBeGreaterThan(1);
      p.m.giveExtra(tx.bufIdx(k));
      tx.setBufIdx(k, e);
      tx.setSlotFlags(k, NS_BUF_CHANGED);
      swapped.push(e);
    }
    expect(region.extraListLength(p.m.extraHead)).toBe(12);
    const lens: number[] = [];
    for (let k = 0; k < 12; k++) {
      const pkt = makePacket(seed, k);
      region.u8.set(pkt.subarray(0, Math.min(pkt.length, BUF_SIZE)), tx.payloadOffset(k));
      tx.setLen(k, Math.min(pkt.length, BUF_SIZE));
      tx.setSlotFlags(k, NS_BUF_CHANGED);
      lens.push(Math.min(pkt.length, BUF_SIZE));
    }
    tx.head = tx.cur = 12;
    p.m.txsync();
    expect(tx.shadow(0)).toBe(swapped[0]);
    p.s.rxsync();
    for (let k = 0; k < 12; k++) {
      expect(rx.bufIdx(k)).toBe(swapped[k]); // zero copy: the very buffer the sender filled
      expect(rx.slotFlags(k) & NS_BUF_CHANGED).toBe(0); // the flag is the sender's business
      const want = makePacket(seed, k).subarray(0, lens[k]);
      expect(rx.payload(k)).toEqual(want);
    }
    finish(p);
  });

  it('a receiver keeps packets by swapping extra buffers into their slots, reads them after the sender reused the slots, then gives them back', () => {
    const p = pair(8, 4);
    const { region } = p;
    const rx = p.s.rxRings[0]!;
    const tx = p.m.txRings[0]!;
    const first = Array.from({ length: 7 }, (_, i) => makePacket(seed, i).subarray(0, 200));
    expect(p.m.sendBatch(first)).toBe(7);
    p.s.rxsync();
    // Hold packets 1, 3 and 6: each slot gets an extra buffer, we keep the packet's buffer.
    const held: Array<{ buf: number; len: number; want: Uint8Array }> = [];
    for (const k of [1, 3, 6]) {
      const e = p.s.takeExtra();
      held.push({ buf: rx.bufIdx(k), len: rx.len(k), want: first[k]! });
      rx.setBufIdx(k, e);
      rx.setSlotFlags(k, NS_BUF_CHANGED);
    }
    expect(region.extraListLength(p.s.extraHead)).toBe(1);
    rx.head = rx.cur = rx.tail;
    p.s.rxsync(); // release all seven
    p.m.txsync(); // the sender reclaims them, with the swapped-in buffers
    for (const [j, k] of [1, 3, 6].entries()) {
      expect(tx.bufIdx(k)).not.toBe(held[j]!.buf);
      expect(tx.shadow(k)).toBe(tx.bufIdx(k));
    }
    // The sender goes round the ring twice more, overwriting every slot's buffer.
    for (let round = 0; round < 2; round++) {
      const more = Array.from({ length: 7 }, () => new Uint8Array(200).fill(0xee));
      expect(p.m.sendBatch(more)).toBe(7);
      expect(p.s.recvBatch(10)).toHaveLength(7);
      p.s.giveBack();
      p.m.txsync();
    }
    // The held packets are intact: nobody else owned their buffers meanwhile.
    for (const h of held) {
      expect(region.bufPool.isFree(h.buf)).toBe(false);
      expect(region.buf(h.buf).subarray(0, h.len)).toEqual(h.want);
    }
    for (const h of held) p.s.giveExtra(h.buf);
    expect(region.extraListLength(p.s.extraHead)).toBe(4);
    finish(p);
  });
});
