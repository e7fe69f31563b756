/**
 * Layout of the retired-counters table: the final counters of ports whose
 * if object was freed, kept until the region goes. It lies between the
 * buffer-owner map and the pools (region-layout.ts); its byte offset is
 * HDR_RETIRED_OFF and its number of named records HDR_RETIRED_SLOTS.
 *
 * Offsets named `_I32` index an Int32Array from the start of the table (the
 * table header) or of a record (add `(retiredOff + RT_HEADER_BYTES + r *
 * RETIRED_RECORD_BYTES) >>> 2`); `_BYTE` ones are byte offsets from there.
 *
 * Writers: (lk) the thread that frees a port's if object, holding the
 * region lock (Region.lock), and only then: once per freed port, never on
 * the data path. Readers take no lock: COUNT and SEQ are read and written
 * with Atomics, and a record is read between two loads of its SEQ (a
 * seqlock: odd while a writer is inside the record; a reader that sees it
 * odd or changed reads again).
 *
 * ```
 *  table +0    line 0 (lk)  COUNT (named records in use, 0..slots)  GEN (retires so far)
 *  table +64   record 0: the catch-all "(other closed ports)", NAME_LEN 0, KIND 0
 *  table +256  record 1 .. slots: one per port name, in the order first retired
 *
 *  record +0    SEQ KIND NAME_LEN RETIRES | KICKS TX_ERRORS RX_ERRORS WAKES_SENT | DROPS[4]
 *  record +48   TX_PKTS TX_BYTES RX_PKTS RX_BYTES        (Float64 totals)
 *  record +80   NAME: NAME_MAX_BYTES (48) bytes of printable ASCII, NAME_LEN used
 *  record +128  KIND_WORDS: the if object's 16 KIND words (port-layout.ts)
 *  record +192
 * ```
 *
 * A record adds up every port retired under its name: PKTS, BYTES (exact
 * to 2^53), ERRORS per direction, DROPS by reason (RING_DROP_*) over all
 * rings, KICKS (wake-ups received) and WAKES_SENT; RETIRES counts how many. Its KIND is the if object's
 * IF_KIND (PORT_KIND_*), and KIND_WORDS the kind's own words as the last
 * port of that name left them, except those the kind asked to be summed
 * (u32, wrapping) while the kind stays the same. When every named record
 * is taken, a port with a new name is added to record 0, whose RETIRES
 * then counts the ports folded there; no total is lost.
 */
/** Bytes of the table header (one line). */
export const RT_HEADER_BYTES = 64;
/** (lk, Atomics) Named records in use: records 1 .. COUNT are valid. */
export const RT_COUNT_I32 = 0;
/** (lk, Atomics) Ports retired into the table so far. */
export const RT_GEN_I32 = 1;

/** Bytes of one record (three lines). */
export const RETIRED_RECORD_BYTES = 192;

/** (lk, Atomics) Sequence word: odd while a writer is inside the record. */
export const RR_SEQ_I32 = 0;
/** (lk) IF_KIND of the ports retired here (PORT_KIND_*); 0 for the catch-all. */
export const RR_KIND_I32 = 1;
/** (lk) Bytes of NAME in use: 1..NAME_MAX_BYTES, 0 for the catch-all. */
export const RR_NAME_LEN_I32 = 2;
/** (lk) Ports retired into this record (u32). */
export const RR_RETIRES_I32 = 3;
/** (lk) Wake-ups of their sleepers (u32, wrapping). */
export const RR_KICKS_I32 = 4;
/** (lk) Sync errors of their TX rings (u32, wrapping). */
export const RR_TX_ERRORS_I32 = 5;
/** (lk) Sync errors of their RX rings (u32, wrapping). */
export const RR_RX_ERRORS_I32 = 6;
/** (lk) Wake-ups they sent: notify calls on other ports' doorbells (u32, wrapping). */
export const RR_WAKES_SENT_I32 = 7;
/** First of RING_DROP_REASONS words: drops by reason over all rings (u32, wrapping). */
export const RR_DROPS_I32 = 8;
/** (lk) Float64 totals, 8-byte aligned. */
export const RR_TX_PKTS_F64_BYTE = 48;
export const RR_TX_BYTES_F64_BYTE = 56;
export const RR_RX_PKTS_F64_BYTE = 64;
export const RR_RX_BYTES_F64_BYTE = 72;
/** (lk) First byte of the name. */
export const RR_NAME_OFF_BYTE = 80;
/** (lk) First of the IF_KIND_WORDS kind words. */
export const RR_KIND_WORDS_I32 = 32;

/** The name stat and readRetiredPorts give record 0. */
export const RETIRED_CATCH_ALL_NAME = '(other closed ports)';

/** Bytes of a table with `slots` named records (plus the header and the catch-all), 64-aligned. */
export function retiredTableBytes(slots: number): number {
  return RT_HEADER_BYTES + (slots + 1) * RETIRED_RECORD_BYTES;
}
