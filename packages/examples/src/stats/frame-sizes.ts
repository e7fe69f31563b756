import { XorShift32 } from './xorshift.js';

/**
 * Frame lengths from `min` to `max` (pkt-gen's two `-l`): always `min` when
 * they are equal, else uniform from a xorshift32 seeded with `seed`, so a run
 * repeats with its seed. `next` does not allocate.
 */
export class FrameSizes {
  private readonly rng: XorShift32;
  private readonly min: number;
  private readonly span: number;

  constructor(min: number, max: number, seed: number) {
    this.rng = new XorShift32(seed);
    this.min = min;
    this.span = max - min + 1;
  }

  next(): number {
    return this.span === 1 ? this.min : this.min + this.rng.below(this.span);
  }
}
