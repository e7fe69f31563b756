/** Public types of the throughput bench: the cases, their options and results. */

/** How the two workers move packets. */
export type Transport =
  'pipe' | 'handring' | 'postmessage' | 'postmessage-batch' | 'messagechannel-transfer';

/**
 * The work done per packet:
 * - `index`: the sender sets the slot's len, the receiver reads it; payload untouched;
 * - `64b-rw`: the sender writes all 64 payload bytes (16 32-bit stores), the
 *   receiver reads all 64 (16 32-bit loads);
 * - `1500b-copy`: the sender copies a 1500-byte packet in (`Uint8Array.set`),
 *   the receiver copies it out into a buffer of its own (`Uint8Array.set`).
 */
export type Work = 'index' | '64b-rw' | '1500b-copy';

/** Every case, in the order the bench reports them (and the names bench-results.json uses). */
export const ALL_CASES = [
  'pipe-index',
  'pipe-64b-rw',
  'pipe-1500b-copy',
  'postmessage-64b',
  'postmessage-batch-64b',
  'messagechannel-transfer-64b',
  'handring-index',
  'handring-64b-rw',
  'handring-1500b-copy',
] as const;

export type CaseName = (typeof ALL_CASES)[number];

export interface CaseInfo {
  transport: Transport;
  work: Work;
  /** Bytes per packet (len). The index cases declare 60 bytes and touch none. */
  packetSize: number;
  /** The hand-ring case doing the same per-packet work. */
  handRing: CaseName;
}

/** What each case does. */
export const CASES: Readonly<Record<CaseName, CaseInfo>> = {
  'pipe-index': { transport: 'pipe', work: 'index', packetSize: 60, handRing: 'handring-index' },
  'pipe-64b-rw': { transport: 'pipe', work: '64b-rw', packetSize: 64, handRing: 'handring-64b-rw' },
  'pipe-1500b-copy': {
    transport: 'pipe',
    work: '1500b-copy',
    packetSize: 1500,
    handRing: 'handring-1500b-copy',
  },
  'postmessage-64b': {
    transport: 'postmessage',
    work: '64b-rw',
    packetSize: 64,
    handRing: 'handring-64b-rw',
  },
  'postmessage-batch-64b': {
    transport: 'postmessage-batch',
    work: '64b-rw',
    packetSize: 64,
    handRing: 'handring-64b-rw',
  },
  'messagechannel-transfer-64b': {
    transport: 'messagechannel-transfer',
    work: '64b-rw',
    packetSize: 64,
    handRing: 'handring-64b-rw',
  },
  'handring-index': {
    transport: 'handring',
    work: 'index',
    packetSize: 60,
    handRing: 'handring-index',
  },
  'handring-64b-rw': {
    transport: 'handring',
    work: '64b-rw',
    packetSize: 64,
    handRing: 'handring-64b-rw',
  },
  'handring-1500b-copy': {
    transport: 'handring',
    work: '1500b-copy',
    packetSize: 1500,
    handRing: 'handring-1500b-copy',
  },
};

/** The baseline every ratio column divides by, besides the matching hand ring. */
export const POSTMESSAGE_CASE: CaseName = 'postmessage-64b';

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
}
