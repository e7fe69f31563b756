/**
 * The control block a parent shares with a pktgen worker: one 64-byte
 * SharedArrayBuffer. The parent sets STOP (and notifies it) to stop the end;
 * the worker checks it once per batch and sleeps on it when rate-limited, so
 * a stop also cuts a sleep short.
 *
 * ```
 *  +0  STOP  (parent) 0 = run, 1 = stop
 * ```
 */
import { atomicsWaiter } from '@pktfabric/core';

export const CTRL_STOP_I32 = 0;
export const CTRL_BYTES = 64;

export function createControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(CTRL_BYTES);
}

/** Asks the end using this control block to stop, waking it if it sleeps. */
export function requestStop(ctrl: Int32Array): void {
  Atomics.store(ctrl, CTRL_STOP_I32, 1);
  atomicsWaiter.wake(ctrl, CTRL_STOP_I32);
}

export function stopRequested(ctrl: Int32Array): boolean {
  return Atomics.load(ctrl, CTRL_STOP_I32) !== 0;
}

/** Sleeps up to `ms` (a worker only), returning early when a stop is requested. */
export function sleepUnlessStopped(ctrl: Int32Array, ms: number): void {
  if (ms > 0) atomicsWaiter.wait(ctrl, CTRL_STOP_I32, 0, ms);
}
