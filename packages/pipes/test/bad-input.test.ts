/**
 * Garbage from the user or from a buggy peer, detected at the next sync with
 * a typed error; and bad options to createPipe / openPort.
 *
 * Every sync case snapshots the whole region just before the failing sync and
 * diffs it just after: only the words the documented recovery may touch
 * (this ring's head/cur, the bad slot, and for a receiver the words its
 * import/release moves) may differ, so no other ring, no other pipe and no
 * allocator state (bitmaps, counters) was changed. Then the pipe must still
 * carry a packet, and closing everything must return every buffer exactly
 * once.
 */
import { describe, expect, it } from 'vitest';
import {
  BusyError,
  createRegion,
  ExhaustedError,
  MAX_FRAGS,
  NS_BUF_CHANGED,
  NS_MOREFRAG,
  OptionError,
  PortNameError,
  PortTable,
  RING_CUR_I32,
  RING_ERRORS_I32,
  RING_HEAD_I32,
  RING_HWCUR_I32,
  RING_HWTAIL_I32,
  RING_PIPE_TAIL_I32,
  RING_PKTS_F64_BYTE,
  RING_TAIL_I32,
  ringBytes,
  type Region,
  type RingView,
} from '@pktfabric/core';
import {
  createPipe,
  maxRingsFor,
  openPort,
  PeerCorruptError,
  POLLERR,
  POLLIN,
  RingStateError,
  SlotError,
  type Pipe,
  type PipeEndpoint,
} from '../src/index.js';
import { expectConserved, markPools, type PoolMark } from '@pktfabric/core/testing';

const BUF_SIZE = 256;
const SLOTS = 128;
const MAX_OFFSET = 64;

interface World {
  region: Region;
  mark: PoolMark;
  pipes: Pipe[];
  /** Pipe 1, the one under test: master sends to slave. */
  m: PipeEndpoint;
  s: PipeEndpoint;
  /** Pipe 2 in the same region, with a packet in flight, must not change. */
  m2: PipeEndpoint;
  s2: PipeEndpoint;
}

function bytes(len: number, fill: number): Uint8Array {
  return new Uint8Array(len).fill(fill);
}

/**
 * Pipe 1 with history: 3 packets sent, received and released, then 3 more in
 * flight that the slave imported but still owns (so both rings own only part
 * of the ring and hwcur != 0). Pipe 2 has one packet in flight.
 */
function world(): World {
  const region = createRegion({ bufSize: BUF_SIZE, bufCount: 1024, memId: 21 });
  const mark = markPools(region);
  const pipes = [
    createPipe(region, { id: 1, slots: SLOTS, maxOffset: MAX_OFFSET }),
    createPipe(region, { id: 2, slots: 16 }),
  ];
  const m = openPort(region, 'pipe{1', { extraBufs: 4 });
  const s = openPort(region, 'pipe}1', { extraBufs: 4 });
  // The counters of pipe 1's rings: ERRORS, and PKTS/BYTES/DROPS (line 2, up to its end).
  errorWords = [...m.txRings, ...m.rxRings, ...s.txRings, ...s.rxRings].flatMap((v) => [
    ringWord(v, RING_ERRORS_I32),
    ...Array.from({ length: 48 - RING_PKTS_F64_BYTE / 4 }, (_, i) =>
      ringWord(v, RING_PKTS_F64_BYTE / 4 + i),
    ),
  ]);
  const m2 = openPort(region, 'pipe{2');
  const s2 = openPort(region, 'pipe}2');
  for (const p of pipes) p.release();
  expect(m.sendBatch([bytes(60, 1), bytes(61, 2), bytes(62, 3)])).toBe(3);
  expect(s.recvBatch(10).length).toBe(3);
  s.giveBack();
  m.txsync(); // reclaim
  expect(m.sendBatch([bytes(70, 4), bytes(71, 5), bytes(72, 6)])).toBe(3);
  s.rxsync();
  expect(m2.send(bytes(80, 9))).toBe(true);
  const tx = m.txRings[0]!;
  const rx = s.rxRings[0]!;
  expect([tx.hwcur, tx.tail]).toEqual([6, 2]); // the sender owns [6, 2)
  expect([rx.head, rx.tail]).toEqual([3, 6]); // the receiver owns [3, 6)
  return { region, mark, pipes, m, s, m2, s2 };
}

/** Index of a free buffer. */
function freeBuf(region: Region): number {
  for (let i = 2; i < region.bufCount; i++) if (region.bufPool.isFree(i)) return i;
  throw new Error('no free buffer');
}

/** Word indices (into region.i32) of ring fields and slot fields. */
const ringWord = (v: RingView, f: number): number => v.base + f;
const slotWords = (v: RingView, k: number): number[] => [v.bufIdxBase + k, v.lenFlagsBase + k];

/**
 * The counter words of pipe 1's rings (the world under test): a sync that
 * finds an error counts it in ERRORS (and a dropped slot in DROPS), for
 * observers, besides what it repairs; a sync that moves slots counts them.
 */
let errorWords: number[] = [];

/** Runs `fn` and checks that it changed only words in `allowed` (and pipe 1's error counters). Returns what it threw. */
function onlyChanges(region: Region, allowed: number[], fn: () => void): unknown {
  const before = region.i32.slice();
  allowed = [...allowed, ...errorWords];
  let thrown: unknown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  const ok = new Set(allowed);
  const changed: number[] = [];
  const after = region.i32;
  for (let i = 0; i < after.length; i++) if (after[i] !== before[i] && !ok.has(i)) changed.push(i);
  expect(changed, 'words changed outside the allowed set').toEqual([]);
  return thrown;
}

/** The ring is back at its last good state: head = cur = hwcur. */
function expectReset(v: RingView): void {
  expect(v.head).toBe(v.hwcur);
  expect(v.cur).toBe(v.hwcur);
}

/** Slot k holds its last validated buffer, with length and flags 0. */
function expectHarmless(v: RingView, k: number): void {
  expect(v.bufIdx(k)).toBe(v.shadow(k));
  expect(v.len(k)).toBe(0);
  expect(v.slotFlags(k)).toBe(0);
}

/** The pipe still carries a packet from m to s (after whatever was in flight). */
function expectWorks(m: PipeEndpoint, s: PipeEndpoint, len = 100): void {
  const marker = bytes(len, 0xa5);
  expect(m.send(marker)).toBe(true);
  let last: Uint8Array | null = null;
  for (let p = s.recv(); p !== null; p = s.recv()) last = p.slice();
  expect(last).toEqual(marker);
  s.giveBack();
}

/** Pipe 2 still works, then everything closes and every buffer is back once. */
function closeAll(w: World): void {
  expect(Array.from(w.s2.recv()!)).toEqual(Array.from(bytes(80, 9)));
  const reports = [w.m.close(), w.s.close(), w.m2.close(), w.s2.close()].filter((r) => r !== null);
  expect(reports).toHaveLength(2);
  for (const r of reports) expect(r.problems).toBe(0);
  expectConserved(w.region, w.mark);
}

/** Writes a 1-slot packet at the TX head and moves head and cur past it (no sync). */
function stage(v: RingView, len: number, flags = 0): number {
  const k = v.head;
  v.setLen(k, len);
  v.setSlotFlags(k, flags);
  v.head = v.cur = v.next(k);
  return k;
}

describe('user garbage on the transmit ring, detected at txsync', () => {
  const cases: Array<[string, (v: RingView) => void, 'head' | 'cur']> = [
    ['head one past the tail', (v) => (v.head = v.cur = v.next(v.tail)), 'head'],
    ['head behind hwcur', (v) => (v.head = v.cur = v.hwcur - 1), 'head'],
    ['head outside the ring', (v) => (v.head = v.cur = SLOTS), 'head'],
    ['head negative', (v) => (v.head = v.cur = -1), 'head'],
    ['cur behind head', (v) => (v.cur = v.head - 1), 'cur'],
    ['cur past the tail', (v) => (v.cur = v.next(v.tail)), 'cur'],
    ['cur outside the ring', (v) => (v.cur = 1 << 20), 'cur'],
  ];
  for (const [what, spoil, field] of cases) {
    it(`${what}: RingStateError, ring reset, nothing else touched`, () => {
      const w = world();
      const tx = w.m.txRings[0]!;
      stage(tx, 60); // a good packet staged, lost with the reset
      spoil(tx);
      const e = onlyChanges(
        w.region,
        [ringWord(tx, RING_HEAD_I32), ringWord(tx, RING_CUR_I32)],
        () => w.m.txsync(),
      );
      expect(e).toBeInstanceOf(RingStateError);
      expect((e as RingStateError).field).toBe(field);
      expectReset(tx);
      expect(tx.hwcur).toBe(6);
      expectWorks(w.m, w.s);
      closeAll(w);
    });
  }

  const badBufs: Array<[string, (r: Region) => number]> = [
    ['buffer 0', () => 0],
    ['buffer 1', () => 1],
    ['a buffer index past the pool', (r) => r.bufCount],
    ['a buffer index 0xffffffff', () => 0xffffffff],
    ['a free buffer', (r) => freeBuf(r)],
  ];
  for (const [what, pick] of badBufs) {
    it(`${what} in a TX slot: SlotError(bufIdx), slot made harmless, ring reset`, () => {
      const w = world();
      const tx = w.m.txRings[0]!;
      stage(tx, 60); // a good packet before the bad slot
      const k = stage(tx, 60);
      const bad = pick(w.region);
      tx.setBufIdx(k, bad);
      const e = onlyChanges(
        w.region,
        [ringWord(tx, RING_HEAD_I32), ringWord(tx, RING_CUR_I32), ...slotWords(tx, k)],
        () => w.m.txsync(),
      );
      expect(e).toBeInstanceOf(SlotError);
      const se = e as SlotError;
      expect([se.field, se.slot, se.value, se.fromPeer]).toEqual(['bufIdx', k, bad, false]);
      expectReset(tx);
      expectHarmless(tx, k);
      expectWorks(w.m, w.s);
      closeAll(w);
    });
  }

  it('a length over bufSize: SlotError(len)', () => {
    const w = world();
    const tx = w.m.txRings[0]!;
    const k = stage(tx, BUF_SIZE + 1);
    const e = onlyChanges(
      w.region,
      [ringWord(tx, RING_HEAD_I32), ringWord(tx, RING_CUR_I32), ...slotWords(tx, k)],
      () => w.m.txsync(),
    );
    expect(e).toBeInstanceOf(SlotError);
    expect([(e as SlotError).field, (e as SlotError).value]).toEqual(['len', BUF_SIZE + 1]);
    expectReset(tx);
    expectHarmless(tx, k);
    expectWorks(w.m, w.s);
    closeAll(w);
  });

  it('len + offset over bufSize: SlotError(len); len = bufSize - offset is fine', () => {
    const w = world();
    const tx = w.m.txRings[0]!;
    const k = stage(tx, BUF_SIZE - MAX_OFFSET + 1);
    tx.setOffset(k, MAX_OFFSET);
    const e = onlyChanges(
      w.region,
      [ringWord(tx, RING_HEAD_I32), ringWord(tx, RING_CUR_I32), ...slotWords(tx, k)],
      () => w.m.txsync(),
    );
    expect(e).toBeInstanceOf(SlotError);
    expect((e as SlotError).field).toBe('len');
    expectReset(tx);
    expectHarmless(tx, k);
    // The largest legal length at that offset goes through, offset intact.
    tx.setLen(k, BUF_SIZE - MAX_OFFSET);
    w.region.u8.fill(0x77, tx.payloadOffset(k), tx.payloadOffset(k) + BUF_SIZE - MAX_OFFSET);
    tx.head = tx.cur = tx.next(k);
    w.m.txsync();
    let last: Uint8Array | null = null;
    for (let p = w.s.recv(); p !== null; p = w.s.recv()) last = p.slice();
    expect(last).toEqual(bytes(BUF_SIZE - MAX_OFFSET, 0x77));
    w.s.giveBack();
    expectWorks(w.m, w.s);
    closeAll(w);
  });

  it(`a packet of more than ${MAX_FRAGS} slots: SlotError(frags); ${MAX_FRAGS} slots go through`, () => {
    const w = world();
    const tx = w.m.txRings[0]!;
    const start = tx.head;
    for (let f = 0; f < MAX_FRAGS + 1; f++) stage(tx, 10, f < MAX_FRAGS ? NS_MOREFRAG : 0);
    const bad = (start + MAX_FRAGS - 1) % SLOTS; // the 64th slot still says "more"
    const e = onlyChanges(
      w.region,
      [ringWord(tx, RING_HEAD_I32), ringWord(tx, RING_CUR_I32), ...slotWords(tx, bad)],
      () => w.m.txsync(),
    );
    expect(e).toBeInstanceOf(SlotError);
    expect([(e as SlotError).field, (e as SlotError).slot]).toEqual(['frags', bad]);
    expectReset(tx);
    expectHarmless(tx, bad);
    // Exactly 64 slots is a legal packet: the receiver reassembles 640 bytes.
    w.s.giveBack();
    w.m.txsync();
    expect(w.s.recvBatch(10)).toHaveLength(3); // the three in flight
    w.s.giveBack();
    w.m.txsync();
    for (let f = 0; f < MAX_FRAGS; f++) {
      const k = stage(tx, 10, f + 1 < MAX_FRAGS ? NS_MOREFRAG : 0);
      w.region.u8.fill(f, tx.payloadOffset(k), tx.payloadOffset(k) + 10);
    }
    w.m.txsync();
    const p = w.s.recv()!;
    expect(p.length).toBe(10 * MAX_FRAGS);
    expect(p[10 * MAX_FRAGS - 1]).toBe(MAX_FRAGS - 1);
    w.s.giveBack();
    expectWorks(w.m, w.s);
    closeAll(w);
  });

  it(`a packet of more than ${MAX_FRAGS} slots written over several txsyncs: SlotError(frags) all the same`, () => {
    const w = world();
    const tx = w.m.txRings[0]!;
    const rx = w.s.rxRings[0]!;
    for (let f = 0; f < 40; f++) stage(tx, 10, NS_MOREFRAG);
    w.m.txsync(); // 40 slots of one packet synced, nothing published
    w.s.rxsync();
    expect(rx.tail).toBe(6);
    const start = tx.head;
    for (let f = 0; f < 40; f++) stage(tx, 10, f < 39 ? NS_MOREFRAG : 0);
    const bad = (start + MAX_FRAGS - 40 - 1) % SLOTS; // the packet's 64th slot
    const e = onlyChanges(
      w.region,
      [ringWord(tx, RING_HEAD_I32), ringWord(tx, RING_CUR_I32), ...slotWords(tx, bad)],
      () => w.m.txsync(),
    );
    expect(e).toBeInstanceOf(SlotError);
    expect([(e as SlotError).field, (e as SlotError).slot]).toEqual(['frags', bad]);
    expectReset(tx);
    w.s.rxsync();
    expect(rx.tail).toBe(6); // nothing of it was published
    // Ending the packet within the limit publishes it: 40 + 24 slots.
    for (let f = 0; f < 24; f++) stage(tx, 10, f < 23 ? NS_MOREFRAG : 0);
    w.m.txsync();
    const got: number[] = [];
    for (let p = w.s.recv(); p !== null; p = w.s.recv()) got.push(p.length);
    expect(got).toEqual([70, 71, 72, 10 * MAX_FRAGS]);
    w.s.giveBack();
    expectWorks(w.m, w.s);
    closeAll(w);
  });

  it('a released tail written out of range by the peer: PeerCorruptError, nothing reclaimed', () => {
    const w = world();
    const tx = w.m.txRings[0]!;
    const pt = ringWord(tx, RING_PIPE_TAIL_I32);
    for (const bad of [SLOTS + 3, -1, tx.hwcur]) {
      // tx.hwcur: the peer would hand back slots it was never given
      Atomics.store(w.region.i32, pt, bad);
      const e = onlyChanges(w.region, [], () => w.m.txsync());
      expect(e).toBeInstanceOf(PeerCorruptError);
      expect((e as PeerCorruptError).value).toBe(bad);
      expect([tx.tail, tx.hwtail]).toEqual([2, 2]);
    }
    // The next release from the receiver writes a good value again.
    expect(w.s.recvBatch(10)).toHaveLength(3);
    w.s.giveBack();
    w.m.txsync();
    expect(tx.tail).toBe(5);
    expectWorks(w.m, w.s);
    closeAll(w);
  });
});

describe('user garbage on the receive ring, detected at rxsync', () => {
  const cases: Array<[string, (v: RingView) => void, 'head' | 'cur']> = [
    ['head one past the tail', (v) => (v.head = v.cur = v.next(v.tail)), 'head'],
    ['head behind hwcur', (v) => (v.head = v.cur = v.hwcur - 1), 'head'],
    ['head outside the ring', (v) => (v.head = v.cur = SLOTS + 1), 'head'],
    ['cur past the tail', (v) => (v.cur = v.next(v.tail)), 'cur'],
  ];
  for (const [what, spoil, field] of cases) {
    it(`${what}: RingStateError, ring reset, nothing released`, () => {
      const w = world();
      const rx = w.s.rxRings[0]!;
      spoil(rx);
      const e = onlyChanges(
        w.region,
        [ringWord(rx, RING_HEAD_I32), ringWord(rx, RING_CUR_I32)],
        () => w.s.rxsync(),
      );
      expect(e).toBeInstanceOf(RingStateError);
      expect((e as RingStateError).field).toBe(field);
      expectReset(rx);
      expect([rx.hwcur, rx.tail]).toEqual([3, 6]);
      expectWorks(w.m, w.s);
      closeAll(w);
    });
  }

  const badSwaps: Array<[string, (r: Region) => number]> = [
    ['buffer 0', () => 0],
    ['buffer 1', () => 1],
    ['an index past the pool', (r) => r.bufCount + 7],
    ['a free buffer', (r) => freeBuf(r)],
  ];
  for (const [what, pick] of badSwaps) {
    it(`${what} swapped in with NS_BUF_CHANGED: SlotError(bufIdx), slot restored, the rest released`, () => {
      const w = world();
      const rx = w.s.rxRings[0]!;
      const tx = w.m.txRings[0]!;
      const k = rx.head;
      const bad = pick(w.region);
      rx.setBufIdx(k, bad);
      rx.setSlotFlags(k, NS_BUF_CHANGED);
      rx.head = rx.cur = rx.tail; // release all three
      const e = onlyChanges(
        w.region,
        [ringWord(rx, RING_HWCUR_I32), ringWord(tx, RING_PIPE_TAIL_I32), ...slotWords(rx, k)],
        () => w.s.rxsync(),
      );
      expect(e).toBeInstanceOf(SlotError);
      const se = e as SlotError;
      expect([se.field, se.slot, se.value, se.fromPeer]).toEqual(['bufIdx', k, bad, false]);
      expectHarmless(rx, k);
      expect(rx.hwcur).toBe(6);
      w.m.txsync();
      expect(tx.tail).toBe(5); // all three came back to the sender
      expectWorks(w.m, w.s);
      closeAll(w);
    });
  }
});

describe('garbage written by the peer, detected by the receiver', () => {
  const rewrites: Array<[string, (v: RingView, k: number, w: World) => number, 'bufIdx' | 'len']> =
    [
      [
        "bufIdx rewritten to another held buffer (the sender's extra buffer)",
        (v, k, w) => {
          const other = w.m.extraHead;
          expect(other).toBeGreaterThan(1);
          v.setBufIdx(k, other);
          return other;
        },
        'bufIdx',
      ],
      [
        'bufIdx rewritten past the pool',
        (v, k, w) => {
          v.setBufIdx(k, w.region.bufCount + 1);
          return w.region.bufCount + 1;
        },
        'bufIdx',
      ],
      [
        'len rewritten over bufSize',
        (v, k) => {
          v.setLen(k, BUF_SIZE + 100);
          return BUF_SIZE + 100;
        },
        'len',
      ],
    ];
  for (const [what, spoil, field] of rewrites) {
    it(`${what} after publishing: SlotError(fromPeer), slot made harmless, the rest imported`, () => {
      const w = world();
      const tx = w.m.txRings[0]!;
      const rx = w.s.rxRings[0]!;
      expect(w.m.sendBatch([bytes(90, 0x11), bytes(91, 0x22), bytes(92, 0x33)])).toBe(3);
      const k = (tx.hwcur - 2 + SLOTS) % SLOTS; // the middle one
      const value = spoil(tx, k, w);
      const e = onlyChanges(
        w.region,
        [ringWord(rx, RING_TAIL_I32), ringWord(rx, RING_HWTAIL_I32), ...slotWords(rx, k)],
        () => w.s.rxsync(),
      );
      expect(e).toBeInstanceOf(SlotError);
      const se = e as SlotError;
      expect([se.field, se.slot, se.value, se.fromPeer]).toEqual([field, k, value, true]);
      expectHarmless(rx, k);
      expect(rx.tail).toBe(9);
      expect([rx.head, rx.cur]).toEqual([3, 3]); // the user's words were not touched
      // The receiver reads the three old packets, then 0x11, an empty packet, 0x33.
      const got = w.s.recvBatch(10).map((p) => [p.length, p[0]]);
      expect(got.slice(3)).toEqual([
        [90, 0x11],
        [0, undefined],
        [92, 0x33],
      ]);
      w.s.giveBack();
      expectWorks(w.m, w.s);
      closeAll(w);
    });
  }

  for (const [what, value] of [
    ['past the ring', SLOTS + 5],
    ['negative', -3],
    ['onto slots the receiver still owns', 4],
  ] as const) {
    it(`a pipe tail ${what}: PeerCorruptError, nothing imported, poll reports POLLERR`, () => {
      const w = world();
      const rx = w.s.rxRings[0]!;
      expect(w.m.send(bytes(64, 0x44))).toBe(true); // published, not yet imported
      Atomics.store(w.region.i32, ringWord(rx, RING_PIPE_TAIL_I32), value);
      const e = onlyChanges(w.region, [], () => w.s.rxsync());
      expect(e).toBeInstanceOf(PeerCorruptError);
      expect((e as PeerCorruptError).value).toBe(value);
      expect([rx.tail, rx.hwtail]).toEqual([6, 6]);
      expect(w.s.poll(POLLIN, 0) & POLLERR).toBe(POLLERR);
      expect(w.s.lastError).toBeInstanceOf(PeerCorruptError);
      // The sender's next publish writes a good tail; everything arrives in order.
      expect(w.m.send(bytes(65, 0x45))).toBe(true);
      const got: Array<[number, number | undefined]> = [];
      for (let p = w.s.recv(); p !== null; p = w.s.recv()) got.push([p.length, p[0]]);
      expect(got).toEqual([
        [70, 4],
        [71, 5],
        [72, 6],
        [64, 0x44],
        [65, 0x45],
      ]);
      w.s.giveBack();
      expectWorks(w.m, w.s);
      closeAll(w);
    });
  }
});

describe('bad options: a typed error naming the option, the region unchanged', () => {
  function region(): Region {
    return createRegion({ bufSize: BUF_SIZE, bufCount: 256, memId: 22 });
  }

  /** `fn` throws `cls` and leaves every byte of the region as it was. */
  function rejects<E extends Error>(
    r: Region,
    cls: abstract new (...a: never[]) => E,
    fn: () => unknown,
  ): E {
    const before = r.u8.slice();
    let err: unknown = null;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(cls);
    expect(Buffer.compare(Buffer.from(r.u8), Buffer.from(before))).toBe(0);
    return err as E;
  }

  const r0 = region();
  const optionCases: Array<[string, Record<string, unknown>, string]> = [
    ['slots not a power of two', { slots: 100 }, 'slots'],
    ['slots below 4', { slots: 2 }, 'slots'],
    ['slots above 32768', { slots: 65536 }, 'slots'],
    ['slots not an integer', { slots: 8.5 }, 'slots'],
    ['slots larger than a ring object holds', { slots: 2048 }, 'slots'],
    ['rings 0', { rings: 0 }, 'rings'],
    ['rings over 256', { rings: 257 }, 'rings'],
    ['more rings than the if object describes', { rings: maxRingsFor(r0.ifSize) + 1 }, 'rings'],
    ['id negative', { id: -1 }, 'id'],
    ['id over 65535', { id: 65536 }, 'id'],
    ['id fractional', { id: 1.5 }, 'id'],
    ['id a string', { id: '3' }, 'id'],
    ['maxOffset = bufSize', { maxOffset: BUF_SIZE }, 'maxOffset'],
    ['maxOffset negative', { maxOffset: -1 }, 'maxOffset'],
  ];
  for (const [what, opts, option] of optionCases) {
    it(`createPipe with ${what}: OptionError('${option}')`, () => {
      const r = region();
      const e = rejects(r, OptionError, () => createPipe(r, { slots: 16, ...opts }));
      expect(e.option).toBe(option);
    });
  }

  it('createPipe with non-object options: OptionError', () => {
    const r = region();
    rejects(r, OptionError, () => createPipe(r, null as never));
  });

  for (const extra of [-1, 1.5, 1e9]) {
    it(`openPort with extraBufs ${extra}: OptionError('extraBufs'), no pipe created`, () => {
      const r = region();
      const e = rejects(r, OptionError, () => openPort(r, 'pipe{1', { extraBufs: extra }));
      expect(e.option).toBe('extraBufs');
    });
  }

  for (const name of [
    '',
    'pipe',
    'pipe{',
    'pipe(1',
    'pipe{x',
    'pipe{-1',
    'pipe{1/z',
    'pipe{1/',
    'pipe{99999',
    'pipe{1 ',
    'vale0:p1',
    'PIPE{1',
  ]) {
    it(`openPort(${JSON.stringify(name)}): PortNameError`, () => {
      const r = region();
      rejects(r, PortNameError, () => openPort(r, name));
    });
  }

  it('createPipe with an id in use: BusyError naming it, the first pipe untouched', () => {
    const r = region();
    const p = createPipe(r, { id: 5, slots: 16 });
    const e = rejects(r, BusyError, () => createPipe(r, { id: 5, slots: 16 }));
    expect(e.portName).toBe('pipe{5');
    p.release();
  });

  it('opening an exclusively held end again: BusyError, the holder untouched', () => {
    const r = region();
    const p = createPipe(r, { id: 5, slots: 16 });
    const a = openPort(r, 'pipe}5/x');
    rejects(r, BusyError, () => openPort(r, 'pipe}5'));
    rejects(r, BusyError, () => openPort(r, 'pipe}5/x'));
    a.close();
    p.release();
  });

  it('a pipe the buffer pool cannot fill: ExhaustedError, every buffer, ring and name given back', () => {
    const r = region(); // 254 usable buffers
    const mark = markPools(r);
    expect(() => createPipe(r, { id: 1, slots: 128 })).toThrow(ExhaustedError); // needs 256
    expectConserved(r, { ...mark, buf: r.counters('buf') });
    expect(new PortTable(r).lookup('pipe1')).toBeNull();
    // and a pipe that fits can still be made
    createPipe(r, { id: 1, slots: 64 }).release();
    expectConserved(r, { ...mark, buf: r.counters('buf') });
  });

  it('a pipe the ring pool cannot hold: ExhaustedError, everything given back', () => {
    const r = createRegion({
      bufSize: BUF_SIZE,
      bufCount: 256,
      ringCount: 6,
      ringSize: ringBytes(16),
      memId: 23,
    });
    const mark = markPools(r);
    expect(() => createPipe(r, { id: 1, slots: 16, rings: 2 })).toThrow(ExhaustedError); // 8 rings
    expectConserved(r, { ...mark, buf: r.counters('buf') });
  });
});
