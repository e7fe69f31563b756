/**
 * The batch a stage function works on: up to `burst` packets that sit in
 * ring buffers of the shared region (the stage gets them zero-copy). A stage
 * reads and rewrites bytes in place, may shorten or lengthen a packet within
 * its buffer, and marks packets to drop. Survivors go on to the next stage
 * in order.
 */

export interface PacketBatch {
  /** The region's bytes: packet i is `u8[offset(i) .. offset(i) + len(i))`. */
  readonly u8: Uint8Array;
  /** Number of packets in the batch. */
  readonly length: number;
  /** Byte offset of packet i in `u8`. */
  offset(i: number): number;
  /** Length of packet i in bytes. */
  len(i: number): number;
  /** Sets the length of packet i (0 .. capacity(i)). Throws RangeError otherwise. */
  setLen(i: number, len: number): void;
  /** Bytes packet i may grow to (the rest of its buffer). */
  capacity(i: number): number;
  /** Marks packet i dropped: it is not passed on and counts as a drop. */
  drop(i: number): void;
  dropped(i: number): boolean;
  /** A Uint8Array over packet i (allocates a view; hot code uses `u8` with `offset`). */
  view(i: number): Uint8Array;
}

/**
 * The runtime's batch: typed arrays sized once for the largest burst, filled
 * per batch. None of its methods allocate except `view`.
 */
export class SlotBatch implements PacketBatch {
  length = 0;
  /** Ring slot each packet came from (for the runtime). */
  readonly slots: Int32Array;
  private readonly offs: Int32Array;
  private readonly lens: Int32Array;
  private readonly caps: Int32Array;
  private readonly drops: Uint8Array;

  constructor(
    readonly u8: Uint8Array,
    readonly maxPackets: number,
  ) {
    this.slots = new Int32Array(maxPackets);
    this.offs = new Int32Array(maxPackets);
    this.lens = new Int32Array(maxPackets);
    this.caps = new Int32Array(maxPackets);
    this.drops = new Uint8Array(maxPackets);
  }

  /** Empties the batch. */
  reset(): void {
    this.drops.fill(0, 0, this.length);
    this.length = 0;
  }

  /** Appends a packet (runtime use). */
  push(slot: number, off: number, len: number, cap: number): void {
    const i = this.length++;
    this.slots[i] = slot;
    this.offs[i] = off;
    this.lens[i] = len;
    this.caps[i] = cap;
  }

  offset(i: number): number {
    return this.offs[i]!;
  }
  len(i: number): number {
    return this.lens[i]!;
  }
  setLen(i: number, len: number): void {
    if (!Number.isInteger(len) || len < 0 || len > this.caps[i]!)
      throw new RangeError(`packet ${i}: length must be 0..${this.caps[i]} (got ${len})`);
    this.lens[i] = len;
  }
  capacity(i: number): number {
    return this.caps[i]!;
  }
  drop(i: number): void {
    if (i >= 0 && i < this.length) this.drops[i] = 1;
  }
  dropped(i: number): boolean {
    return this.drops[i] === 1;
  }
  /** Number of packets marked dropped. */
  dropCount(): number {
    let n = 0;
    for (let i = 0; i < this.length; i++) n += this.drops[i]!;
    return n;
  }
  view(i: number): Uint8Array {
    return this.u8.subarray(this.offs[i]!, this.offs[i]! + this.lens[i]!);
  }
}

/**
 * A batch over copies of `frames`, each in its own `bufSize`-byte slot of a
 * fresh buffer: for testing stage functions without workers or rings.
 */
export function batchOf(frames: readonly Uint8Array[], bufSize = 2048): SlotBatch {
  const u8 = new Uint8Array(Math.max(1, frames.length) * bufSize);
  const b = new SlotBatch(u8, Math.max(1, frames.length));
  frames.forEach((f, i) => {
    if (f.length > bufSize) throw new RangeError(`frame ${i} is longer than ${bufSize}`);
    u8.set(f, i * bufSize);
    b.push(i, i * bufSize, f.length, bufSize);
  });
  return b;
}
