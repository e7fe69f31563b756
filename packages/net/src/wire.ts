/**
 * Encoding and checking batch messages (layout/wire-layout.ts). The I/O
 * worker and the bench's raw ZeroMQ baseline both use these.
 */
import {
  WIRE_COUNT_OFF,
  WIRE_FLAGS_OFF,
  WIRE_FRAME_HEADER_BYTES,
  WIRE_HEADER_BYTES,
  WIRE_MAGIC,
  WIRE_MAGIC_OFF,
  WIRE_PKT_HI_OFF,
  WIRE_PKT_LO_OFF,
  WIRE_SEQ_OFF,
  WIRE_STREAM_OFF,
  WIRE_VERSION,
  WIRE_VERSION_OFF,
} from './layout/wire-layout.js';

const TWO32 = 0x1_0000_0000;

/**
 * Writes the header of a batch of `count` frames, batch number `seq`, first
 * packet number `pkt`, of sender stream `stream` (0: unsaid). Does not allocate.
 */
export function writeHeader(
  buf: Buffer,
  seq: number,
  count: number,
  pkt: number,
  stream = 0,
): void {
  buf.writeUInt32LE(WIRE_MAGIC, WIRE_MAGIC_OFF);
  buf.writeUInt16LE(WIRE_VERSION, WIRE_VERSION_OFF);
  buf.writeUInt16LE(0, WIRE_FLAGS_OFF);
  buf.writeUInt32LE(seq >>> 0, WIRE_SEQ_OFF);
  buf.writeUInt32LE(count >>> 0, WIRE_COUNT_OFF);
  buf.writeUInt32LE(pkt % TWO32, WIRE_PKT_LO_OFF);
  buf.writeUInt32LE(Math.floor(pkt / TWO32), WIRE_PKT_HI_OFF);
  buf.writeUInt32LE(stream >>> 0, WIRE_STREAM_OFF);
}

/**
 * Checks a whole message: header, every frame length against what is left,
 * and nothing left over. Returns the frame count, or -1 for a message that
 * is not ours. Does not allocate.
 */
export function checkMessage(buf: Buffer): number {
  const size = buf.length;
  if (size < WIRE_HEADER_BYTES) return -1;
  if (buf.readUInt32LE(WIRE_MAGIC_OFF) !== WIRE_MAGIC) return -1;
  if (buf.readUInt16LE(WIRE_VERSION_OFF) !== WIRE_VERSION) return -1;
  const count = buf.readUInt32LE(WIRE_COUNT_OFF);
  if (count > (size - WIRE_HEADER_BYTES) / WIRE_FRAME_HEADER_BYTES) return -1;
  let p = WIRE_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (size - p < WIRE_FRAME_HEADER_BYTES) return -1;
    const len = buf.readUInt32LE(p);
    p += WIRE_FRAME_HEADER_BYTES;
    if (len > size - p) return -1;
    p += len;
  }
  return p === size ? count : -1;
}

/** Batch number of a checked message. */
export function messageSeq(buf: Buffer): number {
  return buf.readUInt32LE(WIRE_SEQ_OFF);
}

/** Sender stream of a checked message. */
export function messageStream(buf: Buffer): number {
  return buf.readUInt32LE(WIRE_STREAM_OFF);
}

/** A stream number for a sender that opens: random, never 0. */
export function newStreamId(): number {
  const a = new Uint32Array(1);
  while (a[0] === 0) crypto.getRandomValues(a);
  return a[0]!;
}

/** First packet number of a checked message. */
export function messagePkt(buf: Buffer): number {
  return buf.readUInt32LE(WIRE_PKT_HI_OFF) * TWO32 + buf.readUInt32LE(WIRE_PKT_LO_OFF);
}

/** Packs `frames` into one message (allocates it). For tools and tests; the I/O worker copies from ring buffers itself. */
export function encodeBatch(frames: readonly Uint8Array[], seq: number, pkt: number): Buffer {
  let size = WIRE_HEADER_BYTES;
  for (const f of frames) size += WIRE_FRAME_HEADER_BYTES + f.length;
  const buf = Buffer.allocUnsafe(size);
  writeHeader(buf, seq, frames.length, pkt);
  let p = WIRE_HEADER_BYTES;
  for (const f of frames) {
    buf.writeUInt32LE(f.length, p);
    buf.set(f, p + WIRE_FRAME_HEADER_BYTES);
    p += WIRE_FRAME_HEADER_BYTES + f.length;
  }
  return buf;
}
