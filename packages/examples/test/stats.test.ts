import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testSeed } from '@pktfabric/core/testing';
import {
  FrameSizes,
  formatPps,
  norm,
  RateLimiter,
  RttStats,
  SeqTracker,
  XorShift32,
} from '../src/index.js';

describe('SeqTracker', () => {
  it('counts an in-order stream as clean', () => {
    const t = new SeqTracker();
    for (let s = 0; s < 100_000; s++) t.add(s);
    expect([t.received, t.gaps, t.missing, t.duplicates, t.reordered, t.stale]).toEqual([
      100_000, 0, 0, 0, 0, 0,
    ]);
  });

  it('reports a gap with its range', () => {
    const t = new SeqTracker();
    for (const s of [0, 1, 2, 5, 6, 7, 9]) t.add(s);
    expect(t.gaps).toBe(2);
    expect(t.missing).toBe(3);
    expect(t.gapRecords).toEqual([
      { from: 3, to: 4 },
      { from: 8, to: 8 },
    ]);
  });

  it('tells a late packet (reordered, fills the gap) from a duplicate', () => {
    const t = new SeqTracker();
    for (const s of [0, 1, 3, 2, 3, 1, 4]) t.add(s);
    expect(t.gaps).toBe(1);
    expect(t.reordered).toBe(1);
    expect(t.missing).toBe(0);
    expect(t.duplicates).toBe(2);
  });

  it('numbers older than the window are stale; a gap wider than the window still counts', () => {
    const t = new SeqTracker(0, 64);
    for (let s = 0; s < 10; s++) t.add(s);
    t.add(1000);
    expect(t.missing).toBe(990);
    t.add(5);
    expect(t.stale).toBe(1);
    t.add(999);
    expect(t.reordered).toBe(1);
    expect(t.missing).toBe(989);
  });

  it('wraps at 2^32', () => {
    const t = new SeqTracker(0xfffffffe);
    for (const s of [0xfffffffe, 0xffffffff, 0, 1, 3]) t.add(s);
    expect(t.gaps).toBe(1);
    expect(t.gapRecords).toEqual([{ from: 2, to: 2 }]);
    expect(t.next).toBe(4);
  });

  it('matches a set-based model on random streams (seeded)', () => {
    const seed = testSeed(import.meta.url);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 400 }), (list) => {
        const t = new SeqTracker(0, 1024);
        const seen = new Set<number>();
        let max = -1;
        let dups = 0;
        for (const s of list) {
          t.add(s);
          if (seen.has(s)) dups++;
          seen.add(s);
          max = Math.max(max, s);
        }
        // everything below the highest number seen that never arrived is missing
        let missing = 0;
        for (let s = 0; s <= max; s++) if (!seen.has(s)) missing++;
        return t.duplicates === dups && t.missing === missing && t.received === list.length;
      }),
      { seed, numRuns: 300 },
    );
  });
});

describe('RttStats', () => {
  it('min / avg / p99 / max and log2 buckets', () => {
    const r = new RttStats();
    for (let i = 1; i <= 100; i++) r.add(i); // 1..100 us
    expect(r.minUs).toBe(1);
    expect(r.maxUs).toBe(100);
    expect(r.avgUs).toBeCloseTo(50.5, 9);
    expect(r.quantileUs(0.99)).toBe(99);
    expect(r.quantileUs(0.5)).toBe(50);
    const h = r.histogram();
    // 1 us = 1000 ns -> bucket 512..1024 ns
    expect(h[0]).toEqual({ lowNs: 512, highNs: 1024, count: 1 });
    expect(h.reduce((a, b) => a + b.count, 0)).toBe(100);
  });

  it('keeps a bounded reservoir once full', () => {
    const r = new RttStats(16, 7);
    for (let i = 0; i < 10_000; i++) r.add(i < 9_000 ? 1 : 1000);
    expect(r.count).toBe(10_000);
    const p = r.quantileUs(0.5);
    expect(p === 1 || p === 1000).toBe(true);
  });
});

describe('RateLimiter', () => {
  it('lets packets go on schedule and forgets a backlog beyond one burst', () => {
    const l = new RateLimiter(1000, 10); // 1 packet per ms
    expect(l.allowance(0)).toBe(1);
    l.consume(1);
    expect(l.allowance(0.5)).toBe(0);
    expect(l.waitMs(0.5)).toBeCloseTo(0.5, 9);
    expect(l.allowance(5)).toBe(5);
    l.consume(5);
    expect(l.allowance(100)).toBe(10);
  });
});

describe('formatting and PRNG', () => {
  it('norm uses pkt-gen’s three decimals and unit prefixes', () => {
    expect(norm(512)).toBe('512 ');
    expect(formatPps(12_345_678)).toBe('12.346 Mpps');
    expect(formatPps(999.5)).toBe('999.500 pps');
  });

  it('XorShift32.below stays in range and repeats for a seed', () => {
    const a = new XorShift32(42);
    const b = new XorShift32(42);
    for (let i = 0; i < 10_000; i++) {
      const v = a.below(1455);
      expect(v).toBe(b.below(1455));
      expect(v >= 0 && v < 1455).toBe(true);
    }
  });

  it('FrameSizes: min when min = max; else min + XorShift32(seed).below(span), every size seen', () => {
    const fixed = new FrameSizes(60, 60, 7);
    for (let i = 0; i < 100; i++) expect(fixed.next()).toBe(60);
    const sizes = new FrameSizes(60, 64, 42);
    const ref = new XorShift32(42);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = sizes.next();
      expect(v).toBe(60 + ref.below(5));
      seen.add(v);
    }
    expect([...seen].sort((x, y) => x - y)).toEqual([60, 61, 62, 63, 64]);
  });
});
