/** What every pktgen mode runs with, inside its worker. */
import type { Region } from '@pktfabric/core';
import type { PipeEndpoint } from '@pktfabric/pipes';
import { PeerWaitError } from '../errors.js';
import { sleepUnlessStopped, stopRequested } from './control.js';
import type { IntervalEvent } from './events.js';
import type { ResolvedPktgenOptions } from './options.js';

export interface ModeEnv {
  region: Region;
  ep: PipeEndpoint;
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
