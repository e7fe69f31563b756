/**
 * Views over a case's control block (layout/control-layout.ts) and the
 * receiver's measuring window. Created once per worker; the methods used per
 * batch (`phase`, `MeasureWindow.check`) do not allocate and do not block.
 */
import {
  CONTROL_BYTES,
  CTL_LINE_RTT_F64,
  CTL_PHASE_I32,
  CTL_PING_I32,
  CTL_PONG_I32,
  CTL_RECEIVER_DONE_I32,
  CTL_SENDER_DONE_I32,
  CTL_SENT_TOTAL_F64,
  PHASE_IDLE,
  PHASE_MEASURE,
  PHASE_RUN,
  PHASE_STOP,
} from './layout/control-layout.js';

/** Round trips of the line measurement, in blocks (the median block is reported). */
const LINE_RTT_ROUNDS = 4000;
const LINE_RTT_BLOCKS = 10;
/** A block of round trips (400, about 50 us on two free cores) taking longer than this gives up. */
const LINE_RTT_BLOCK_MS = 20;
/**
 * A side gives up the line measurement after this long: its peer is not set
 * up yet (a worker or process starting slowly), or the two are time-sliced
 * on a busy machine. Setting up is not part of the run, so this costs no
 * measured time.
 */
const LINE_RTT_GIVE_UP_MS = 3000;

/** Milliseconds a worker sleeps at most before re-checking the control block. */
export const CONTROL_POLL_MS = 20;

export function createControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES);
}

export class Control {
  readonly i32: Int32Array;
  private readonly f64: Float64Array;

  constructor(sab: SharedArrayBuffer) {
    this.i32 = new Int32Array(sab, 0, CONTROL_BYTES >>> 2);
    this.f64 = new Float64Array(sab, 0, CONTROL_BYTES >>> 3);
  }

  /** The current phase (one Atomics.load). */
  phase(): number {
    return Atomics.load(this.i32, CTL_PHASE_I32);
  }

  /** True once the main thread closed the window. */
  stopped(): boolean {
    return Atomics.load(this.i32, CTL_PHASE_I32) === PHASE_STOP;
  }

  /** Main thread: moves to `phase`; wakes workers blocked in `waitForRun`. */
  setPhase(phase: number): void {
    Atomics.store(this.i32, CTL_PHASE_I32, phase);
    Atomics.notify(this.i32, CTL_PHASE_I32);
  }

  /** Worker: blocks until the main thread leaves IDLE. */
  waitForRun(): void {
    while (Atomics.load(this.i32, CTL_PHASE_I32) === PHASE_IDLE) {
      Atomics.wait(this.i32, CTL_PHASE_I32, PHASE_IDLE, 1000);
    }
  }

  /**
   * Both sides, once, set up and before they say ready: the sender stores
   * PING = i and spins until the receiver has answered PONG = i,
   * LINE_RTT_ROUNDS times, and publishes the median of the LINE_RTT_BLOCKS
   * blocks but the first (which also waits for the receiver, and warms up) in
   * LINE_RTT_NS; the receiver answers. The sender gives up (NaN) when the
   * receiver does not come within LINE_RTT_GIVE_UP_MS or a block takes over
   * LINE_RTT_BLOCK_MS (the two are time-sliced: no meaningful figure). Under
   * a millisecond on two free cores, and not part of the run.
   */
  measureLineRtt(role: 'sender' | 'receiver'): void {
    const i32 = this.i32;
    if (role === 'receiver') {
      // Answer each ping until the last one, or until the sender gives up (-1)
      // or goes quiet for LINE_RTT_GIVE_UP_MS.
      let last = 0;
      let deadline = performance.now() + LINE_RTT_GIVE_UP_MS;
      while (last !== LINE_RTT_ROUNDS) {
        const p = Atomics.load(i32, CTL_PING_I32);
        if (p === -1) return;
        if (p !== last) {
          Atomics.store(i32, CTL_PONG_I32, p);
          last = p;
          deadline = performance.now() + LINE_RTT_GIVE_UP_MS;
        } else if ((last & 0xff) === 0 && performance.now() > deadline) return;
      }
      return;
    }
    const per = LINE_RTT_ROUNDS / LINE_RTT_BLOCKS;
    const blocks: number[] = [];
    let i = 0;
    for (let b = 0; b < LINE_RTT_BLOCKS; b++) {
      const t0 = performance.now();
      // The first block also waits for the receiver to get there.
      const limit = t0 + (b === 0 ? LINE_RTT_GIVE_UP_MS : LINE_RTT_BLOCK_MS);
      for (let k = 0; k < per; k++) {
        i++;
        Atomics.store(i32, CTL_PING_I32, i);
        let spins = 0;
        while (Atomics.load(i32, CTL_PONG_I32) !== i) {
          if (++spins === 1024) {
            spins = 0;
            if (performance.now() > limit) {
              // Not two free cores (or no receiver): no figure, and no time lost.
              Atomics.store(i32, CTL_PING_I32, -1);
              this.f64[CTL_LINE_RTT_F64] = NaN;
              return;
            }
          }
        }
      }
      if (b > 0) blocks.push(((performance.now() - t0) * 1e6) / per);
    }
    blocks.sort((a, c) => a - c);
    this.f64[CTL_LINE_RTT_F64] = blocks[blocks.length >>> 1]!;
  }

  /** Main thread, after the run: the line round trip the sender measured, ns (NaN if none). */
  lineRttNs(): number {
    const v = this.f64[CTL_LINE_RTT_F64]!;
    return v > 0 ? v : NaN;
  }

  /** Sender: publishes the total it sent (after its last publish). */
  markSenderDone(total: number): void {
    this.f64[CTL_SENT_TOTAL_F64] = total;
    Atomics.store(this.i32, CTL_SENDER_DONE_I32, 1);
  }

  /** Receiver: the sender's total once it is done, else -1. */
  sentTotal(): number {
    return Atomics.load(this.i32, CTL_SENDER_DONE_I32) === 1 ? this.f64[CTL_SENT_TOTAL_F64]! : -1;
  }

  markReceiverDone(): void {
    Atomics.store(this.i32, CTL_RECEIVER_DONE_I32, 1);
    Atomics.notify(this.i32, CTL_RECEIVER_DONE_I32);
  }

  /** Sender: blocks until the receiver drained everything (so closing cannot race it). */
  waitReceiverDone(): void {
    while (Atomics.load(this.i32, CTL_RECEIVER_DONE_I32) === 0) {
      Atomics.wait(this.i32, CTL_RECEIVER_DONE_I32, 0, 1000);
    }
  }
}

/**
 * The receiver's view of the measured window: it snapshots (time, packets)
 * when it first sees MEASURE and again when it first sees STOP. Each snapshot
 * is a consistent pair, so a receiver that notices a phase late still
 * measures a correct rate over the span between its two snapshots.
 */
export class MeasureWindow {
  private readonly control: Control;
  private last = PHASE_RUN;
  private t0 = -1;
  private n0 = 0;
  private t1 = -1;
  private n1 = 0;

  constructor(control: Control) {
    this.control = control;
  }

  /** Call once per batch with the packets received so far. One Atomics.load; no allocation. */
  check(received: number): void {
    const ph = this.control.phase();
    if (ph !== this.last) this.advance(ph, received);
  }

  /** Closes the window now if it is open (the receiver saw the sender's end before STOP). */
  close(received: number): void {
    this.advance(PHASE_STOP, received);
  }

  private advance(ph: number, received: number): void {
    this.last = ph;
    const now = performance.now();
    if (ph >= PHASE_MEASURE && this.t0 < 0) {
      this.t0 = now;
      this.n0 = received;
    }
    if (ph === PHASE_STOP && this.t1 < 0) {
      this.t1 = now;
      this.n1 = received;
    }
  }

  /** Packets in the window (0 when it never opened and closed). */
  get packets(): number {
    return this.t0 >= 0 && this.t1 >= 0 ? this.n1 - this.n0 : 0;
  }

  get seconds(): number {
    return this.t0 >= 0 && this.t1 >= 0 ? (this.t1 - this.t0) / 1000 : 0;
  }
}
