/**
 * Round-trip times for ping: min, average, max, an exact p99 while it has
 * kept every sample (up to `maxSamples`, then a uniform reservoir sample), and
 * a log2 histogram in nanoseconds as pkt-gen prints it. `add` does not
 * allocate.
 */
export class RttStats {
  count = 0;
  sumUs = 0;
  minUs = Infinity;
  maxUs = 0;
  /** buckets[k] counts RTTs with floor(log2(ns)) === k (bucket 0 also holds < 1 ns). */
  readonly buckets = new Float64Array(64);
  private readonly samples: Float64Array;
  private kept = 0;
  private rng: number;

  constructor(
    readonly maxSamples = 1 << 20,
    seed = 1,
  ) {
    this.samples = new Float64Array(maxSamples);
    this.rng = seed >>> 0 || 1;
  }

  /** Records one RTT in microseconds. */
  add(us: number): void {
    this.count++;
    this.sumUs += us;
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
    const ns = us * 1000;
    const k = ns < 2 ? 0 : Math.min(63, Math.floor(Math.log2(ns)));
    this.buckets[k]!++;
    if (this.kept < this.maxSamples) {
      this.samples[this.kept++] = us;
    } else {
      // reservoir sampling (xorshift32): keep each of the `count` samples with equal probability
      let x = this.rng;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.rng = x >>> 0;
      const j = Math.floor((this.rng / 0x100000000) * this.count);
      if (j < this.maxSamples) this.samples[j] = us;
    }
  }

  get avgUs(): number {
    return this.count === 0 ? 0 : this.sumUs / this.count;
  }

  /** The q-quantile (0..1) of the kept samples, nearest-rank. Allocates a sorted copy. */
  quantileUs(q: number): number {
    if (this.kept === 0) return 0;
    const s = this.samples.slice(0, this.kept).sort();
    const rank = Math.min(this.kept - 1, Math.max(0, Math.ceil(q * this.kept) - 1));
    return s[rank]!;
  }

  /** Resets everything (for per-interval statistics). */
  reset(): void {
    this.count = 0;
    this.sumUs = 0;
    this.minUs = Infinity;
    this.maxUs = 0;
    this.buckets.fill(0);
    this.kept = 0;
  }

  /** Non-empty histogram rows: [lowNs, highNs), count. Allocates. */
  histogram(): { lowNs: number; highNs: number; count: number }[] {
    const out: { lowNs: number; highNs: number; count: number }[] = [];
    for (let k = 0; k < 64; k++) {
      const c = this.buckets[k]!;
      if (c > 0) out.push({ lowNs: k === 0 ? 0 : 2 ** k, highNs: 2 ** (k + 1), count: c });
    }
    return out;
  }
}
