/**
 * Seeded randomized allocator test: thousands of random allocBuf / allocBufs /
 * freeBuf / freeBufs / allocExtraBufs / freeExtraList calls (plus rejected
 * double frees) against a model. After every step: free + held = total -
 * reserved, no index is held twice, every held index is clear in the bitmap,
 * and the bitmap count equals the FREE counter and the model.
 *
 * The seed is printed; rerun one with `PKTF_SEED=<seed> npx vitest run test/alloc.random.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { attachRegion, createRegion, DoubleFreeError, type Region } from '../src/index.js';
import { testSeeds } from '../testing/index.js';

/** sfc32: small, fast, good enough for test sequences. */
function prng(seed: number): () => number {
  let a = 0x9e3779b9,
    b = 0x243f6a88,
    c = 0xb7e15162,
    d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

const STEPS = 5000;
const seeds = testSeeds(3, import.meta.url);

type Op =
  | 'allocBuf'
  | 'allocBufs'
  | 'freeBuf'
  | 'freeBufs'
  | 'allocExtraBufs'
  | 'freeExtraList'
  | 'doubleFree';
const WEIGHTS: [Op, number][] = [
  ['allocBuf', 20],
  ['allocBufs', 15],
  ['freeBuf', 18],
  ['freeBufs', 15],
  ['allocExtraBufs', 12],
  ['freeExtraList', 12],
  ['doubleFree', 3],
];
const WEIGHT_SUM = WEIGHTS.reduce((s, [, w]) => s + w, 0);

function run(seed: number): { steps: number; ops: Record<Op, number>; peakHeld: number } {
  const rnd = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const bufCount = rnd() < 0.1 ? int(4, 40) : int(41, 700);
  const a = createRegion({ bufSize: 64, bufCount, ringCount: 2, ifCount: 2, memId: 1 });
  // A second view of the same memory, as another thread would build it.
  const b = attachRegion(a.sab);
  const view = (): Region => (rnd() < 0.5 ? a : b);
  const usable = bufCount - 2;

  /** Model: who holds each buffer: 0 free, 1 single, 2 in an extra list. */
  const mark = new Uint8Array(bufCount);
  const singles: number[] = [];
  const lists: number[][] = [];
  let held = 0;
  let failures = 0;
  let peakHeld = 0;
  const ops = Object.fromEntries(WEIGHTS.map(([o]) => [o, 0])) as Record<Op, number>;

  const take = (idx: number, kind: 1 | 2, ctx: string): void => {
    expect(a.validBuf(idx), `${ctx}: ${idx} is a valid index`).toBe(true);
    expect(mark[idx], `${ctx}: ${idx} handed out while already held`).toBe(0);
    mark[idx] = kind;
    held++;
  };
  const release = (idx: number): void => {
    mark[idx] = 0;
    held--;
  };
  const pickSingle = (): number => {
    const k = int(0, singles.length - 1);
    const idx = singles[k]!;
    singles[k] = singles[singles.length - 1]!;
    singles.pop();
    return idx;
  };

  const check = (step: number, op: Op): void => {
    const where = `seed ${seed} step ${step} (${op})`;
    const c = a.counters('buf');
    const bitmap = a.bufPool.countFree();
    expect(c.free + held, `${where}: free + held = total - reserved`).toBe(usable);
    expect(bitmap, `${where}: bitmap count = FREE counter`).toBe(c.free);
    expect(c.allocs - c.frees, `${where}: allocs - frees = held`).toBe(held);
    expect(c.failures, `${where}: failures`).toBe(failures);
    expect(c.badIndex, `${where}: no bad index`).toBe(0);
    for (let i = 0; i < bufCount; i++) {
      if (a.bufPool.isFree(i) === (mark[i] !== 0 || i < 2)) {
        expect.fail(
          `${where}: buffer ${i} is ${mark[i] ? 'held' : 'free'} in the model but not in the bitmap`,
        );
      }
    }
  };

  for (let step = 0; step < STEPS; step++) {
    let r = rnd() * WEIGHT_SUM;
    let op: Op = 'allocBuf';
    for (const [o, w] of WEIGHTS) {
      if ((r -= w) < 0) {
        op = o;
        break;
      }
    }
    // Keep the pool moving between empty and full: bias towards frees when mostly held.
    if (held > usable * 0.8 && op.startsWith('alloc') && rnd() < 0.5) op = 'freeBufs';
    if ((op === 'freeBuf' || op === 'freeBufs') && singles.length === 0) op = 'allocBufs';
    if (op === 'freeExtraList' && lists.length === 0) op = 'allocExtraBufs';
    if (op === 'doubleFree' && held === usable) op = 'freeBuf';
    if (op === 'freeBuf' && singles.length === 0) op = 'allocBuf';
    ops[op]++;
    const v = view();
    const free = usable - held;

    switch (op) {
      case 'allocBuf': {
        const idx = v.allocBuf();
        if (free === 0) {
          expect(idx).toBe(0);
          failures++;
        } else {
          take(idx, 1, 'allocBuf');
          singles.push(idx);
        }
        break;
      }
      case 'allocBufs': {
        const n = rnd() < 0.2 ? int(0, usable + 4) : int(0, 40);
        const at = int(0, 3);
        const into = rnd() < 0.5 ? new Uint32Array(at + n) : new Array<number>(at + n).fill(0);
        const got = v.allocBufs(n, into, at);
        expect(got, `allocBufs(${n}) with ${free} free`).toBe(Math.min(n, free));
        if (got < n) failures++;
        for (let k = 0; k < got; k++) {
          take(into[at + k]!, 1, `allocBufs(${n})[${k}]`);
          singles.push(into[at + k]!);
        }
        break;
      }
      case 'freeBuf': {
        const idx = pickSingle();
        v.freeBuf(idx);
        release(idx);
        break;
      }
      case 'freeBufs': {
        const k = int(1, Math.min(singles.length, 48));
        const at = int(0, 2);
        const list = rnd() < 0.5 ? new Uint32Array(at + k) : new Array<number>(at + k).fill(0);
        for (let j = 0; j < k; j++) list[at + j] = pickSingle();
        expect(v.freeBufs(list, k, at)).toBe(k);
        for (let j = 0; j < k; j++) release(list[at + j]!);
        break;
      }
      case 'allocExtraBufs': {
        const n = rnd() < 0.2 ? int(0, bufCount) : int(0, Math.min(24, bufCount));
        const { head, count } = v.allocExtraBufs(n);
        expect(count, `allocExtraBufs(${n}) with ${free} free`).toBe(Math.min(n, free));
        if (count < n) failures++;
        const members: number[] = [];
        for (let i = head; i !== 0 && members.length <= count; i = v.u32[v.bufOffset(i) >>> 2]!) {
          take(i, 2, `extra list member ${members.length}`);
          members.push(i);
        }
        expect(members.length).toBe(count);
        expect(v.extraListLength(head)).toBe(count);
        if (count > 0) lists.push(members);
        else expect(head).toBe(0);
        break;
      }
      case 'freeExtraList': {
        const k = int(0, lists.length - 1);
        const members = lists[k]!;
        lists[k] = lists[lists.length - 1]!;
        lists.pop();
        expect(v.extraListLength(members[0]!)).toBe(members.length);
        expect(v.freeExtraList(members[0]!)).toBe(members.length);
        for (const i of members) release(i);
        break;
      }
      case 'doubleFree': {
        // Free an index that is free now: rejected, nothing changes.
        let idx = int(2, bufCount - 1);
        while (mark[idx] !== 0) idx = idx + 1 === bufCount ? 2 : idx + 1;
        const before = a.counters('buf');
        expect(() => v.freeBuf(idx)).toThrow(DoubleFreeError);
        const after = a.counters('buf');
        expect(after.doubleFrees).toBe(before.doubleFrees + 1);
        expect(after.free).toBe(before.free);
        break;
      }
    }
    peakHeld = Math.max(peakHeld, held);
    check(step, op);
  }

  // Return everything: the pool is back to full.
  a.freeBufs(singles);
  for (const m of lists) expect(b.freeExtraList(m[0]!)).toBe(m.length);
  expect(a.bufPool.countFree()).toBe(usable);
  expect(a.counters('buf').free).toBe(usable);
  const c = a.counters('buf');
  expect(c.allocs).toBe(c.frees);
  return { steps: STEPS, ops, peakHeld };
}

describe('allocator, seeded random operations', () => {
  it.each(seeds)('seed %i keeps free + held = total and never hands out a held index', (seed) => {
    const { ops, peakHeld } = run(seed);
    // The sequence really exercised every operation.
    for (const [o] of WEIGHTS) expect(ops[o], o).toBeGreaterThan(0);
    expect(peakHeld).toBeGreaterThan(0);
  });
});
