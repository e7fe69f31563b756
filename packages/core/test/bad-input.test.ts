/**
 * The bad-input table: every case asserts the error class (instanceof, not
 * the message) and that the region is still consistent afterwards — bitmap
 * counts equal the FREE counters, free + held = total - reserved in every
 * pool, buffers the case did not free are still held, and a fresh
 * attachRegion() of the same memory sees the same state.
 */
import { describe, expect, it } from 'vitest';
import {
  AttachError,
  attachRegion,
  BadIndexError,
  CorruptListError,
  createRegion,
  DoubleFreeError,
  HDR_TOTAL_BYTES_I32,
  HDR_RETIRED_OFF_I32,
  HDR_RETIRED_SLOTS_I32,
  HDR_VERSION_I32,
  initRing,
  OptionError,
  PD_OBJ_SIZE_I32,
  POOL_BUF,
  poolDescI32,
  REGION_VERSION,
  regionBytes,
  RING_DIR_TX,
  type Region,
  type RegionOptions,
} from '../src/index.js';

const OPTS = {
  bufSize: 128,
  bufCount: 200,
  ringSize: 512, // ringBytes(8)
  ringCount: 4,
  ifSize: 384,
  ifCount: 4,
  nameTableSlots: 4,
  memId: 9,
} satisfies RegionOptions;

/** A region in use: some single buffers, one extra-buffer list, a ring object and an if object. */
interface Ctx {
  r: Region;
  singles: number[];
  extra: number[];
  ringOff: number;
  ifIdx: number;
}

function fixture(): Ctx {
  const r = createRegion(OPTS);
  const singles: number[] = [];
  for (let k = 0; k < 10; k++) singles.push(r.allocBuf());
  const { head, count } = r.allocExtraBufs(5);
  expect(count).toBe(5);
  const extra: number[] = [];
  for (let i = head; i !== 0; i = r.u32[r.bufOffset(i) >>> 2]!) extra.push(i);
  expect(extra.length).toBe(5);
  const ringOff = r.allocRingObject();
  const ifIdx = r.allocIf();
  expect(ringOff).toBeGreaterThan(0);
  expect(ifIdx).toBeGreaterThan(0);
  return { r, singles, extra, ringOff, ifIdx };
}

/** Link of extra-list buffer `idx` (its first u32). */
function setLink(r: Region, idx: number, next: number): void {
  r.u32[r.bufOffset(idx) >>> 2] = next;
}

/** A byte-for-byte copy of a region's memory, optionally truncated. */
function copyOf(r: Region, bytes = r.sab.byteLength): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(bytes);
  new Uint8Array(sab).set(new Uint8Array(r.sab, 0, bytes));
  return sab;
}

/** Deterministic "random" bytes (xorshift32), so a failure reproduces. */
function garbage(bytes: number, seed: number): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(bytes);
  const u32 = new Uint32Array(sab);
  let x = seed | 0 || 1;
  for (let i = 0; i < u32.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    u32[i] = x >>> 0;
  }
  return sab;
}

/** A value of the wrong type, passed where the types would forbid it. */
const wrong = (v: unknown): never => v as never;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ErrorClass = abstract new (...args: any[]) => Error;

interface Case {
  name: string;
  error: ErrorClass;
  run: (ctx: Ctx) => unknown;
  /** Buffers the failing call legitimately returned to the pool before throwing. */
  freed?: number;
  /** Buffers (from the fixture) the case expects to be free afterwards. */
  nowFree?: (ctx: Ctx) => number[];
  /** Extra checks on the error's structured fields. */
  check?: (err: Error, ctx: Ctx) => void;
}

const option = (name: string) => (err: Error) =>
  expect((err as OptionError).option).toContain(name);
const reason = (why: AttachError['reason']) => (err: Error) =>
  expect((err as AttachError).reason).toBe(why);

const create = (o: RegionOptions) => () => createRegion({ ...OPTS, ...o });

const cases: Case[] = [
  // ---- createRegion options --------------------------------------------------
  {
    name: 'bufSize not an integer',
    error: OptionError,
    run: create({ bufSize: 2048.5 }),
    check: option('bufSize'),
  },
  {
    name: 'bufSize not a multiple of 64',
    error: OptionError,
    run: create({ bufSize: 1000 }),
    check: option('bufSize'),
  },
  {
    name: 'bufSize too small',
    error: OptionError,
    run: create({ bufSize: 0 }),
    check: option('bufSize'),
  },
  {
    name: 'bufSize too large',
    error: OptionError,
    run: create({ bufSize: 131072 }),
    check: option('bufSize'),
  },
  {
    name: 'bufSize a string',
    error: OptionError,
    run: create({ bufSize: wrong('2048') }),
    check: option('bufSize'),
  },
  {
    name: 'bufCount too small',
    error: OptionError,
    run: create({ bufCount: 3 }),
    check: option('bufCount'),
  },
  {
    name: 'bufCount too large',
    error: OptionError,
    run: create({ bufCount: 2 ** 24 + 1 }),
    check: option('bufCount'),
  },
  {
    name: 'bufCount NaN',
    error: OptionError,
    run: create({ bufCount: NaN }),
    check: option('bufCount'),
  },
  {
    name: 'ringSize below ringBytes(4)',
    error: OptionError,
    run: create({ ringSize: 320 }), // ringBytes(4) = 384
    check: option('ringSize'),
  },
  {
    name: 'ringSize not a multiple of 64',
    error: OptionError,
    run: create({ ringSize: 20801 }),
    check: option('ringSize'),
  },
  {
    name: 'ringCount too small',
    error: OptionError,
    run: create({ ringCount: 1 }),
    check: option('ringCount'),
  },
  {
    name: 'ringCount too large',
    error: OptionError,
    run: create({ ringCount: 65537 }),
    check: option('ringCount'),
  },
  {
    name: 'ifSize too small',
    error: OptionError,
    run: create({ ifSize: 320 }), // below MIN_IF_SIZE (384)
    check: option('ifSize'),
  },
  {
    name: 'ifSize not a multiple of 64',
    error: OptionError,
    run: create({ ifSize: 288 }),
    check: option('ifSize'),
  },
  {
    name: 'ifCount zero',
    error: OptionError,
    run: create({ ifCount: 0 }),
    check: option('ifCount'),
  },
  {
    name: 'nameTableSlots zero',
    error: OptionError,
    run: create({ nameTableSlots: 0 }),
    check: option('nameTableSlots'),
  },
  {
    name: 'nameTableSlots too large',
    error: OptionError,
    run: create({ nameTableSlots: 4097 }),
    check: option('nameTableSlots'),
  },
  { name: 'memId zero', error: OptionError, run: create({ memId: 0 }), check: option('memId') },
  {
    name: 'retiredPorts negative',
    error: OptionError,
    run: create({ retiredPorts: -1 }),
    check: option('retiredPorts'),
  },
  {
    name: 'retiredPorts above 4096',
    error: OptionError,
    run: create({ retiredPorts: 4097 }),
    check: (err) => {
      expect((err as OptionError).option).toBe('retiredPorts');
      expect((err as OptionError).limit).toBe('an integer from 0 to 4096');
    },
  },
  {
    name: 'retiredPorts not an integer',
    error: OptionError,
    run: create({ retiredPorts: 2.5 }),
    check: option('retiredPorts'),
  },
  {
    name: 'retiredPorts not a number',
    error: OptionError,
    run: create({ retiredPorts: '8' as unknown as number }),
    check: option('retiredPorts'),
  },
  {
    name: 'memId too large',
    error: OptionError,
    run: create({ memId: 65536 }),
    check: option('memId'),
  },
  {
    name: 'memId not an integer',
    error: OptionError,
    run: create({ memId: 1.5 }),
    check: option('memId'),
  },
  {
    name: 'sab not a SharedArrayBuffer',
    error: OptionError,
    run: create({ sab: wrong(new ArrayBuffer(regionBytes(OPTS))) }),
    check: option('sab'),
  },
  {
    name: 'sab too small for the options',
    error: OptionError,
    run: create({ sab: new SharedArrayBuffer(regionBytes(OPTS) - 64) }),
    check: option('sab'),
  },
  {
    name: 'total size too large',
    error: OptionError,
    run: create({ bufSize: 65536, bufCount: 32768 }),
    check: option('bufCount'),
  },
  {
    name: 'options not an object',
    error: OptionError,
    run: () => createRegion(wrong(null)),
    check: option('opts'),
  },
  {
    name: "bad options over a live region's own memory leave it untouched",
    error: OptionError,
    run: ({ r }) => createRegion({ ...OPTS, bufSize: 100, sab: r.sab }),
    check: option('bufSize'),
  },
  {
    name: "valid options but the live region's memory is too small",
    error: OptionError,
    run: ({ r }) => createRegion({ ...OPTS, bufCount: 400, sab: r.sab }),
    check: option('sab'),
  },

  // ---- attachRegion ------------------------------------------------------------
  {
    name: 'attach random bytes',
    error: AttachError,
    run: () => attachRegion(garbage(65536, 0x5eed)),
    check: reason('magic'),
  },
  {
    name: 'attach zeroed memory',
    error: AttachError,
    run: () => attachRegion(new SharedArrayBuffer(65536)),
    check: reason('magic'),
  },
  {
    name: 'attach a truncated copy',
    error: AttachError,
    run: ({ r }) => attachRegion(copyOf(r, r.totalBytes - 64)),
    check: reason('size'),
  },
  {
    name: 'attach less than a header',
    error: AttachError,
    run: ({ r }) => attachRegion(copyOf(r, 256)),
    check: reason('size'),
  },
  {
    name: 'attach a wrong layout version',
    error: AttachError,
    run: ({ r }) => {
      const sab = copyOf(r);
      new Int32Array(sab)[HDR_VERSION_I32] = REGION_VERSION + 1;
      return attachRegion(sab);
    },
    check: reason('version'),
  },
  {
    name: 'attach a version 4 region (before the retired-counters table)',
    error: AttachError,
    run: ({ r }) => {
      const sab = copyOf(r);
      new Int32Array(sab)[HDR_VERSION_I32] = 4;
      return attachRegion(sab);
    },
    check: reason('version'),
  },
  {
    name: 'attach a header whose retired-counters table overlaps the pools',
    error: AttachError,
    run: ({ r }) => {
      const sab = copyOf(r);
      new Int32Array(sab)[HDR_RETIRED_SLOTS_I32] = 4096;
      return attachRegion(sab);
    },
    check: reason('layout'),
  },
  {
    name: 'attach a header whose retired-counters table is misaligned',
    error: AttachError,
    run: ({ r }) => {
      const sab = copyOf(r);
      new Int32Array(sab)[HDR_RETIRED_OFF_I32] += 4;
      return attachRegion(sab);
    },
    check: reason('layout'),
  },
  {
    name: 'attach a header with a negative retired-counters size',
    error: AttachError,
    run: ({ r }) => {
      const sab = copyOf(r);
      new Int32Array(sab)[HDR_RETIRED_SLOTS_I32] = -1;
      return attachRegion(sab);
    },
    check: reason('layout'),
  },
  {
    name: 'attach a header with a negative total size',
    error: AttachError,
    run: ({ r }) => {
      const sab = copyOf(r);
      new Int32Array(sab)[HDR_TOTAL_BYTES_I32] = -64;
      return attachRegion(sab);
    },
  },
  {
    name: 'attach a header whose buf pool overruns the memory',
    error: AttachError,
    run: ({ r }) => {
      const sab = copyOf(r);
      new Int32Array(sab)[poolDescI32(POOL_BUF, PD_OBJ_SIZE_I32)] = 1 << 20;
      return attachRegion(sab);
    },
    check: reason('layout'),
  },
  {
    name: 'attach an ArrayBuffer',
    error: AttachError,
    run: ({ r }) => attachRegion(wrong(new ArrayBuffer(r.totalBytes))),
    check: reason('type'),
  },
  {
    name: 'attach null',
    error: AttachError,
    run: () => attachRegion(wrong(null)),
    check: reason('type'),
  },

  // ---- freeing buffers -----------------------------------------------------------
  {
    name: 'double free',
    error: DoubleFreeError,
    run: ({ r, singles }) => {
      r.freeBuf(singles[0]!);
      r.freeBuf(singles[0]!);
    },
    freed: 1,
    nowFree: ({ singles }) => [singles[0]!],
    check: (err, { r, singles }) => {
      expect((err as DoubleFreeError).index).toBe(singles[0]);
      expect(r.counters('buf').doubleFrees).toBe(1);
    },
  },
  {
    name: 'free of a never-allocated buffer',
    error: DoubleFreeError,
    run: ({ r }) => r.freeBuf(OPTS.bufCount - 1),
  },
  { name: 'free index 0', error: BadIndexError, run: ({ r }) => r.freeBuf(0) },
  { name: 'free index 1', error: BadIndexError, run: ({ r }) => r.freeBuf(1) },
  { name: 'free index bufCount', error: BadIndexError, run: ({ r }) => r.freeBuf(OPTS.bufCount) },
  { name: 'free a negative index', error: BadIndexError, run: ({ r }) => r.freeBuf(-3) },
  {
    name: 'free a non-integer index',
    error: BadIndexError,
    run: ({ r, singles }) => r.freeBuf(singles[0]! + 0.5),
  },
  { name: 'free NaN', error: BadIndexError, run: ({ r }) => r.freeBuf(NaN) },
  {
    name: 'freeBufs with a mix frees the valid ones and throws the first problem',
    error: BadIndexError,
    run: ({ r, singles }) => r.freeBufs([singles[0]!, 0, singles[1]!, singles[0]!, 9999]),
    freed: 2,
    nowFree: ({ singles }) => [singles[0]!, singles[1]!],
    check: (err, { r }) => {
      expect((err as BadIndexError).index).toBe(0);
      const c = r.counters('buf');
      expect(c.badIndex).toBe(2);
      expect(c.doubleFrees).toBe(1);
    },
  },
  {
    name: 'freeBufs whose first problem is a double free',
    error: DoubleFreeError,
    run: ({ r, singles }) => r.freeBufs(Uint32Array.of(singles[2]!, singles[2]!, singles[3]!)),
    freed: 2,
    nowFree: ({ singles }) => [singles[2]!, singles[3]!],
  },

  // ---- allocation arguments -------------------------------------------------------
  {
    name: 'allocBufs with a negative count',
    error: OptionError,
    run: ({ r }) => r.allocBufs(-1, new Uint32Array(4)),
  },
  {
    name: 'allocBufs into a too-short array',
    error: OptionError,
    run: ({ r }) => r.allocBufs(8, new Uint32Array(4)),
  },
  {
    name: 'allocBufs at a non-integer position',
    error: OptionError,
    run: ({ r }) => r.allocBufs(2, new Uint32Array(4), 0.5),
  },
  {
    name: 'allocExtraBufs with a negative count',
    error: OptionError,
    run: ({ r }) => r.allocExtraBufs(-1),
  },
  {
    name: 'allocExtraBufs with a non-integer count',
    error: OptionError,
    run: ({ r }) => r.allocExtraBufs(2.5),
  },

  // ---- corrupted extra-buffer lists ------------------------------------------------
  {
    name: 'extra list with a loop back to its head',
    error: CorruptListError,
    run: ({ r, extra }) => {
      setLink(r, extra[2]!, extra[0]!);
      return r.freeExtraList(extra[0]!);
    },
    freed: 3,
    nowFree: ({ extra }) => extra.slice(0, 3),
    check: (err, { extra }) => {
      const e = err as CorruptListError;
      expect([e.reason, e.freed, e.badIndex]).toEqual(['loop', 3, extra[0]]);
    },
  },
  {
    name: 'extra list whose buffer links to itself',
    error: CorruptListError,
    run: ({ r, extra }) => {
      setLink(r, extra[0]!, extra[0]!);
      return r.freeExtraList(extra[0]!);
    },
    freed: 1,
    nowFree: ({ extra }) => [extra[0]!],
    check: (err) => expect((err as CorruptListError).reason).toBe('loop'),
  },
  {
    name: 'extra list with an out-of-range link',
    error: CorruptListError,
    run: ({ r, extra }) => {
      setLink(r, extra[1]!, 5000);
      return r.freeExtraList(extra[0]!);
    },
    freed: 2,
    nowFree: ({ extra }) => extra.slice(0, 2),
    check: (err) => {
      const e = err as CorruptListError;
      expect([e.reason, e.freed, e.badIndex]).toEqual(['bad-index', 2, 5000]);
    },
  },
  {
    name: 'extra list with a link to reserved buffer 1',
    error: CorruptListError,
    run: ({ r, extra }) => {
      setLink(r, extra[3]!, 1);
      return r.freeExtraList(extra[0]!);
    },
    freed: 4,
    nowFree: ({ extra }) => extra.slice(0, 4),
    check: (err) => expect((err as CorruptListError).badIndex).toBe(1),
  },
  {
    name: 'extra list whose head is invalid',
    error: CorruptListError,
    run: ({ r }) => r.freeExtraList(-7),
    check: (err) => expect((err as CorruptListError).freed).toBe(0),
  },

  // ---- rings and if objects -----------------------------------------------------------
  {
    name: 'initRing with a non-power-of-two slot count',
    error: OptionError,
    run: ({ r, ringOff }) =>
      initRing(r, ringOff, { numSlots: 12, dir: RING_DIR_TX, ringId: 0, ownerIf: 1 }),
  },
  {
    name: 'initRing with fewer than 4 slots',
    error: OptionError,
    run: ({ r, ringOff }) =>
      initRing(r, ringOff, { numSlots: 2, dir: RING_DIR_TX, ringId: 0, ownerIf: 1 }),
  },
  {
    name: 'initRing with more slots than ringSize holds',
    error: OptionError,
    run: ({ r, ringOff }) =>
      initRing(r, ringOff, { numSlots: 16, dir: RING_DIR_TX, ringId: 0, ownerIf: 1 }),
  },
  {
    name: 'initRing with maxOffset >= bufSize',
    error: OptionError,
    run: ({ r, ringOff }) =>
      initRing(r, ringOff, {
        numSlots: 8,
        dir: RING_DIR_TX,
        ringId: 0,
        ownerIf: 1,
        maxOffset: OPTS.bufSize,
      }),
  },
  {
    name: 'freeRingObject of a misaligned offset',
    error: BadIndexError,
    run: ({ r, ringOff }) => r.freeRingObject(ringOff + 4),
  },
  {
    name: 'freeRingObject of reserved object 0',
    error: BadIndexError,
    run: ({ r }) => r.freeRingObject(r.ringBase),
  },
  {
    name: 'freeRingObject twice',
    error: DoubleFreeError,
    run: ({ r }) => {
      const off = r.allocRingObject();
      r.freeRingObject(off);
      r.freeRingObject(off);
    },
  },
  { name: 'freeIf of reserved object 0', error: BadIndexError, run: ({ r }) => r.freeIf(0) },
  { name: 'freeIf out of range', error: BadIndexError, run: ({ r }) => r.freeIf(OPTS.ifCount) },
];

/** Every pool: bitmap count = FREE counter, free + held = total - reserved; and the fixture's holdings. */
function expectConsistent(ctx: Ctx, before: number[], freed: number, nowFree: number[]): void {
  const { r } = ctx;
  const pools = r.pools();
  const bitmaps = [r.ifPool, r.ringPool, r.bufPool];
  pools.forEach((p, k) => {
    expect(bitmaps[k]!.countFree(), `${p.name} bitmap vs FREE counter`).toBe(p.free);
    expect(p.free + (p.allocs - p.frees), `${p.name} free + held`).toBe(p.objTotal - p.reserved);
  });
  expect(pools.map((p) => p.free)).toEqual([before[0], before[1], before[2]! + freed]);
  const free = new Set(nowFree);
  for (const i of [...ctx.singles, ...ctx.extra])
    expect(r.bufPool.isFree(i), `buffer ${i}`).toBe(free.has(i));
  expect([0, 1].map((i) => r.bufPool.isFree(i))).toEqual([false, false]);
  // Another thread attaching now sees the same state.
  const again = attachRegion(r.sab);
  expect(again.pools().map((p) => p.free)).toEqual(pools.map((p) => p.free));
  expect(again.bufPool.countFree()).toBe(pools[2]!.free);
}

describe('bad input', () => {
  it('has at least 15 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('$name', (c) => {
    const ctx = fixture();
    const before = ctx.r.pools().map((p) => p.free);
    let err: unknown = null;
    try {
      c.run(ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(c.error);
    c.check?.(err as Error, ctx);
    expectConsistent(ctx, before, c.freed ?? 0, c.nowFree?.(ctx) ?? []);
  });

  it('initRing that failed wrote nothing into the ring object', () => {
    const { r, ringOff } = fixture();
    expect(() =>
      initRing(r, ringOff, { numSlots: 12, dir: RING_DIR_TX, ringId: 3, ownerIf: 1 }),
    ).toThrow(OptionError);
    expect(r.u8.subarray(ringOff, ringOff + r.ringSize).every((b) => b === 0)).toBe(true);
  });

  it('an exhausted pool returns the sentinel, not an exception', () => {
    const { r } = fixture();
    const all = new Uint32Array(OPTS.bufCount);
    const got = r.allocBufs(OPTS.bufCount, all);
    expect(got).toBe(OPTS.bufCount - 2 - 15);
    expect(r.allocBuf()).toBe(0);
    expect(r.allocBufs(4, all)).toBe(0);
    expect(r.allocExtraBufs(3)).toEqual({ head: 0, count: 0 });
    expect(r.counters('buf').failures).toBe(4);
    expect(r.bufPool.countFree()).toBe(0);
    expect(r.freeBufs(all, got)).toBe(got);
    expect(r.bufPool.countFree()).toBe(got);
  });
});
