/**
 * The control block (control.ts, layout/control-layout.ts) of a case whose
 * sides are processes: the same words, in a named shared-memory object, with
 * futexes instead of `Atomics.wait` / `notify` (V8's do not reach another
 * process, and on Node 20 the mapping is an ArrayBuffer, on which
 * `Atomics.wait` throws). The hot-path reads (`phase`, `stopped`,
 * `sentTotal`) are the base class's plain `Atomics.load`s.
 */
import { futexWaiter } from '@pktfabric/shm';
import { Control } from './control.js';
import { CTL_PHASE_I32, CTL_RECEIVER_DONE_I32, PHASE_IDLE } from './layout/control-layout.js';

/** Milliseconds a blocked side sleeps at most before looking at the word again. */
const WAIT_SLICE_MS = 1000;

export class ProcessControl extends Control {
  /** `buffer`: the mapping of the control object (at least CONTROL_BYTES). */
  constructor(buffer: SharedArrayBuffer | ArrayBuffer) {
    // Control only makes typed-array views over it; they work on both kinds.
    super(buffer as SharedArrayBuffer);
  }

  override setPhase(phase: number): void {
    Atomics.store(this.i32, CTL_PHASE_I32, phase);
    futexWaiter.wake(this.i32, CTL_PHASE_I32);
  }

  override waitForRun(): void {
    while (Atomics.load(this.i32, CTL_PHASE_I32) === PHASE_IDLE)
      futexWaiter.wait(this.i32, CTL_PHASE_I32, PHASE_IDLE, WAIT_SLICE_MS);
  }

  override markReceiverDone(): void {
    Atomics.store(this.i32, CTL_RECEIVER_DONE_I32, 1);
    futexWaiter.wake(this.i32, CTL_RECEIVER_DONE_I32);
  }

  override waitReceiverDone(): void {
    while (Atomics.load(this.i32, CTL_RECEIVER_DONE_I32) === 0)
      futexWaiter.wait(this.i32, CTL_RECEIVER_DONE_I32, 0, WAIT_SLICE_MS);
  }
}
