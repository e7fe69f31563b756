/**
 * The worker one pktgen end runs in: attaches the region, opens the port,
 * runs the mode, and posts events (see events.ts) to the parent. It always
 * closes its end, so the peer sees the end of the stream.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { attachRegion } from '@pktfabric/core';
import type { Port } from '@pktfabric/core';
import { closeNamedPort, openNamedPort } from '../util/open-port.js';
import { serializeError } from '../errors.js';
import type { WorkerMessage } from './events.js';
import { waitForPeer } from './mode-env.js';
import type { ResolvedPktgenOptions } from './options.js';
import { runMode } from './run-mode.js';

export interface PktgenWorkerData {
  sab: SharedArrayBuffer;
  /** A region shared by processes: the worker opens it by name (its memory cannot be posted on Node 20). */
  regionName?: string;
  ctrl: SharedArrayBuffer;
  opts: ResolvedPktgenOptions;
}

const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
const { sab, regionName, ctrl, opts } = workerData as PktgenWorkerData;
let ep: Port | null = null;
try {
  const region =
    regionName === undefined
      ? attachRegion(sab)
      : (await import('@pktfabric/shm')).openSharedRegion(regionName);
  // A network port takes its direction from the mode: tx modes send, rx
  // modes receive, ping and pong go both ways (pong binds, ping connects).
  const direction = opts.mode.startsWith('tx') ? 'out' : opts.mode.startsWith('rx') ? 'in' : 'both';
  ep = await openNamedPort(region, opts.port, {
    direction,
    ...(opts.mode === 'pong' ? { bind: true } : {}),
    ...(regionName !== undefined ? { regionName } : {}),
  });
  post({ type: 'ready' });
  const env = { region, ep, o: opts, ctrl: new Int32Array(ctrl), emit: post };
  waitForPeer(env);
  const summary = runMode(env);
  post({ type: 'done', summary });
} catch (e) {
  post({ type: 'error', error: serializeError(e) });
} finally {
  try {
    if (ep !== null) await closeNamedPort(ep);
  } catch (e) {
    post({ type: 'error', error: serializeError(e) });
  }
}
