/**
 * The replay models against their definitions (models.ts), on a seeded
 * trace, with a virtual clock: each packet's send time is read off the
 * clock, so the checks are exact arithmetic or stated statistical bounds,
 * never the machine's timing.
 */
import { describe, expect, it } from 'vitest';
import { OptionError } from '@pktfabric/core';
import { testSeed } from '@pktfabric/core/testing';
import { XorShift32 } from '@pktfabric/examples';
import {
  ETHER_OVERHEAD_BYTES,
  parseBandwidth,
  parseDelay,
  parseLoss,
  replay,
  Schedule,
  VirtualClock,
  type PreparedTrace,
  type ReplayOptions,
  type ReplayTarget,
} from '../src/index.js';

const seed = testSeed(import.meta.url);

/** A seeded trace: lengths 60..1514, gaps 0..2*meanGapNs (integers); frame i carries i in bytes 0..3. */
function trace(n: number, meanGapNs: number, s = seed): PreparedTrace {
  const r = new XorShift32(s);
  const out: PreparedTrace = { trace: [], frames: [] };
  let t = 0;
  for (let i = 0; i < n; i++) {
    const len = 60 + r.below(1455);
    const f = new Uint8Array(len);
    new DataView(f.buffer).setUint32(0, i);
    out.frames.push(f);
    out.trace.push({ len, tsNs: t });
    t += r.below(2 * meanGapNs + 1);
  }
  return out;
}

/** Replays into a recorder: (trace index, send time) of every packet, in the order sent. */
async function run(p: PreparedTrace, o: Omit<ReplayOptions, 'clock'>, room = Infinity) {
  const clock = new VirtualClock();
  const idx: number[] = [];
  const at: number[] = [];
  let free = room;
  const target: ReplayTarget = {
    maxPacketBytes: 1 << 20,
    sendBatch(list, from, count) {
      const k = Math.min(count, free);
      for (let i = from; i < from + k; i++) {
        idx.push(new DataView(list[i]!.buffer).getUint32(0));
        at.push(clock.now);
      }
      free -= k;
      return k;
    },
    async waitWritable() {
      await clock.sleepNs(1000);
      free = room;
    },
  };
  const summary = await replay(target, p, { ...o, clock });
  return { idx, at, summary };
}

const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;

describe('bandwidth models', () => {
  const p = trace(2000, 10_000);

  it('constant,RATE: packet i leaves when the link has carried packets 0..i at RATE', async () => {
    const bps = parseBandwidth('constant,1g');
    expect(bps).toEqual({ kind: 'constant', bps: 1e9 });
    const { idx, at } = await run(p, { bandwidth: bps, burst: 1 });
    expect(idx).toEqual(p.trace.map((_, i) => i));
    let link = 0;
    p.trace.forEach((q, i) => {
      link += (8 * q.len * 1e9) / 1e9;
      // the virtual clock lands on each due time; 1e-6 relative covers float sums
      expect(Math.abs(at[i]! - link)).toBeLessThanOrEqual(link * 1e-9 + 1e-6);
    });
    // The rate between the first and the last packet: RATE within 0.01%.
    const bits = 8 * p.trace.slice(1).reduce((a, q) => a + q.len, 0);
    expect(Math.abs(bits / ((at.at(-1)! - at[0]!) / 1e9) / 1e9 - 1)).toBeLessThan(1e-4);
  });

  it('ether,RATE adds 24 bytes of wire overhead per packet', async () => {
    const { at } = await run(p, { bandwidth: parseBandwidth('ether,10G'), burst: 64 });
    const bits = 8 * p.trace.slice(1).reduce((a, q) => a + q.len + ETHER_OVERHEAD_BYTES, 0);
    expect(Math.abs(bits / ((at.at(-1)! - at[0]!) / 1e9) / 10e9 - 1)).toBeLessThan(1e-4);
  });

  it('real,SPEEDUP keeps the trace gaps divided by SPEEDUP; no -B is real,1', async () => {
    for (const [o, k] of [
      [{ bandwidth: parseBandwidth('real,4') }, 4],
      [{}, 1],
    ] as const) {
      const { at } = await run(p, o);
      p.trace.forEach((q, i) => expect(Math.abs(at[i]! - q.tsNs / k)).toBeLessThanOrEqual(1e-3));
    }
  });

  it('-n plays the trace again, in order, with a mean gap between rounds', async () => {
    const small = trace(50, 1000);
    const { idx, at, summary } = await run(small, { rounds: 3 });
    expect(summary.sent).toBe(150);
    expect(idx).toEqual([0, 1, 2].flatMap(() => small.trace.map((_, i) => i)));
    for (let i = 1; i < at.length; i++) expect(at[i]!).toBeGreaterThanOrEqual(at[i - 1]!);
  });
});

describe('delay models (sparse trace: gaps far above the delays, so the no-reorder floor never binds)', () => {
  const p = trace(4000, 10_000_000);
  const N = p.trace.length;
  const delays = async (spec: string): Promise<number[]> => {
    const { at } = await run(p, { delay: parseDelay(spec), seed });
    return at.map((t, i) => t - p.trace[i]!.tsNs);
  };

  it('constant,D delays every packet by D', async () => {
    for (const d of await delays('constant,25u')) expect(Math.abs(d - 25_000)).toBeLessThan(1e-3);
  });

  it('uniform,MIN,MAX: every delay in [MIN, MAX], mean within 4 sigma of (MIN+MAX)/2', async () => {
    const ds = await delays('uniform,10u,50u');
    for (const d of ds) {
      expect(d).toBeGreaterThanOrEqual(10_000 - 1e-3);
      expect(d).toBeLessThanOrEqual(50_000 + 1e-3);
    }
    const sigma = 40_000 / Math.sqrt(12 * N);
    expect(Math.abs(mean(ds) - 30_000)).toBeLessThan(4 * sigma);
  });

  it('exp,MEAN,MIN: every delay >= MIN, mean within 4 sigma of MEAN', async () => {
    const ds = await delays('exp,100u,20u');
    for (const d of ds) expect(d).toBeGreaterThanOrEqual(20_000 - 1e-3);
    const sigma = 80_000 / Math.sqrt(N); // an exponential's sd is its mean
    expect(Math.abs(mean(ds) - 100_000)).toBeLessThan(4 * sigma);
  });
});

describe('no reordering', () => {
  // Dense trace, delays much larger than the gaps: the floor binds all the time.
  const p = trace(3000, 200);
  for (const spec of ['constant,1m', 'uniform,0,2m', 'exp,1m,0'])
    for (const bw of ['real', 'constant,10g'])
      it(`-D ${spec} -B ${bw}: packets leave in trace order, times never going back`, async () => {
        const b = parseBandwidth(bw);
        const { idx, at } = await run(p, { delay: parseDelay(spec), bandwidth: b, seed }, 7);
        expect(idx).toEqual(p.trace.map((_, i) => i));
        for (let i = 1; i < at.length; i++) expect(at[i]!).toBeGreaterThanOrEqual(at[i - 1]!);
        // The schedule itself: each exit after the previous one by at least
        // the link time the packet takes (0 for real).
        const sc = new Schedule(
          p.trace,
          1,
          b,
          parseDelay(spec),
          { kind: 'none' },
          new XorShift32(seed),
        );
        let prev = -Infinity;
        while (sc.next()) {
          const tt = b.kind === 'real' ? 0 : 8 * p.trace[sc.index]!.len * (1e9 / 10e9);
          expect(sc.dueNs - prev).toBeGreaterThanOrEqual(tt - 1e-3);
          prev = sc.dueNs;
        }
      });
});

describe('loss models', () => {
  const p = trace(20_000, 1000);
  const N = p.trace.length;

  it('plr,P loses a binomial(N, P) count (within 4 sigma), the rest in order', async () => {
    const P = 0.05;
    const { idx, summary } = await run(p, { loss: parseLoss(`plr,${P}`), seed });
    const sigma = Math.sqrt(N * P * (1 - P));
    expect(Math.abs(summary.lost - N * P)).toBeLessThan(4 * sigma);
    expect(idx.length + summary.lost).toBe(N);
    for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!);
  });

  it('a lost packet takes no link time', async () => {
    const bw = parseBandwidth('constant,1g');
    const { idx, at } = await run(p, { loss: parseLoss('plr,0.3'), bandwidth: bw, seed });
    let link = 0;
    idx.forEach((i, k) => {
      link += 8 * p.trace[i]!.len;
      expect(Math.abs(at[k]! - link)).toBeLessThanOrEqual(link * 1e-9 + 1e-6);
    });
  });

  it('burst,P,MIN,MAX loses runs of MIN..MAX packets, bursts a binomial count', async () => {
    const { idx, summary } = await run(p, { loss: parseLoss('burst,0.01,3,6'), seed });
    expect(idx.length + summary.lost).toBe(N);
    // Every run of missing packets is at least MIN long (runs may touch), and
    // the mean burst is within [MIN, MAX].
    const sent = new Set(idx);
    let gap = 0;
    for (let i = 0; i <= N; i++) {
      if (i < N && !sent.has(i)) gap++;
      else {
        if (gap > 0) expect(gap).toBeGreaterThanOrEqual(3);
        gap = 0;
      }
    }
    expect(summary.lost / summary.bursts).toBeGreaterThanOrEqual(3);
    expect(summary.lost / summary.bursts).toBeLessThanOrEqual(6);
    // Bursts start only among the packets not already in a burst (N - lost + bursts tries).
    const tries = N - summary.lost + summary.bursts;
    expect(Math.abs(summary.bursts - tries * 0.01)).toBeLessThan(
      4 * Math.sqrt(tries * 0.01 * 0.99),
    );
  });
});

describe('model options', () => {
  it('refuse bad specifications with OptionError', () => {
    for (const s of [
      '',
      'ether',
      'ether,0',
      'constant,-1',
      'real,0',
      'real,1001',
      'real,x',
      'bogus,1',
    ])
      expect(() => parseBandwidth(s), s).toThrow(OptionError);
    for (const s of ['', 'uniform,5u', 'uniform,5u,1u', 'exp,1u,2u', 'constant,x', 'gauss,1,2'])
      expect(() => parseDelay(s), s).toThrow(OptionError);
    for (const s of ['plr,2', 'plr,-0.1', 'burst,0.1,0,3', 'burst,0.1,4,3', 'burst,0.1', 'ber,0.1'])
      expect(() => parseLoss(s), s).toThrow(OptionError);
    expect(parseBandwidth('100m')).toEqual({ kind: 'constant', bps: 1e8 });
    expect(parseDelay('1.5m')).toEqual({ kind: 'constant', ns: 1.5e6 });
    expect(parseLoss('0.25')).toEqual({ kind: 'plr', p: 0.25 });
  });

  it('refuse bad replay options with OptionError, before sending', async () => {
    const p = trace(3, 10);
    for (const o of [
      { rounds: 0 },
      { burst: 0 },
      { burst: 9000 },
      { seed: -1 },
      { intervalMs: 0.5 },
    ]) {
      const r = await run(p, o as ReplayOptions).catch((e: unknown) => e);
      expect(r).toBeInstanceOf(OptionError);
    }
  });
});
