/** What the opener and a network port's I/O worker say to each other (a small typed union). */
import type { NetDirection, NetMode } from './api.js';

/** workerData of the I/O worker. */
export interface IoConfig {
  /** The region's memory when it is a SharedArrayBuffer. */
  sab?: SharedArrayBuffer;
  /** Otherwise the name of the shared region (@pktfabric/shm) to open. */
  regionName?: string;
  /** The pipe end the worker opens (`pipe}N`). */
  pipeEnd: string;
  /** If object of the user's end (its doorbell rings when the link changes). */
  userIf: number;
  /** If object of the worker's end, holding the counters. */
  netIf: number;
  endpoint: string;
  direction: NetDirection;
  mode: NetMode;
  bind: boolean;
  hwm: number;
  maxBatch: number;
  peerTimeoutMs: number;
  lingerMs: number;
}

export type IoMessage =
  /** Bound or connected; `endpoint` is the one ZeroMQ reports (the port it picked for `*`). */
  | { type: 'ready'; endpoint: string }
  /** A link went up (sent once, for waitPeerMs). */
  | { type: 'up' }
  | {
      type: 'error';
      error: { name: string; message: string; stack?: string; fields: Record<string, unknown> };
    };
