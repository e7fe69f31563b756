/**
 * The worker protocol of the bench: what the main thread hands a worker, and
 * the small typed union a worker posts back on its parentPort. Control during
 * a run goes through the shared control block (layout/control-layout.ts), not
 * through messages.
 */
import type { CaseName } from './cases.js';
import type { RttStats } from './rtt.js';

export type Role = 'sender' | 'receiver';

export interface WorkerInit {
  caseName: CaseName;
  role: Role;
  /** The control block (layout/control-layout.ts). */
  control: SharedArrayBuffer;
  burst: number;
  /** What the case's transport set up for this side (Shared.sender / .receiver data). */
  data: unknown;
}

/** What a side between processes gets (its first IPC message; bench-process.ts). */
export interface ProcessInit {
  caseName: CaseName;
  role: Role;
  /** The shared-memory object holding the control block (opened by name). */
  controlName: string;
  burst: number;
  /** What the case's transport set up for this side. */
  data: unknown;
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
  /** Round-trip cases: the side that pings reports its round-trip times here (rtt.ts). */
  rtt?: RttStats;
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
