/** What every pktgen mode runs with, inside its worker. */
import type { Region } from '@pktfabric/core';
import { POLLIN, type Port } from '@pktfabric/core';
import { PeerWaitError } from '../errors.js';
import type { RateLimiter } from '../stats/rate-limiter.js';
import { sleepUnlessStopped, stopRequested } from './control.js';
import type { IntervalEvent, PktgenSummary } from './events.js';
import type { Meter } from './meter.js';
import type { ResolvedPktgenOptions } from './options.js';

export interface ModeEnv {
  region: Region;
  ep: Port;
  o: ResolvedPktgenOptions;
  /** The control block (see control.ts). */
  ctrl: Int32Array;
  emit: (ev: IntervalEvent) => void;
}

/** Longest single blocking poll, so that stop requests and reports are seen in time. */
export const POLL_SLICE_MS = 100;

/** Timeout for a poll: the slice, shortened to the next report. */
export function pollTimeout(untilReport: number): number {
  return untilReport < POLL_SLICE_MS ? (untilReport > 1 ? untilReport : 1) : POLL_SLICE_MS;
}

/**
 * `-w`: waits until the peer end has opened (or has already come and gone),
 * up to `waitSec`. Throws PeerWaitError on timeout. Setup code: sleeps in
 * 1 ms steps on the control word.
 */
export function waitForPeer(env: ModeEnv): void {
  const { ep, o, ctrl } = env;
  if (o.waitSec <= 0) return;
  const t0 = performance.now();
  const deadline = t0 + o.waitSec * 1000;
  while (!ep.peerOpen && !ep.peerClosed && !stopRequested(ctrl)) {
    if (performance.now() > deadline) throw new PeerWaitError(o.port, Math.round(o.waitSec * 1000));
    sleepUnlessStopped(ctrl, 1);
  }
}

/**
 * How many frames the sending modes may send now: the burst, cut to what
 * `-n` leaves and to what `-R` allows. Returns 0 after sleeping (until the
 * rate allows more or the next report is due) when the rate allows none.
 * Does not allocate.
 */
export function burstBudget(
  env: ModeEnv,
  sent: number,
  limiter: RateLimiter | null,
  meter: Meter,
  now: number,
): number {
  const { o } = env;
  let want = o.burst;
  if (o.count > 0 && o.count - sent < want) want = o.count - sent;
  if (limiter !== null) {
    const a = limiter.allowance(now);
    if (a === 0) {
      const w = limiter.waitMs(now);
      const r = meter.untilReport(now);
      sleepUnlessStopped(env.ctrl, w < r ? w : r);
      return 0;
    }
    if (a < want) want = a;
  }
  return want;
}

/**
 * Why a mode's loop ends before its next turn: a stop request, or `-n`
 * reached after `done` frames. Null to go on.
 */
export function limitReached(env: ModeEnv, done: number): PktgenSummary['ended'] | null {
  if (stopRequested(env.ctrl)) return 'stopped';
  if (env.o.count > 0 && done >= env.o.count) return 'count';
  return null;
}

/**
 * One turn of the receiving modes (rx, pong) on RX ring 0, after `done`
 * frames: why to end ('stopped', 'count', or 'peer-closed' when the ring is
 * empty and the peer had closed before the sync), 'empty' after a poll for
 * POLLIN up to the next report, or 'ready' when frames wait in [head, tail).
 * Starts the meter at the first frame and ticks it after. Does not allocate.
 */
export function rxTurn(
  env: ModeEnv,
  meter: Meter,
  done: number,
): PktgenSummary['ended'] | 'ready' | 'empty' {
  const stop = limitReached(env, done);
  if (stop !== null) return stop;
  const { ep } = env;
  // Read the peer's state before syncing: whatever it sent before closing is then visible.
  const closed = ep.peerClosed;
  ep.rxsync();
  const rx = ep.rxRings[0]!;
  const now = performance.now();
  if (meter.started) meter.tick(now);
  if (rx.head === rx.tail) {
    if (closed) return 'peer-closed';
    ep.poll(POLLIN, pollTimeout(meter.untilReport(now)));
    return 'empty';
  }
  if (!meter.started) meter.start(now);
  return 'ready';
}
