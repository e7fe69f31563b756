/**
 * Public types of the throughput bench: the per-packet work, the options of
 * a run and its result. The cases themselves come from the registered
 * transports (cases.ts).
 */
import type { ChecksMode } from '@pktfabric/core';
import type { CaseName } from './cases.js';
import type { RttStats } from './rtt.js';

/**
 * The work done per packet:
 * - `index`: the sender sets the slot's len, the receiver reads it; payload untouched;
 * - `64b-rw`: the sender writes all 64 payload bytes (16 32-bit stores), the
 *   receiver reads all 64 (16 32-bit loads);
 * - `1500b-copy`: the sender copies a 1500-byte packet in (`Uint8Array.set`),
 *   the receiver copies it out into a buffer of its own (`Uint8Array.set`);
 * - `frame`: a frame of the case's size (TransportCase.frameBytes, e.g. 60
 *   or 1514 bytes): the sender stamps the packet's sequence number in its
 *   first 4 bytes and sets len, the receiver reads the stamp and len; the
 *   bytes in between are whatever the buffer holds. For rows where something
 *   else handles every byte of the frame (a capture writes it to a file, a
 *   replay copies it in).
 */
export type Work = 'index' | '64b-rw' | '1500b-copy' | 'frame';

/**
 * The checks a port-based case opens its ends with (core's `checks` open
 * option): `'slots'` validates every slot a user or the peer changed (the
 * default), `'ring'` is netmap's trust model (head / cur / tail and the
 * peer's tail checked, unflagged slots trusted). Null for cases without
 * ports (the hand ring, the message baselines).
 */
export type CaseMode = ChecksMode | null;

export interface CaseOptions {
  /**
   * Seconds of the measured window of one run.
   * @defaultValue 2
   */
  durationS?: number;
  /**
   * Seconds of traffic before the window opens (JIT warm-up, not measured).
   * @defaultValue min(0.5, durationS / 2)
   */
  warmupS?: number;
  /**
   * Packets per batch (one sync / publish / postMessage of a batch).
   * @defaultValue 512 (netmap's default burst)
   */
  burst?: number;
  /**
   * Slots per ring (pipe and hand ring), a power of two.
   * @defaultValue 1024
   */
  slots?: number;
  /**
   * Milliseconds after which a run that has not finished is declared hung:
   * both workers are terminated and the run fails with BenchCaseError.
   * @defaultValue (warmupS + durationS) * 1000 + 30000
   */
  hangGuardMs?: number;
}

export const DEFAULT_DURATION_S = 2;
export const DEFAULT_BURST = 512;
export const DEFAULT_SLOTS = 1024;
/** Packets a message sender may have in flight before it waits for an ack. */
export const MESSAGE_WINDOW_PACKETS = 2048;

/** The outcome of one run of one case. */
export interface CaseRun {
  case: CaseName;
  /** Packets per second the receiver consumed in the measured window. */
  pps: number;
  windowPackets: number;
  windowSeconds: number;
  /** Packets sent (and received, verified equal) in the whole run. */
  totalPackets: number;
  /** `Atomics.notify` calls both sides made in the whole run; null for message cases. */
  kicks: number | null;
  /** kicks per million packets of the whole run; null for message cases. */
  kicksPerMillion: number | null;
  /** Round-trip cases: the round-trip times of the measured window (absent for throughput cases). */
  rtt?: RttStats;
  /**
   * The time a cache line took to go from the sender's core to the
   * receiver's and back just before the run, ns (median of 10 blocks of 400
   * round trips; NaN when not measured). Runs of one machine differ here when
   * the host placed its two CPUs far apart: a slow run with a long line round
   * trip is the machine, not the transport.
   */
  lineRttNs: number;
}
