/**
 * The per-packet work of each case, identical for the pipe, the hand ring and
 * the message baselines so that their numbers compare the transport only.
 *
 * Each write returns a 32-bit checksum of what it wrote and each read one of
 * what it read; sender and receiver fold them with `(sum + x) | 0`, and the
 * engine compares the two folds at the end: a bench that lost, duplicated or
 * garbled a packet fails instead of reporting a speed.
 *
 * Hot path: `write` and `read` do not allocate (the 1500-byte reader creates
 * one view per distinct buffer, the first time it sees that buffer) and never
 * block. Each worker constructs exactly one kind, so call sites stay
 * monomorphic and V8 inlines them.
 */
import type { Work } from './api.js';

/** Bytes of the 64b-rw payload. */
export const RW_BYTES = 64;
/** 32-bit words of the 64b-rw payload. */
export const RW_WORDS = RW_BYTES >>> 2;
/** Bytes of the 1500b-copy payload. */
export const COPY_BYTES = 1500;
/** len the index cases declare (pkt-gen's default 60-byte frame). */
export const INDEX_LEN = 60;

/** Smallest and largest frame of the `frame` work (its stamp; one 2048-byte buffer). */
export const MIN_FRAME_BYTES = 4;
export const MAX_FRAME_BYTES = 2048;

/**
 * Bytes per packet (len) of each work of a fixed size: a case's packetSize.
 * The `frame` work's size is the case's (TransportCase.frameBytes).
 */
export const WORK_BYTES: Readonly<Record<Exclude<Work, 'frame'>, number>> = {
  index: INDEX_LEN,
  '64b-rw': RW_BYTES,
  '1500b-copy': COPY_BYTES,
};

export interface PacketWork {
  /** Bytes per packet (what the sender stores as len). */
  readonly len: number;
  /** Writes packet `seq` whose payload starts at byte `off` (64-byte aligned). Returns its checksum. */
  write(off: number, seq: number): number;
  /**
   * Reads a packet of `len` bytes at byte `off`. `key` names the buffer (a
   * buffer index or slot number, stable for a given `off`). Returns its checksum.
   */
  read(off: number, len: number, key: number): number;
}

/** Index only: len is the packet; the payload is not touched. */
export class IndexWork implements PacketWork {
  readonly len = INDEX_LEN;
  write(_off: number, _seq: number): number {
    return INDEX_LEN;
  }
  read(_off: number, len: number, _key: number): number {
    return len;
  }
}

/** 64 bytes written as 16 u32 stores (word k of packet s is s + k) and read as 16 u32 loads. */
export class Rw64Work implements PacketWork {
  readonly len = RW_BYTES;
  private readonly u32: Uint32Array;

  constructor(u8: Uint8Array) {
    this.u32 = new Uint32Array(u8.buffer, u8.byteOffset, u8.byteLength >>> 2);
  }

  write(off: number, seq: number): number {
    return writeRw64(this.u32, off >>> 2, seq);
  }

  read(off: number, len: number, _key: number): number {
    return len === RW_BYTES ? readRw64(this.u32, off >>> 2) : len;
  }
}

/** Writes the 64-byte payload of packet `seq` at word `w` of `u32`; returns its checksum. No allocation. */
export function writeRw64(u32: Uint32Array, w: number, seq: number): number {
  for (let k = 0; k < RW_WORDS; k++) u32[w + k] = (seq + k) | 0;
  // the sum over k of (seq + k) is 16 seq + 120, mod 2^32
  return (Math.imul(seq, RW_WORDS) + (RW_WORDS * (RW_WORDS - 1)) / 2) | 0;
}

/** Reads the 64-byte payload at word `w` of `u32`; returns its checksum. No allocation. */
export function readRw64(u32: Uint32Array, w: number): number {
  let s = 0;
  for (let k = 0; k < RW_WORDS; k++) s = (s + u32[w + k]!) | 0;
  return s;
}

/**
 * 1500 bytes copied in from the sender's own packet (seq stamped in its first
 * word) and copied out into the receiver's own buffer, with `Uint8Array.set`.
 */
export class Copy1500Work implements PacketWork {
  readonly len = COPY_BYTES;
  private readonly u8: Uint8Array;
  /** The sender's packet, or the receiver's destination. */
  private readonly own = new Uint8Array(COPY_BYTES);
  private readonly own32 = new Uint32Array(this.own.buffer, 0, 1);
  /** Receiver: a view of each buffer it has seen, by key (made once per buffer). */
  private readonly views: (Uint8Array | undefined)[] = [];

  constructor(u8: Uint8Array) {
    this.u8 = u8;
    for (let i = 0; i < COPY_BYTES; i++) this.own[i] = (i * 7 + 3) & 0xff;
  }

  write(off: number, seq: number): number {
    this.own32[0] = seq;
    this.u8.set(this.own, off);
    return seq | 0;
  }

  read(off: number, len: number, key: number): number {
    if (len !== COPY_BYTES) return len;
    let v = this.views[key];
    if (v === undefined || v.byteOffset !== off) {
      v = this.u8.subarray(off, off + COPY_BYTES);
      this.views[key] = v;
    }
    this.own.set(v);
    return this.own32[0]! | 0;
  }
}

/**
 * A frame of `len` bytes: the sender stamps its sequence number in the
 * frame's first 32-bit word and touches nothing else; the receiver reads the
 * stamp. Both checksums are stamp + len, so a lost, repeated, cut or
 * renumbered frame shows. The frame's other bytes are whatever its buffer
 * held: this work is for rows where something else handles them all (the
 * capture rows write every byte to a file, the replay rows copy every byte
 * of a prepared trace in).
 */
export class FrameWork implements PacketWork {
  readonly len: number;
  private readonly u32: Uint32Array;

  constructor(u8: Uint8Array, len: number) {
    if (!Number.isInteger(len) || len < MIN_FRAME_BYTES || len > MAX_FRAME_BYTES)
      throw new RangeError(
        `frame work: len must be an integer from ${MIN_FRAME_BYTES} to ${MAX_FRAME_BYTES}, got ${len}`,
      );
    this.len = len;
    this.u32 = new Uint32Array(u8.buffer, u8.byteOffset, u8.byteLength >>> 2);
  }

  write(off: number, seq: number): number {
    this.u32[off >>> 2] = seq;
    return frameChecksum(seq, this.len);
  }

  read(off: number, len: number, _key: number): number {
    return frameChecksum(this.u32[off >>> 2]!, len);
  }
}

/** The checksum of a frame stamped `stamp` of `len` bytes, as FrameWork folds it. */
export function frameChecksum(stamp: number, len: number): number {
  return (stamp + len) | 0;
}

/**
 * The work object for `work` over the memory `u8` (a region, a hand ring, or
 * a message buffer). `frameBytes`: the frame size, for the `frame` work only.
 */
export function makeWork(work: Work, u8: Uint8Array, frameBytes?: number): PacketWork {
  switch (work) {
    case 'index':
      return new IndexWork();
    case '64b-rw':
      return new Rw64Work(u8);
    case '1500b-copy':
      return new Copy1500Work(u8);
    case 'frame':
      if (frameBytes === undefined) throw new RangeError('frame work: no frame size');
      return new FrameWork(u8, frameBytes);
  }
}
