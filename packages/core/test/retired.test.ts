/**
 * The retired-counters table (layout/retired-layout.ts, port/retired.ts):
 * a port's final counters kept by name after its if object goes, summed
 * over reopen cycles, folded into the catch-all when the table is full,
 * read without a lock; and a peer's garbage in the table reported, never
 * followed. Ports here are bare if objects with one TX and one RX ring whose
 * counter words the test writes as a sync would; the port kinds' own tests
 * (pipes, vale, cli) move real traffic.
 */
import { describe, expect, it } from 'vitest';
import {
  attachRegion,
  createRegion,
  IF_KICKS_I32,
  IF_KIND_I32,
  IF_KIND_WORDS_I32,
  IF_MAGIC_I32,
  IF_NRX_I32,
  IF_NTX_I32,
  IF_RING_TABLE_I32,
  IF_STATE_I32,
  ifWord,
  initRing,
  PORT_CLOSED,
  PORT_KIND_PIPE,
  PORT_NEVER,
  PORT_MAGIC,
  PortNameError,
  readRetiredPort,
  readRetiredPorts,
  RETIRED_CATCH_ALL_NAME,
  RETIRED_RECORD_BYTES,
  retirePortCounters,
  RING_BYTES_F64_BYTE,
  RING_DIR_RX,
  RING_DIR_TX,
  RING_DROP_NO_DEST,
  RING_DROPS_I32,
  RING_ERRORS_I32,
  RING_PKTS_F64_BYTE,
  RR_KIND_I32,
  RR_NAME_LEN_I32,
  RR_NAME_OFF_BYTE,
  RR_SEQ_I32,
  RR_TX_PKTS_F64_BYTE,
  RT_COUNT_I32,
  RT_HEADER_BYTES,
  type Region,
} from '../src/index.js';

const OPTS = { bufSize: 256, bufCount: 64, ringSize: 1024, ringCount: 32, ifCount: 16 };

interface Traffic {
  txPkts: number;
  txBytes: number;
  rxPkts: number;
  rxBytes: number;
  kicks?: number;
  txErrors?: number;
  noDest?: number;
  kindWords?: number[];
}

/** A port object with one TX and one RX ring carrying `t`, as its syncs would have left it. */
function makePort(region: Region, t: Traffic, kind = PORT_KIND_PIPE): number {
  const i32 = region.i32;
  const k = region.allocIf();
  const w = (f: number): number => ifWord(region, k, f);
  const rings = [RING_DIR_TX, RING_DIR_RX].map((dir) => {
    const off = region.allocRingObject();
    initRing(region, off, { numSlots: 8, dir, ringId: 0, ownerIf: k });
    return off;
  });
  i32[w(IF_KIND_I32)] = kind;
  i32[w(IF_NTX_I32)] = 1;
  i32[w(IF_NRX_I32)] = 1;
  rings.forEach((off, r) => (i32[w(IF_RING_TABLE_I32 + r)] = off));
  const [tx, rx] = rings as [number, number];
  region.f64[(tx + RING_PKTS_F64_BYTE) >>> 3] = t.txPkts;
  region.f64[(tx + RING_BYTES_F64_BYTE) >>> 3] = t.txBytes;
  region.f64[(rx + RING_PKTS_F64_BYTE) >>> 3] = t.rxPkts;
  region.f64[(rx + RING_BYTES_F64_BYTE) >>> 3] = t.rxBytes;
  i32[(tx >>> 2) + RING_ERRORS_I32] = t.txErrors ?? 0;
  i32[(rx >>> 2) + RING_DROPS_I32 + RING_DROP_NO_DEST] = t.noDest ?? 0;
  i32[w(IF_KICKS_I32)] = t.kicks ?? 0;
  (t.kindWords ?? []).forEach((v, i) => (i32[w(IF_KIND_WORDS_I32 + i)] = v));
  i32[w(IF_STATE_I32)] = PORT_CLOSED; // opened once, now closed
  Atomics.store(i32, w(IF_MAGIC_I32), PORT_MAGIC);
  return k;
}

/** Retires and frees a port made by makePort, as a port kind's destroy does. */
function retire(region: Region, name: string, t: Traffic, kind = PORT_KIND_PIPE, mask = 0): number {
  const k = makePort(region, t, kind);
  const r = retirePortCounters(region, k, name, mask);
  for (let i = 0; i < 2; i++)
    region.freeRingObject(region.i32[ifWord(region, k, IF_RING_TABLE_I32 + i)]!);
  region.i32[ifWord(region, k, IF_MAGIC_I32)] = 0;
  region.freeIf(k);
  return r;
}

const recordOff = (region: Region, r: number): number =>
  region.retiredOff + RT_HEADER_BYTES + r * RETIRED_RECORD_BYTES;

describe('retired counters', () => {
  it('keep a freed port’s totals under its name, readable from another attach', () => {
    const region = createRegion(OPTS);
    expect(readRetiredPorts(region)).toMatchObject({ ok: true, slots: 64, ports: [] });
    expect(
      retire(region, 'p1', {
        txPkts: 10,
        txBytes: 1000,
        rxPkts: 7,
        rxBytes: 700,
        kicks: 3,
        txErrors: 2,
        noDest: 5,
      }),
    ).toBe(1);
    const other = attachRegion(region.sab);
    const t = readRetiredPorts(other);
    expect(t.ok).toBe(true);
    expect(t.generation).toBe(1);
    expect(t.ports).toHaveLength(1);
    expect(t.ports[0]).toMatchObject({
      name: 'p1',
      catchAll: false,
      ok: true,
      kind: PORT_KIND_PIPE,
      retires: 1,
      txPkts: 10,
      txBytes: 1000,
      txErrors: 2,
      rxPkts: 7,
      rxBytes: 700,
      rxErrors: 0,
      drops: [0, 0, 5, 0],
      kicks: 3,
    });
  });

  it('add up the ports of one name across reopen cycles; kind words summed only where asked', () => {
    const region = createRegion(OPTS);
    const words = (a: number, b: number): number[] => [a, b, ...new Array<number>(14).fill(0)];
    retire(
      region,
      'p1',
      { txPkts: 4, txBytes: 40, rxPkts: 1, rxBytes: 10, kindWords: words(7, 100) },
      9,
      0b10,
    );
    retire(region, 'p2', { txPkts: 1, txBytes: 1, rxPkts: 1, rxBytes: 1 });
    retire(
      region,
      'p1',
      { txPkts: 6, txBytes: 60, rxPkts: 2, rxBytes: 20, kindWords: words(8, 5) },
      9,
      0b10,
    );
    const p1 = readRetiredPort(region, 'p1')!;
    expect(p1).toMatchObject({
      retires: 2,
      txPkts: 10,
      txBytes: 100,
      rxPkts: 3,
      rxBytes: 30,
      kind: 9,
    });
    // Word 0 is the last port's; word 1 (bit 1 of the mask) is the sum.
    expect(p1.kindWords.slice(0, 3)).toEqual([8, 105, 0]);
    expect(readRetiredPorts(region).ports.map((p) => p.name)).toEqual(['p1', 'p2']);
    // Another kind under the same name: the counters still add, the kind words restart.
    retire(
      region,
      'p1',
      { txPkts: 1, txBytes: 1, rxPkts: 0, rxBytes: 0, kindWords: words(1, 1) },
      10,
      0b10,
    );
    expect(readRetiredPort(region, 'p1')).toMatchObject({ kind: 10, txPkts: 11, retires: 3 });
    expect(readRetiredPort(region, 'p1')!.kindWords.slice(0, 2)).toEqual([1, 1]);
  });

  it('fold new names into the catch-all record when the table is full, counting them', () => {
    const region = createRegion({ ...OPTS, retiredPorts: 2 });
    expect(retire(region, 'a', { txPkts: 1, txBytes: 10, rxPkts: 0, rxBytes: 0 })).toBe(1);
    expect(retire(region, 'b', { txPkts: 2, txBytes: 20, rxPkts: 0, rxBytes: 0 })).toBe(2);
    expect(retire(region, 'c', { txPkts: 3, txBytes: 30, rxPkts: 1, rxBytes: 5 })).toBe(0);
    expect(retire(region, 'd', { txPkts: 4, txBytes: 40, rxPkts: 0, rxBytes: 0, kicks: 2 })).toBe(
      0,
    );
    // A name that has a record still adds to it.
    expect(retire(region, 'a', { txPkts: 5, txBytes: 50, rxPkts: 0, rxBytes: 0 })).toBe(1);
    const t = readRetiredPorts(region);
    expect(t.ports.map((p) => [p.name, p.retires, p.txPkts, p.txBytes])).toEqual([
      ['a', 2, 6, 60],
      ['b', 1, 2, 20],
      [RETIRED_CATCH_ALL_NAME, 2, 7, 70],
    ]);
    expect(t.ports[2]).toMatchObject({ catchAll: true, ok: true, kind: 0, rxBytes: 5, kicks: 2 });
    // Nothing is lost: the totals over all records are those of every port retired.
    expect(t.ports.reduce((s, p) => s + p.txPkts, 0)).toBe(15);
    expect(t.generation).toBe(5);
  });

  it('fold everything into the catch-all with retiredPorts: 0', () => {
    const region = createRegion({ ...OPTS, retiredPorts: 0 });
    expect(retire(region, 'a', { txPkts: 1, txBytes: 1, rxPkts: 0, rxBytes: 0 })).toBe(0);
    expect(readRetiredPorts(region).ports).toMatchObject([
      { catchAll: true, retires: 1, txPkts: 1 },
    ]);
  });

  it('refuse a name the table cannot hold; skip a port never opened or that does not check out', () => {
    const region = createRegion(OPTS);
    const k = makePort(region, { txPkts: 1, txBytes: 1, rxPkts: 1, rxBytes: 1 });
    expect(() => retirePortCounters(region, k, '')).toThrow(PortNameError);
    expect(() => retirePortCounters(region, k, 'x'.repeat(49))).toThrow(PortNameError);
    expect(() => retirePortCounters(region, k, 'a b')).toThrow(PortNameError);
    region.i32[ifWord(region, k, IF_STATE_I32)] = PORT_NEVER; // never opened: nothing to keep
    expect(retirePortCounters(region, k, 'p')).toBe(-1);
    region.i32[ifWord(region, k, IF_STATE_I32)] = PORT_CLOSED;
    region.i32[ifWord(region, k, IF_RING_TABLE_I32)] = 12345; // not a ring object
    expect(retirePortCounters(region, k, 'p')).toBe(-1);
    expect(readRetiredPorts(region)).toMatchObject({ ok: true, generation: 0, ports: [] });
  });

  describe('a peer’s garbage is reported, never followed', () => {
    function twoRecords(): Region {
      const region = createRegion(OPTS);
      retire(region, 'good', { txPkts: 1, txBytes: 2, rxPkts: 3, rxBytes: 4 });
      retire(region, 'victim', { txPkts: 5, txBytes: 6, rxPkts: 7, rxBytes: 8 });
      return region;
    }
    const spoil = (
      name: string,
      fn: (region: Region, b: number, off: number) => void,
      problem: RegExp,
    ) =>
      it(name, () => {
        const region = twoRecords();
        const off = recordOff(region, 2);
        fn(region, off >>> 2, off);
        const t = readRetiredPorts(region);
        expect(t.ok).toBe(true);
        expect(t.ports[0]).toMatchObject({ name: 'good', ok: true, txPkts: 1 });
        expect(t.ports[1]).toMatchObject({ ok: false, txPkts: 0, rxPkts: 0 });
        expect(t.ports[1]!.problem).toMatch(problem);
      });

    spoil(
      'a name length past the name field',
      (r, b) => (r.i32[b + RR_NAME_LEN_I32] = 1000),
      /name length 1000/,
    );
    spoil('a negative name length', (r, b) => (r.i32[b + RR_NAME_LEN_I32] = -1), /name length -1/);
    spoil(
      'a name byte that is not printable',
      (r, _b, off) => (r.u8[off + RR_NAME_OFF_BYTE + 1] = 0),
      /name byte 1/,
    );
    spoil('a kind that is not a port kind', (r, b) => (r.i32[b + RR_KIND_I32] = 0), /kind 0/);
    spoil(
      'a NaN total',
      (r, _b, off) => (r.f64[(off + RR_TX_PKTS_F64_BYTE) >>> 3] = NaN),
      /txPkts NaN/,
    );
    spoil(
      'a negative total',
      (r, _b, off) => (r.f64[(off + RR_TX_PKTS_F64_BYTE) >>> 3] = -1),
      /txPkts -1/,
    );
    spoil(
      'a fractional total',
      (r, _b, off) => (r.f64[(off + RR_TX_PKTS_F64_BYTE) >>> 3] = 0.5),
      /txPkts 0.5/,
    );
    spoil(
      'a sequence word left odd (a writer inside, or garbage)',
      (r, b) => (r.i32[b + RR_SEQ_I32] = 7),
      /torn/,
    );

    it('a catch-all record given a name or a kind', () => {
      const region = createRegion({ ...OPTS, retiredPorts: 0 });
      retire(region, 'a', { txPkts: 1, txBytes: 1, rxPkts: 0, rxBytes: 0 });
      const b = recordOff(region, 0) >>> 2;
      region.i32[b + RR_NAME_LEN_I32] = 3;
      expect(readRetiredPorts(region).ports).toMatchObject([{ catchAll: true, ok: false }]);
      region.i32[b + RR_NAME_LEN_I32] = 0;
      region.i32[b + RR_KIND_I32] = 5;
      expect(readRetiredPorts(region).ports[0]!.problem).toMatch(/kind 5/);
    });

    it('a record count out of range: the table is not read, and a writer treats it as full', () => {
      for (const bad of [-1, 65, 0x7fffffff]) {
        const region = twoRecords();
        const hdr = region.retiredOff >>> 2;
        region.i32[hdr + RT_COUNT_I32] = bad;
        const t = readRetiredPorts(region);
        expect(t.ok).toBe(false);
        expect(t.problem).toMatch(new RegExp(`record count ${bad}`));
        expect(t.ports).toEqual([]);
        // Nothing is written past the table: the next port goes to the catch-all.
        expect(retire(region, 'next', { txPkts: 1, txBytes: 1, rxPkts: 0, rxBytes: 0 })).toBe(0);
        region.i32[hdr + RT_COUNT_I32] = 2;
        expect(readRetiredPorts(region).ports.map((p) => [p.name, p.ok])).toEqual([
          ['good', true],
          ['victim', true],
          [RETIRED_CATCH_ALL_NAME, true],
        ]);
      }
    });

    it('a writer repairs an odd sequence word and a garbage name does not match', () => {
      const region = twoRecords();
      const b = recordOff(region, 2) >>> 2;
      region.i32[b + RR_SEQ_I32] = 7;
      region.i32[b + RR_NAME_LEN_I32] = 1000;
      // 'victim' no longer matches its spoiled record: it takes a new one.
      expect(retire(region, 'victim', { txPkts: 1, txBytes: 1, rxPkts: 0, rxBytes: 0 })).toBe(3);
      region.i32[b + RR_NAME_LEN_I32] = 6;
      expect(retire(region, 'victim', { txPkts: 1, txBytes: 1, rxPkts: 0, rxBytes: 0 })).toBe(2);
      expect(region.i32[b + RR_SEQ_I32]! & 1).toBe(0);
      expect(readRetiredPorts(region).ports[1]).toMatchObject({
        ok: true,
        name: 'victim',
        txPkts: 6,
      });
    });
  });
});
