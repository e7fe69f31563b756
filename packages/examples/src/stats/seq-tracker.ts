/**
 * What rxseq learns from the 32-bit sequence numbers it receives: gaps
 * (forward jumps, and how many numbers they skipped), duplicates, and
 * reordering (a number that arrives after a higher one and fills a gap). A
 * bitmap of the last `window` numbers tells duplicates from late arrivals;
 * anything older than the window is counted as `stale`. Numbers wrap at 2^32
 * (compared with signed 32-bit differences). `add` does not allocate, except
 * to record one of the first `maxGapRecords` gaps.
 */

export interface GapRecord {
  /** First missing sequence number. */
  from: number;
  /** Last missing sequence number (inclusive). */
  to: number;
}

export class SeqTracker {
  received = 0;
  /** Forward jumps seen. */
  gaps = 0;
  /** Numbers skipped by forward jumps and not filled in since. */
  missing = 0;
  duplicates = 0;
  /** Numbers that arrived after a higher one (each fills one missing number). */
  reordered = 0;
  /** Numbers older than the window: late or duplicate, it cannot tell. */
  stale = 0;
  /** The first gaps, for the report. */
  readonly gapRecords: GapRecord[] = [];
  private expected: number;
  private readonly bits: Uint32Array;
  private readonly mask: number;
  private readonly window: number;

  /**
   * @param start the first number expected (pktgen's txseq starts at 0).
   * @param window numbers remembered for duplicate detection, a power of two.
   */
  constructor(
    start = 0,
    window = 1 << 16,
    readonly maxGapRecords = 16,
  ) {
    if (!Number.isInteger(window) || window < 32 || (window & (window - 1)) !== 0)
      throw new RangeError(`window must be a power of two >= 32 (got ${window})`);
    this.expected = start >>> 0;
    this.window = window;
    this.mask = window - 1;
    this.bits = new Uint32Array(window >>> 5);
  }

  /** The next number expected in order. */
  get next(): number {
    return this.expected;
  }

  /** Records one received sequence number. */
  add(seq: number): void {
    this.received++;
    const d = (seq - this.expected) | 0;
    if (d === 0) {
      this.set(seq);
      this.expected = (seq + 1) >>> 0;
    } else if (d > 0) {
      this.gaps++;
      this.missing += d;
      if (this.gapRecords.length < this.maxGapRecords)
        this.gapRecords.push({ from: this.expected, to: (seq - 1) >>> 0 });
      if (d >= this.window) this.bits.fill(0);
      else for (let s = this.expected; s !== seq; s = (s + 1) >>> 0) this.clear(s);
      this.set(seq);
      this.expected = (seq + 1) >>> 0;
    } else if (-d > this.window) {
      this.stale++;
    } else if (this.isSet(seq)) {
      this.duplicates++;
    } else {
      this.reordered++;
      this.missing--;
      this.set(seq);
    }
  }

  private set(s: number): void {
    const b = s & this.mask;
    this.bits[b >>> 5]! |= 1 << (b & 31);
  }
  private clear(s: number): void {
    const b = s & this.mask;
    this.bits[b >>> 5]! &= ~(1 << (b & 31));
  }
  private isSet(s: number): boolean {
    const b = s & this.mask;
    return (this.bits[b >>> 5]! & (1 << (b & 31))) !== 0;
  }
}
