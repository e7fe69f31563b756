/** A tiny seeded PRNG (xorshift32) for frame sizes and drop decisions. `next`/`below` do not allocate. */
export class XorShift32 {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }

  /** Next value in [0, 2^32). */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (this.s = x >>> 0);
  }

  /** An integer in [0, n) for n <= 2^32 (multiply-shift, no `%`). */
  below(n: number): number {
    return Math.floor((this.next() / 0x100000000) * n);
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 0x100000000;
  }
}
