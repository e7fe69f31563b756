/**
 * Layout of one ring object in the ring pool (netmap's `netmap_ring`), and of
 * its 16-byte slots (stored by column, see below). Offsets ending in `_I32`
 * index an Int32Array/Uint32Array over the whole region, relative to the
 * ring's first word.
 *
 * Writers: (ro) fixed when the ring is made; (u) the user of this ring's end
 * (moves head and cur, sets flags); (k) this end's sync code (moves tail,
 * mirrors the kring's hwcur and hwtail, stamps ts); (p) the peer end's sync
 * code. Each writer has its own 64-byte line.
 *
 * ```
 *  +0    line 0 (ro)  NUM_SLOTS BUF_SIZE RING_ID DIR SLOTS_OFF SHADOW_OFF
 *                     OFFSET_MASK MEM_ID PEER_OFF OWNER_IF MAX_OFFSET
 *  +64   line 1 (u)   HEAD CUR FLAGS
 *  +128  line 2 (k)   TAIL HWCUR HWTAIL . ERRORS . TS(f64)
 *                     PKTS(f64) BYTES(f64) DROPS[4]          <- counters
 *  +192  line 3 (p)   PIPE_TAIL
 *  +256  slots, by column, n = NUM_SLOTS u32 words per column:
 *          bufIdx[n] | lenFlags[n] (len u16 low, flags u16 high) | ptrLo[n] | ptrHi[n]
 *        shadow[n]: the last validated bufIdx of each slot (k): written by the
 *          sync of whichever end holds the slot (never both at once), and
 *          cleared by a claim that moved its buffer to another place
 * ```
 *
 * HWCUR and HWTAIL are copies, for observers, of the kring's own state, which
 * the sync code keeps in memory of its thread (kring.ts): a sync never reads
 * them back, so a stray store into the ring cannot change what it trusts. A
 * sleeper does not wait on a ring word: it waits on its port's doorbell
 * (port-layout.ts).
 *
 * Counters (line 2, written by this end's sync once per sync, plain stores,
 * read by anyone at any time without stopping the data path): PKTS and
 * BYTES are Float64 totals (exact to 2^53) of the packets and payload bytes
 * this ring's syncs handed on (transmit: published; receive: imported);
 * DROPS[r] counts packets dropped for reason r (RING_DROP_*); ERRORS counts
 * syncs that found an error. They live in the ring object, so they outlast
 * an end's close; when the port is destroyed, its kind adds them to the
 * region's retired-counters table (retired-layout.ts) before the ring
 * object is freed, and they stay there until the region goes. A reader on another thread sees each word
 * as last stored; a Float64 store is one aligned 8-byte store on the
 * platforms V8 runs on (x64, arm64), so it is not torn in practice.
 *
 * A slot keeps netmap's fields and widths (`bufIdx u32, len u16, flags u16,
 * ptr u64`, 16 bytes), but the slot array is stored column by column rather
 * than slot by slot: word `SLOTS_OFF/4 + col * n + i` is column `col` of slot
 * `i`. Typed arrays have no structs, so nothing is lost in JS, and the lines a
 * pipe moves between cores shrink fourfold: a sender that only writes len
 * dirties one 4-byte word per packet (16 packets per 64-byte line, as a plain
 * length ring), while the bufIdx, ptr and shadow columns stay read-only and
 * cached on both cores until a buffer is swapped.
 *
 * A ring whose slots live in another ring (the receive side of a pipe shares
 * the sender's slot array) has SLOTS_OFF / SHADOW_OFF pointing there.
 */

export const RING_HEADER_BYTES = 256;
export const SLOT_BYTES = 16;
/** Columns (u32 words) per slot. */
export const SLOT_COLS = 4;
export const SHADOW_BYTES = 4;

// line 0 (ro)
export const RING_NUM_SLOTS_I32 = 0;
export const RING_BUF_SIZE_I32 = 1;
export const RING_ID_I32 = 2;
/** 0 = transmit, 1 = receive. */
export const RING_DIR_I32 = 3;
/** Absolute byte offset of the slot array this ring uses. */
export const RING_SLOTS_OFF_I32 = 4;
/** Absolute byte offset of the shadow array (last validated buffer per slot). */
export const RING_SHADOW_OFF_I32 = 5;
/** Mask applied to the low word of `ptr` to get the per-slot buffer offset. */
export const RING_OFFSET_MASK_I32 = 6;
export const RING_MEM_ID_I32 = 7;
/** Absolute byte offset of the linked (peer) ring, 0 if none. */
export const RING_PEER_OFF_I32 = 8;
/** Index of the if object that owns this ring. */
export const RING_OWNER_IF_I32 = 9;
/** Largest per-slot offset the ring accepts (chosen at registration; the mask may allow more). */
export const RING_MAX_OFFSET_I32 = 10;

// line 1 (u)
export const RING_HEAD_I32 = 16;
export const RING_CUR_I32 = 17;
export const RING_FLAGS_I32 = 18;

// line 2 (k)
export const RING_TAIL_I32 = 32;
export const RING_HWCUR_I32 = 33;
export const RING_HWTAIL_I32 = 34;
/** Sync errors this ring's kring counted (a copy for observers). */
export const RING_ERRORS_I32 = 36;
/** Timestamp in ms (Float64) of the last rxsync that imported, when FLAGS has NR_TIMESTAMP; 8-byte aligned. */
export const RING_TS_F64_BYTE = 152;
/** Packets this ring's syncs handed on (Float64 total); 8-byte aligned. */
export const RING_PKTS_F64_BYTE = 160;
/** Payload bytes of those packets (Float64 total); 8-byte aligned. */
export const RING_BYTES_F64_BYTE = 168;
/** First of RING_DROP_REASONS words: packets dropped, by reason (RING_DROP_*). */
export const RING_DROPS_I32 = 44;
/** A received slot failed its check and was made harmless (its packet is lost). */
export const RING_DROP_BAD_SLOT = 0;
/** No room in this ring (a monitor copy or a switch forward that found it full). */
export const RING_DROP_RING_FULL = 1;
/** No port to deliver to (a switch: destination gone or unknown). */
export const RING_DROP_NO_DEST = 2;
/** Any other reason a port kind counts. */
export const RING_DROP_OTHER = 3;
export const RING_DROP_REASONS = 4;
/** Names of the drop reasons, by index (for tools). */
export const RING_DROP_NAMES = ['bad-slot', 'ring-full', 'no-dest', 'other'] as const;

// line 3 (p)
export const RING_PIPE_TAIL_I32 = 48;

export const RING_DIR_TX = 0;
export const RING_DIR_RX = 1;

// slot columns: column c of slot i is word SLOTS_OFF/4 + c * NUM_SLOTS + i
export const SLOT_BUF_IDX_COL = 0;
/** len in the low 16 bits, flags in the high 16 bits. */
export const SLOT_LEN_FLAGS_COL = 1;
export const SLOT_PTR_LO_COL = 2;
export const SLOT_PTR_HI_COL = 3;
export const SLOT_LEN_MAX = 0xffff;

/** The application put another buffer in the slot. */
export const NS_BUF_CHANGED = 0x0001;
/** Ask for a completion report. */
export const NS_REPORT = 0x0002;
/** Forward the packet to the other side (switch ports). */
export const NS_FORWARD = 0x0004;
/** The packet continues in the next slot. At most MAX_FRAGS slots per packet. */
export const NS_MOREFRAG = 0x0020;
/** A monitor slot that came from the TX side. */
export const NS_TXMON = 0x0040;
export const MAX_FRAGS = 64;

/** Ring flags (RING_FLAGS). */
export const NR_TIMESTAMP = 0x0002;
export const NR_FORWARD = 0x0004;

/** Bytes one ring object needs for `numSlots` slots (header + slots + shadow), 64-aligned. */
export function ringBytes(numSlots: number): number {
  return Math.ceil((RING_HEADER_BYTES + numSlots * (SLOT_BYTES + SHADOW_BYTES)) / 64) * 64;
}
