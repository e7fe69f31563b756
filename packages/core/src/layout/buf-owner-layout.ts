/**
 * Layout of the buffer-owner map: one u32 per buffer (bufCount words from
 * HDR_BUF_OWNER_OFF), saying where the buffer is. It is what holds the rule
 * "a buffer is in exactly one place at a time": a ring slot, a port's
 * extra-buffer list, or the free pool. A sync that finds a buffer in a slot
 * where it was not before moves the buffer's entry here with one
 * `Atomics.compareExchange`, and only when the buffer has left the place the
 * entry names (buf-owner.ts).
 *
 * Writers: (cas) library code only (syncs, extra-buffer calls, alloc/free,
 * destroy), always through Atomics. User code never writes it.
 *
 * ```
 *  bit 31 | 30 ..................... 15 | 14 ........... 0 |
 *      1  | ring object index (16 bits)  | slot (15 bits)   |   in a ring slot (SLOT)
 *  bit 31 30 29 | 28 .................................... 0 |
 *      0  1  0  | if index of the port (29 bits)           |   on a port's extra list (EXTRA)
 *      0  0  1  | if index of the port (29 bits)           |   taken off that list, not yet placed (TAKEN)
 *      0  0  0  | 0                                        |   free, or allocated and not placed (NONE)
 *
 * Bit 31 alone marks a SLOT code (the ring index uses bits 30..15); bits 30
 * and 29 tell EXTRA from TAKEN only when bit 31 is clear (`bufOwnerKind`).
 * ```
 *
 * The ring object index names the ring whose slot array holds the slot (the
 * transmit ring, for a pipe: its peer's receive ring shares the array).
 */
export const BUF_OWNER_NONE = 0;
// Codes are kept as signed 32-bit values, as an Int32Array and Atomics read them.
export const BUF_OWNER_SLOT = 0x80000000 | 0;
export const BUF_OWNER_EXTRA = 0x40000000;
export const BUF_OWNER_TAKEN = 0x20000000;
export const BUF_OWNER_IF_MASK = 0x1fffffff;
/** Bits of the slot number in a SLOT code (slots < MAX_RING_SLOTS = 32768). */
export const BUF_OWNER_SLOT_BITS = 15;
export const BUF_OWNER_SLOT_MASK = (1 << BUF_OWNER_SLOT_BITS) - 1;

/** The kind of an owner code: BUF_OWNER_SLOT, BUF_OWNER_EXTRA, BUF_OWNER_TAKEN or BUF_OWNER_NONE. */
export function bufOwnerKind(code: number): number {
  if (code < 0) return BUF_OWNER_SLOT;
  if ((code & BUF_OWNER_EXTRA) !== 0) return BUF_OWNER_EXTRA;
  if ((code & BUF_OWNER_TAKEN) !== 0) return BUF_OWNER_TAKEN;
  return BUF_OWNER_NONE;
}

/** The ring object index of a SLOT code. */
export function slotOwnerRing(code: number): number {
  return (code & 0x7fffffff) >>> BUF_OWNER_SLOT_BITS;
}
