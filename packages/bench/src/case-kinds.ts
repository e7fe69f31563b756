/**
 * What kind of row a case makes, beside what CASES says: where its two sides
 * run (threads or processes), whether it measures round trips instead of
 * throughput (and how its waiting side waits), the same case between threads
 * that a case between processes is compared with, and which cases cannot run
 * here (and why). From the registered transports' declarations.
 */
import { ALL_CASES, CASES, transportOf, type CaseName } from './cases.js';
import type { RttWait, Sides, TransportCase } from './transport.js';

function caseOf(c: CaseName): TransportCase {
  return transportOf(c).cases.find((x) => x.name === c)!;
}

/** Where the case's two sides run. */
export function sidesOf(c: CaseName): Sides {
  return transportOf(c).sides ?? 'threads';
}

/** How a round-trip case's waiting side waits, or null for a throughput case. */
export function rttOf(c: CaseName): RttWait | null {
  return caseOf(c).rtt ?? null;
}

/** For a case between processes: the same case between threads; else null. */
export function threadsOf(c: CaseName): CaseName | null {
  return (caseOf(c).threads ?? null) as CaseName | null;
}

/** The cases between processes, in report order. */
export const PROCESS_CASES: readonly CaseName[] = ALL_CASES.filter(
  (c) => sidesOf(c) === 'processes',
);

/** The cases of `cases` that cannot run here, each with the reason its transport gives. */
export function unavailableCases(cases: readonly CaseName[]): Map<CaseName, string> {
  const out = new Map<CaseName, string>();
  for (const c of cases) {
    const why = transportOf(c).unavailable?.(c);
    if (why !== undefined) out.set(c, why);
  }
  return out;
}

/**
 * The cases whose name matches `pattern` (a regular expression), with the
 * cases their ratios divide by (the thread case of each matching case
 * between processes, the low-level case of a case that has one), in report
 * order.
 */
export function casesMatching(pattern: RegExp): CaseName[] {
  const want = new Set(ALL_CASES.filter((c) => pattern.test(c)));
  for (const c of [...want]) {
    const t = threadsOf(c);
    if (t !== null) want.add(t);
    const low = CASES[c].lowLevel;
    if (low !== null) want.add(low);
  }
  return ALL_CASES.filter((c) => want.has(c));
}
