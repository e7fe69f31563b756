/**
 * bench-results.json: the machine-readable record of one bench run, kept in
 * the same shape over time so runs can be compared:
 * `{ "date", "node", "cpus", "rows": [ { "case", "mode", "packetSize",
 * "medianPps", "runsPps", ... } ] }`. Rows may carry extra fields (ratios,
 * notify calls, errors); the top level carries exactly these four.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseSummary } from './index.js';

export const RESULTS_JSON = 'bench-results.json';
export const RESULTS_SVG = 'bench-results.svg';

export interface ResultRow {
  case: string;
  /**
   * The checks mode the case's ports are opened with: 'slots' (every slot
   * validated; the pipe cases but pipe-index-ring), 'ring' (netmap's trust
   * model), or null for cases without ports.
   */
  mode: 'slots' | 'ring' | null;
  /** Bytes per packet. */
  packetSize: number;
  /** Median of runsPps, packets per second, rounded; 0 when every run failed. */
  medianPps: number;
  /** Packets per second of each successful run, rounded. */
  runsPps: number[];
  /** Median `Atomics.notify` calls per million packets (ring cases), else null. */
  kicksPerMillion: number | null;
  /** Notify calls per million packets of each successful run (ring cases; empty otherwise). */
  runsKicksPerMillion: number[];
  /**
   * Each successful run's line round trip between the two sides' cores as it
   * started, ns (null where not measured): a long one marks a run on far-apart CPUs.
   */
  runsLineRttNs: (number | null)[];
  /** (slowest - fastest) / median of runsPps; 0 with fewer than two runs. */
  spread: number;
  /** Payload GB/s (10^9 bytes) at the median: medianPps x packetSize; null for the index cases. */
  gigabytesPerSecond: number | null;
  /** medianPps over the matching hand ring's (same per-packet work), or null. */
  ratioToHandRing: number | null;
  /** medianPps over postmessage-64b's, or null. */
  ratioToPostMessage: number | null;
  /**
   * medianPps over the low-level case doing the same (pipe-64b-rw for the
   * easy-layer pipe cases), or null (other cases, or not measured). For a
   * round-trip case (net-rtt over zmq-raw-rtt): the low-level case's
   * rttP50Ns over this one's (0.5: round trips twice as long).
   */
  ratioToLowLevel: number | null;
  /** Where the case's two sides ran: 'threads' (worker threads) or 'processes' (child processes). */
  sides: 'threads' | 'processes';
  /**
   * Cases between processes (xproc-*): medianPps over the same case's
   * between threads, or null (other cases, round-trip cases, not measured).
   */
  ratioToThreads: number | null;
  /**
   * Round-trip cases (*-rtt-*): median over runs of each run's median round
   * trip, in ns; null for throughput cases. Their medianPps is round trips
   * per second.
   */
  rttP50Ns: number | null;
  /** Round-trip cases: median over runs of each run's 99th-percentile round trip, ns; else null. */
  rttP99Ns: number | null;
  /** Round-trip cases: each successful run's p50 and p99, ns (empty for throughput cases). */
  runsRttP50Ns: number[];
  runsRttP99Ns: number[];
  /** Why runs failed, if any did. */
  errors: string[];
}

export interface ResultsFile {
  /** ISO 8601 time the run started. */
  date: string;
  /** process.version of the node that ran it. */
  node: string;
  /** Logical CPUs of the machine. */
  cpus: number;
  rows: ResultRow[];
}

function round3(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1000) / 1000;
}

function roundNs(x: number | null): number | null {
  return x === null ? null : Math.round(x);
}

export function toResultsFile(date: Date, rows: readonly CaseSummary[]): ResultsFile {
  return {
    date: date.toISOString(),
    node: process.version,
    cpus: cpus().length,
    rows: rows.map((r) => ({
      case: r.case,
      mode: r.mode,
      packetSize: r.packetSize,
      medianPps: Math.round(r.medianPps),
      runsPps: r.runsPps.map((p) => Math.round(p)),
      kicksPerMillion: round3(r.kicksPerMillion),
      runsKicksPerMillion: r.runsKicksPerMillion.map((k) => round3(k)!),
      runsLineRttNs: r.runsLineRttNs.map((x) => (Number.isFinite(x) ? Math.round(x) : null)),
      spread: round3(r.spread)!,
      gigabytesPerSecond: round3(r.gigabytesPerSecond),
      ratioToHandRing: round3(r.ratioToHandRing),
      ratioToPostMessage: round3(r.ratioToPostMessage),
      ratioToLowLevel: round3(r.ratioToLowLevel),
      sides: r.sides,
      ratioToThreads: round3(r.ratioToThreads),
      rttP50Ns: roundNs(r.rttP50Ns),
      rttP99Ns: roundNs(r.rttP99Ns),
      runsRttP50Ns: r.runsRttP50Ns.map((x) => roundNs(x)!),
      runsRttP99Ns: r.runsRttP99Ns.map((x) => roundNs(x)!),
      errors: r.errors,
    })),
  };
}

/**
 * The repository root: the nearest directory above this script whose
 * package.json declares workspaces (the script runs from
 * packages/bench/dist/src). Falls back to the current directory.
 */
export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { workspaces?: unknown }).workspaces)
          return dir;
      } catch {
        // not a readable package.json: keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}
