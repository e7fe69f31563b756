/** What a pktgen end reports while it runs and when it ends (cloneable: crosses from its worker). */
import type { SerializedError } from '../errors.js';
import type { GapRecord } from '../stats/seq-tracker.js';
import type { PktgenMode } from './options.js';

export interface RttSummary {
  count: number;
  minUs: number;
  avgUs: number;
  /** Median round trip. */
  p50Us: number;
  p99Us: number;
  maxUs: number;
  /** Replies that did not come back within the ping timeout. */
  lost: number;
  /** log2 buckets in ns: [lowNs, highNs) and count. */
  histogram: { lowNs: number; highNs: number; count: number }[];
}

export interface SeqSummary {
  received: number;
  gaps: number;
  missing: number;
  duplicates: number;
  reordered: number;
  stale: number;
  gapRecords: GapRecord[];
}

/** One report line's worth: the numbers of the last interval. */
export interface IntervalEvent {
  type: 'interval';
  mode: PktgenMode;
  port: string;
  /** ms since this end's clock started. */
  atMs: number;
  intervalMs: number;
  packets: number;
  bytes: number;
  batches: number;
  pps: number;
  bps: number;
  avgBatch: number;
  /** ping: the interval's RTTs. */
  rtt?: { count: number; minUs: number; avgUs: number; p99Us: number };
}

export interface PktgenSummary {
  mode: PktgenMode;
  port: string;
  /** Packets sent (tx, txseq, ping, pong) or received (rx, rxseq). */
  packets: number;
  bytes: number;
  /** Syncs that moved packets (pkt-gen's "events"). */
  batches: number;
  elapsedMs: number;
  pps: number;
  bps: number;
  /** bps counting the 24 bytes per frame a wire adds (preamble, CRC, gap). */
  rawBps: number;
  avgBatch: number;
  /** Why it stopped: its count was reached, the peer closed (and everything was drained), or it was stopped. */
  ended: 'count' | 'peer-closed' | 'stopped';
  /** ping and pong: packets received. */
  received?: number;
  seq?: SeqSummary;
  rtt?: RttSummary;
}

export type WorkerMessage =
  | { type: 'ready' }
  | IntervalEvent
  | { type: 'done'; summary: PktgenSummary }
  | { type: 'error'; error: SerializedError };

export type PktgenEvent = IntervalEvent | { type: 'done'; summary: PktgenSummary };
