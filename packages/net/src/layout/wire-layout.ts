/**
 * One ZeroMQ message per batch: a 24-byte header, then each frame as a u32
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
 *  +24  COUNT × { LEN u32, LEN bytes }
 * ```
 *
 * A receiver checks all of it (magic, version, count against the size, each
 * length against what is left, nothing left over) before it writes any frame
 * into a ring; a message that fails is counted (BAD) and skipped.
 */
/** 'PKFW' little-endian. */
export const WIRE_MAGIC = 0x57464b50;
export const WIRE_VERSION = 1;

export const WIRE_MAGIC_OFF = 0;
export const WIRE_VERSION_OFF = 4;
export const WIRE_FLAGS_OFF = 6;
export const WIRE_SEQ_OFF = 8;
export const WIRE_COUNT_OFF = 12;
export const WIRE_PKT_LO_OFF = 16;
export const WIRE_PKT_HI_OFF = 20;
export const WIRE_HEADER_BYTES = 24;
/** Bytes before each frame's payload (its length). */
export const WIRE_FRAME_HEADER_BYTES = 4;
