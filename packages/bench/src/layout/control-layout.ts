/**
 * Layout of the control block one bench case shares between the main thread
 * and its two workers: a small SharedArrayBuffer, one 64-byte line per writer.
 * Offsets ending in `_I32` index an Int32Array over it; `_F64` a Float64Array.
 *
 * Writers: (m) the main thread, (s) the sending worker, (r) the receiving
 * worker.
 *
 * ```
 *  +0    line 0 (m)  PHASE                  IDLE -> RUN -> MEASURE -> STOP
 *  +64   line 1 (s)  SENDER_DONE . SENT_TOTAL(f64, at byte 72)
 *  +128  line 2 (r)  RECEIVER_DONE
 *  +192  line 3 (s)  PING . LINE_RTT_NS(f64, at byte 200)
 *  +256  line 4 (r)  PONG
 * ```
 *
 * PING and PONG carry the line round trip each run measures as it starts
 * (Control.measureLineRtt): the time one cache line takes to go from one
 * side's core to the other's and back, so a slow run can be told from a slow
 * transport (see the README, "spread").
 *
 * PHASE is stored by the main thread with `Atomics.store` (and notified once,
 * for RUN). SENT_TOTAL is a plain store made before the `Atomics.store` of
 * SENDER_DONE, so a receiver that loads SENDER_DONE === 1 reads the total.
 */

export const CONTROL_BYTES = 320;

// line 0 (m)
export const CTL_PHASE_I32 = 0;
// line 1 (s)
export const CTL_SENDER_DONE_I32 = 16;
/** Packets the sender published in the whole run (warm-up included). */
export const CTL_SENT_TOTAL_F64 = 9;
// line 2 (r)
export const CTL_RECEIVER_DONE_I32 = 32;

export const CTL_PING_I32 = 48;
/** The sender's median line round trip, ns (NaN when the receiver did not answer). */
export const CTL_LINE_RTT_F64 = 25;
export const CTL_PONG_I32 = 64;

/** Workers are set up and wait for RUN. */
export const PHASE_IDLE = 0;
/** Traffic flows; this is the warm-up (not measured). */
export const PHASE_RUN = 1;
/** The receiver's measuring window is open. */
export const PHASE_MEASURE = 2;
/** The window is closed: the sender stops, the receiver drains what was sent. */
export const PHASE_STOP = 3;
