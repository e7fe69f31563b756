/**
 * One ZeroMQ message per batch: a 28-byte header, then each frame as a u32
 * length followed by its bytes (no padding). Little-endian. One message, one
 * part: packing beat one part per frame by about 8x here (256 × 60 B).
 *
 * ```
 *  +0   MAGIC     'PKFW'
 *  +4   VERSION   u16 (WIRE_VERSION)      +6 FLAGS u16 (0)
 *  +8   SEQ       u32: batch number in this sender's stream, from 0, wraps
 *  +12  COUNT     u32: frames in this message
 *  +16  PKT_LO    u32 \ number of the first frame in this sender's stream,
 *  +20  PKT_HI    u32 / from 0 (64-bit)
 *  +24  STREAM    u32: this sender's stream, drawn at random when its port
 *                 opens (0: a sender that does not say)
 *  +28  COUNT × { LEN u32, LEN bytes }
 * ```
 *
 * STREAM is what tells a sender that started again (a new stream: counted
 * from its own 0) from a message of the same stream that arrives after a
 * newer one (ZeroMQ fair-queues between connections, so a reconnect can
 * deliver what the old connection still held after the new one's first
 * messages): such a late message is skipped, since its packets were already
 * counted as lost when the newer one arrived, and delivering them would
 * reorder the stream.
 *
 * A receiver checks all of it (magic, version, count against the size, each
 * length against what is left, nothing left over) before it writes any frame
 * into a ring; a message that fails is counted (BAD) and skipped.
 */
/** 'PKFW' little-endian. */
export const WIRE_MAGIC = 0x57464b50;
export const WIRE_VERSION = 2;

export const WIRE_MAGIC_OFF = 0;
export const WIRE_VERSION_OFF = 4;
export const WIRE_FLAGS_OFF = 6;
export const WIRE_SEQ_OFF = 8;
export const WIRE_COUNT_OFF = 12;
export const WIRE_PKT_LO_OFF = 16;
export const WIRE_PKT_HI_OFF = 20;
export const WIRE_STREAM_OFF = 24;
export const WIRE_HEADER_BYTES = 28;
/** Bytes before each frame's payload (its length). */
export const WIRE_FRAME_HEADER_BYTES = 4;
