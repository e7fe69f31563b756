/**
 * Layout of a pipe's if object (one per pipe, from the region's if pool).
 * Offsets ending in `_I32` index an Int32Array over the whole region,
 * relative to the if object's first word.
 *
 * Writers: (ro) fixed at creation; (L) changed only under the port-name table
 * lock (open, close, destroy); (e) the end itself; (x) the other end or a
 * closer, through Atomics. Ends and writers have their own 64-byte lines.
 *
 * ```
 *  +0    line 0 (ro)  MAGIC PIPE_ID RINGS SLOTS MAX_OFFSET | REFS (L)
 *  +64   line 1 (L)   master end: STATE OPENS EXCL OWNER EXTRA_HEAD EXTRA_COUNT
 *  +128  line 2 (x)   master end: DOORBELL KICKS      <- the master sleeps here
 *  +192  line 3 (e)   master end: WAITERS
 *  +256  line 4..6    slave end: the same three lines
 *  +448  ring table   RINGS x 2 entries: byte offsets of the ring objects
 *                     [m2s TX (owns slots), m2s RX, s2m TX (owns slots), s2m RX]
 *                     per ring index, 4 words each
 * ```
 */

/** 'PIPE' little-endian. */
export const PIPE_MAGIC = 0x45504950;

export const PIPE_MAGIC_I32 = 0;
export const PIPE_ID_I32 = 1;
export const PIPE_RINGS_I32 = 2;
export const PIPE_SLOTS_I32 = 3;
export const PIPE_MAX_OFFSET_I32 = 4;
/** References: one per open of either end, plus one held by createPipe's handle. (L) */
export const PIPE_REFS_I32 = 5;

/** First word of end `e` (0 master, 1 slave). Each end has 3 lines = 48 words. */
export const PIPE_END_BASE_I32 = 16;
export const PIPE_END_STRIDE_I32 = 48;

// line A (L)
export const END_STATE_I32 = 0;
export const END_OPENS_I32 = 1;
export const END_EXCL_I32 = 2;
/** threadId of the last opener (for watchWorker). */
export const END_OWNER_I32 = 3;
export const END_EXTRA_HEAD_I32 = 4;
export const END_EXTRA_COUNT_I32 = 5;
// line B (x)
export const END_DOORBELL_I32 = 16;
export const END_KICKS_I32 = 17;
// line C (e)
export const END_WAITERS_I32 = 32;

/** END_STATE values. */
export const END_NEVER = 0;
export const END_OPEN = 1;
export const END_CLOSED = 2;
/** Its worker exited while it was open. */
export const END_DEAD = 3;

export const PIPE_RING_TABLE_I32 = 112;
export const PIPE_RING_ENTRY_I32 = 4;
/** Ring-table entry fields. */
export const RT_M2S_TX = 0;
export const RT_M2S_RX = 1;
export const RT_S2M_TX = 2;
export const RT_S2M_RX = 3;

export const END_MASTER = 0;
export const END_SLAVE = 1;

export function endI32(end: number, field: number): number {
  return PIPE_END_BASE_I32 + end * PIPE_END_STRIDE_I32 + field;
}

/** Most rings per direction an if object of `ifSize` bytes can describe. */
export function maxRingsFor(ifSize: number): number {
  return Math.floor((ifSize / 4 - PIPE_RING_TABLE_I32) / PIPE_RING_ENTRY_I32);
}
