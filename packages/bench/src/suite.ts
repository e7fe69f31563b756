/**
 * Runs a list of cases several times each, interleaved (run 1 of every case,
 * then run 2, ...) so that a slow drift of the machine touches every case
 * alike, and summarises them: medians, ratios to the matching hand ring, to
 * postMessage and (easy-layer cases) to the low-level case doing the same,
 * and (cases between processes) to the same case between threads, notify
 * calls per million packets, and for the round-trip cases the medians of
 * their runs' p50 and p99 round trips. A failed run is recorded
 * and the suite goes on.
 */
import { BenchCaseError } from './errors.js';
import type { CaseMode, CaseOptions, CaseRun } from './api.js';
import { rttOf, sidesOf, threadsOf } from './case-kinds.js';
import { CASES, POSTMESSAGE_CASE, type CaseName } from './cases.js';
import type { Sides } from './transport.js';
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
  /** Set when this run is a second try of one whose receiver never saw the window (the first try's message). */
  retried?: string;
}

/**
 * Tries of a run whose receiver never saw the measuring window open and
 * close (BenchCaseError 'no-window': its thread was off the CPU for the whole
 * window, which a busy 2-core machine does to a short window): the run is
 * made again once. Any other failure counts at once.
 */
export const NO_WINDOW_TRIES = 2;

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
   * The line round trip between the two sides' cores as each successful run
   * started, ns, in run order (CaseRun.lineRttNs; NaN where not measured).
   */
  runsLineRttNs: number[];
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
   * API (CaseInfo.lowLevel: pipe-64b-rw for the easy-layer cases); for a
   * round-trip case, the lower-level case's rttP50Ns / this one's (higher is
   * better either way); null for cases without one, or when it was not
   * measured.
   */
  ratioToLowLevel: number | null;
  /** Where its two sides ran: two worker threads or two child processes. */
  sides: Sides;
  /**
   * A case between processes: medianPps over the same case's between
   * threads (CaseInfo via threadsOf); null for other cases, round-trip
   * cases, or when either was not measured.
   */
  ratioToThreads: number | null;
  /** Round-trip cases: the median over runs of each run's median round trip, ns; else null. */
  rttP50Ns: number | null;
  /** Round-trip cases: the median over runs of each run's 99th percentile, ns; else null. */
  rttP99Ns: number | null;
  /** Each successful run's p50 / p99 round trip, ns (empty for throughput cases). */
  runsRttP50Ns: number[];
  runsRttP99Ns: number[];
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
      let retried: string | undefined;
      try {
        let result: CaseRun | undefined;
        for (let t = 1; result === undefined; t++) {
          try {
            result = await runCase(c, opts);
          } catch (e) {
            if (!(e instanceof BenchCaseError && e.reason === 'no-window') || t >= NO_WINDOW_TRIES)
              throw e;
            retried = e.message;
          }
        }
        results.get(c)!.push(result);
        opts.onProgress?.({
          step,
          steps,
          case: c,
          run,
          runs,
          result,
          ...(retried !== undefined ? { retried } : {}),
        });
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
  const p50Of = (c: CaseName): number[] =>
    (results.get(c) ?? []).flatMap((r) => (r.rtt !== undefined ? [r.rtt.p50Ns] : []));
  // Round-trip cases: the low-level case's median p50 over this one's (higher is
  // better, as for a rate: 0.5x is a round trip twice as long).
  const rttRatio = (c: CaseName, ref: CaseName | null): number | null => {
    if (ref === null) return null;
    const a = p50Of(c);
    const b = p50Of(ref);
    return a.length > 0 && b.length > 0 && median(a) > 0 ? median(b) / median(a) : null;
  };
  return cases.map((c) => {
    const rs = results.get(c) ?? [];
    const kicks = rs.map((r) => r.kicksPerMillion).filter((k): k is number => k !== null);
    const rtt = rttOf(c) !== null;
    const p50 = p50Of(c);
    const p99 = rs.flatMap((r) => (r.rtt !== undefined ? [r.rtt.p99Ns] : []));
    return {
      case: c,
      mode: CASES[c].mode,
      packetSize: CASES[c].packetSize,
      runsPps: rs.map((r) => r.pps),
      medianPps: medians.get(c)!,
      kicksPerMillion: kicks.length > 0 ? median(kicks) : null,
      runsKicksPerMillion: kicks,
      runsLineRttNs: rs.map((r) => r.lineRttNs),
      spread: spreadOf(rs.map((r) => r.pps)),
      gigabytesPerSecond:
        CASES[c].work === 'index' ? null : (medians.get(c)! * CASES[c].packetSize) / 1e9,
      ratioToHandRing: ratio(c, CASES[c].handRing),
      ratioToPostMessage: rtt ? null : ratio(c, POSTMESSAGE_CASE),
      ratioToLowLevel: rtt ? rttRatio(c, CASES[c].lowLevel) : ratio(c, CASES[c].lowLevel),
      sides: sidesOf(c),
      ratioToThreads: rtt ? null : ratio(c, threadsOf(c)),
      rttP50Ns: p50.length > 0 ? median(p50) : null,
      rttP99Ns: p99.length > 0 ? median(p99) : null,
      runsRttP50Ns: p50,
      runsRttP99Ns: p99,
      errors: [...(errors.get(c) ?? [])],
    };
  });
}
