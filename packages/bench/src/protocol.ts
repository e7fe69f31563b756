/**
 * The worker protocol of the bench: what the main thread hands a worker, and
 * the small typed union a worker posts back on its parentPort. Control during
 * a run goes through the shared control block (layout/control-layout.ts), not
 * through messages.
 */
import type { MessagePort } from 'node:worker_threads';
import type { CaseName } from './api.js';

export type Role = 'sender' | 'receiver';

export interface WorkerInit {
  caseName: CaseName;
  role: Role;
  /** The control block (layout/control-layout.ts). */
  control: SharedArrayBuffer;
  burst: number;
  /** pipe cases: the region; handring cases: the ring. */
  sab?: SharedArrayBuffer;
  /** pipe cases: the port name this worker opens (`pipe{N` or `pipe}N`). */
  portName?: string;
  /** message cases: this worker's end of the MessageChannel (transferred). */
  port?: MessagePort;
}

export interface SideResult {
  role: Role;
  /** Packets sent or received in the whole run. */
  packets: number;
  /** 32-bit fold of every packet's checksum (see packet-work.ts). */
  checksum: number;
  /** `Atomics.notify` calls this side made, or -1 when not applicable. */
  kicks: number;
  /** Receiver only: packets in the measured window and its length in seconds. */
  windowPackets: number;
  windowSeconds: number;
}

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; result: SideResult }
  | { type: 'error'; error: SerializedError };
