/**
 * Round-trip times of the ping-pong cases: a log-linear histogram of
 * nanoseconds (exact below 64 ns, then 32 buckets per power of two, so a
 * quantile is within 1/64 (1.6 %) of the true value), filled without
 * allocating, and its summary (count, min, p50, p99, max).
 */

/** What one run's pinging side reports (SideResult.rtt, CaseRun.rtt). All times in ns. */
export interface RttStats {
  /** Round trips measured (those completed inside the measured window). */
  count: number;
  minNs: number;
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
}

const SUB_BITS = 5;
const SUB = 1 << SUB_BITS;
/** Samples above 2^31 - 1 ns (2.1 s) are counted as 2^31 - 1. */
const MAX_NS = 0x7fffffff;
const BUCKETS = (31 - SUB_BITS) * SUB + 2 * SUB;

/** The bucket of `v` (an integer from 0 to MAX_NS). */
function bucketOf(v: number): number {
  if (v < 2 * SUB) return v;
  const shift = 31 - Math.clz32(v) - SUB_BITS;
  return shift * SUB + (v >>> shift);
}

/** The middle of bucket `i` (its value, below 64). */
function valueOf(i: number): number {
  if (i < 2 * SUB) return i;
  const shift = (i >>> SUB_BITS) - 1;
  const low = (i - shift * SUB) * 2 ** shift;
  return low + (2 ** shift - 1) / 2;
}

export class RttHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private n = 0;
  private min = Infinity;
  private max = 0;

  /** Adds one round trip of `ns` nanoseconds. No allocation. */
  add(ns: number): void {
    const v = ns <= 0 ? 0 : ns >= MAX_NS ? MAX_NS : Math.round(ns);
    this.counts[bucketOf(v)]!++;
    this.n++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  get count(): number {
    return this.n;
  }

  /** The q-quantile (0 < q <= 1) in ns, or 0 with no samples. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const want = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= want) return Math.min(Math.max(valueOf(i), this.min), this.max);
    }
    return this.max;
  }

  summary(): RttStats {
    return {
      count: this.n,
      minNs: this.n > 0 ? this.min : 0,
      p50Ns: this.quantile(0.5),
      p99Ns: this.quantile(0.99),
      maxNs: this.max,
    };
  }
}

/** Nanoseconds as text: `850 ns`, `1.23 us`, `45.6 us`, `1.20 ms`. */
export function formatNs(ns: number): string {
  if (ns < 1000) return `${Math.round(ns)} ns`;
  const us = ns / 1000;
  if (us < 10) return `${us.toFixed(2)} us`;
  if (us < 1000) return `${us.toFixed(1)} us`;
  return `${(us / 1000).toFixed(2)} ms`;
}
