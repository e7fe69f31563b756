/**
 * Layout of the hand-written baseline ring: a single-producer single-consumer
 * ring of fixed-size slots in one SharedArrayBuffer, the simplest thing a
 * careful programmer would write without pktfabric. Offsets ending in `_I32`
 * index an Int32Array/Uint32Array over the whole buffer.
 *
 * Writers: (p) producer, (c) consumer, (ro) fixed at creation.
 *
 * ```
 *  +0    line 0 (p)   WRITE        free-running count of published slots
 *  +64   line 1 (c)   READ         free-running count of consumed slots
 *  +128  line 2 (c)   C_SLEEPING   1 while the consumer waits on WRITE
 *  +192  line 3 (p)   P_SLEEPING   1 while the producer waits on READ
 *  +256  line 4 (ro)  NUM_SLOTS SLOT_BYTES
 *  +320  len[0..NUM_SLOTS)             u32 each (c reads, p writes)
 *  ...   payload[0..NUM_SLOTS)         SLOT_BYTES each, 64-byte aligned
 * ```
 *
 * Slot i of count c is `c & (NUM_SLOTS - 1)`; the ring holds NUM_SLOTS
 * packets when `WRITE - READ === NUM_SLOTS` (32-bit wrap-around arithmetic).
 */

export const HR_WRITE_I32 = 0;
export const HR_READ_I32 = 16;
export const HR_C_SLEEPING_I32 = 32;
export const HR_P_SLEEPING_I32 = 48;
export const HR_NUM_SLOTS_I32 = 64;
export const HR_SLOT_BYTES_I32 = 65;
/** Byte offset of the len array. */
export const HR_LENS_BYTE = 320;

/** Byte offset of the payload area for `numSlots` slots. */
export function handRingPayloadByte(numSlots: number): number {
  return Math.ceil((HR_LENS_BYTE + numSlots * 4) / 64) * 64;
}

/** Total bytes of a hand ring. */
export function handRingBytes(numSlots: number, slotBytes: number): number {
  return handRingPayloadByte(numSlots) + numSlots * slotBytes;
}
