/**
 * Runs a list of cases several times each, interleaved (run 1 of every case,
 * then run 2, ...) so that a slow drift of the machine touches every case
 * alike, and summarises them: medians, ratios to the matching hand ring, to
 * postMessage and (easy-layer cases) to the low-level case doing the same,
 * notify calls per million packets. A failed run is recorded
 * and the suite goes on.
 */
import type { CaseMode, CaseOptions, CaseRun } from './api.js';
import { CASES, POSTMESSAGE_CASE, type CaseName } from './cases.js';
import { runCase } from './worker-pair.js';

export interface SuiteOptions extends CaseOptions {
  /**
   * Runs of each case.
   * @defaultValue 3
   */
  runs?: number;
  /** Called after every run (one line of progress). */
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  /** 1-based number of this run among all runs of the suite, and their count. */
  step: number;
  steps: number;
  case: CaseName;
  /** 1-based repetition of this case. */
  run: number;
  runs: number;
  result?: CaseRun;
  error?: Error;
}

export interface CaseSummary {
  case: CaseName;
  /** The checks mode of its ports ('slots' or 'ring'); null for cases without ports. */
  mode: CaseMode;
  packetSize: number;
  /** pps of every successful run, in run order. */
  runsPps: number[];
  /** Median of runsPps; 0 when every run failed. */
  medianPps: number;
  /** Median notify calls per million packets; null for message cases. */
  kicksPerMillion: number | null;
  /** Notify calls per million packets of every successful run, in run order (empty for message cases). */
  runsKicksPerMillion: number[];
  /**
   * (slowest - fastest) / median of runsPps: near 0 when the runs agree; a
   * large spread with one low run is the machine's slow mode, not the
   * transport (the per-run notify counts tell parking from it). 0 with fewer
   * than two runs.
   */
  spread: number;
  /**
   * Payload bytes delivered per second at the median, in GB/s (10^9 bytes):
   * medianPps x packetSize; null for the index cases, which move no payload.
   */
  gigabytesPerSecond: number | null;
  /** medianPps / the matching hand ring's; null when not measured. */
  ratioToHandRing: number | null;
  /** medianPps / postmessage-64b's; null when not measured. */
  ratioToPostMessage: number | null;
  /**
   * medianPps / the median of the case doing the same through a lower-level
   * API (CaseInfo.lowLevel: pipe-64b-rw for the easy-layer cases); null for
   * cases without one, or when it was not measured.
   */
  ratioToLowLevel: number | null;
  /** Messages of the failed runs. */
  errors: string[];
}

export const DEFAULT_RUNS = 3;

/** (max - min) / median of a list of rates; 0 with fewer than two, or a zero median. */
export function spreadOf(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = median(xs);
  return m > 0 ? (Math.max(...xs) - Math.min(...xs)) / m : 0;
}

/** Median of a list (mean of the two middle values for an even count); 0 for an empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >>> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function runSuite(
  cases: readonly CaseName[],
  opts: SuiteOptions = {},
): Promise<CaseSummary[]> {
  const runs = opts.runs ?? DEFAULT_RUNS;
  if (!Number.isInteger(runs) || runs < 1)
    throw new RangeError(`runs must be a positive integer, got ${runs}`);
  const results = new Map<CaseName, CaseRun[]>(cases.map((c) => [c, []]));
  const errors = new Map<CaseName, string[]>(cases.map((c) => [c, []]));
  const steps = runs * cases.length;
  let step = 0;
  for (let run = 1; run <= runs; run++) {
    for (const c of cases) {
      step++;
      try {
        const result = await runCase(c, opts);
        results.get(c)!.push(result);
        opts.onProgress?.({ step, steps, case: c, run, runs, result });
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        errors.get(c)!.push(error.message);
        opts.onProgress?.({ step, steps, case: c, run, runs, error });
      }
    }
  }
  return summarize(cases, results, errors);
}

export function summarize(
  cases: readonly CaseName[],
  results: ReadonlyMap<CaseName, readonly CaseRun[]>,
  errors: ReadonlyMap<CaseName, readonly string[]> = new Map(),
): CaseSummary[] {
  const medians = new Map<CaseName, number>();
  for (const c of cases) medians.set(c, median((results.get(c) ?? []).map((r) => r.pps)));
  const ratio = (c: CaseName, ref: CaseName | null): number | null => {
    if (ref === null) return null;
    const a = medians.get(c) ?? 0;
    const b = medians.get(ref) ?? 0;
    return a > 0 && b > 0 ? a / b : null;
  };
  return cases.map((c) => {
    const rs = results.get(c) ?? [];
    const kicks = rs.map((r) => r.kicksPerMillion).filter((k): k is number => k !== null);
    return {
      case: c,
      mode: CASES[c].mode,
      packetSize: CASES[c].packetSize,
      runsPps: rs.map((r) => r.pps),
      medianPps: medians.get(c)!,
      kicksPerMillion: kicks.length > 0 ? median(kicks) : null,
      runsKicksPerMillion: kicks,
      spread: spreadOf(rs.map((r) => r.pps)),
      gigabytesPerSecond:
        CASES[c].work === 'index' ? null : (medians.get(c)! * CASES[c].packetSize) / 1e9,
      ratioToHandRing: ratio(c, CASES[c].handRing),
      ratioToPostMessage: ratio(c, POSTMESSAGE_CASE),
      ratioToLowLevel: ratio(c, CASES[c].lowLevel),
      errors: [...(errors.get(c) ?? [])],
    };
  });
}
