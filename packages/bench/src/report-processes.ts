/**
 * The text of the rows between processes and of the round trips: the
 * round-trip table (printed under the throughput table) and the bars of the
 * cases between processes, each met or missed. Allocates; not for hot paths.
 */
import { rttOf, sidesOf, threadsOf } from './case-kinds.js';
import type { CaseName } from './cases.js';
import { textTable } from './report.js';
import { formatNs } from './rtt.js';
import type { CaseSummary } from './suite.js';
import type { RttWait } from './transport.js';

/** A case between processes moves at least this fraction of the same case between threads. */
export const PROCESS_RATIO_BAR = 0.9;
/** The median round trip of a round-trip case between processes is at most this, by how it waits. */
export const RTT_P50_BAR_NS: Readonly<Record<RttWait, number>> = { spin: 2_000, park: 50_000 };

function us(ns: number): string {
  return (ns / 1000).toFixed(ns < 10_000 ? 2 : 1);
}

/** True for a round-trip case's row. */
export function isRttRow(r: CaseSummary): boolean {
  return rttOf(r.case) !== null;
}

/**
 * The round-trip rows as a table: where the sides ran, how they wait, the
 * medians over runs of each run's p50 and p99, every run's, the ratio to the
 * lower-level case's p50 (net-rtt over zmq-raw-rtt: its p50 over this
 * one's), and the notify calls per million packets. Empty when no
 * round-trip case ran.
 */
export function formatRoundTrips(rows: readonly CaseSummary[]): string {
  const rtt = rows.filter(isRttRow);
  if (rtt.length === 0) return '';
  return textTable(
    [
      'round trips',
      'sides',
      'wait',
      'p50',
      'p99',
      'runs p50 (us)',
      'runs p99 (us)',
      'vs low-level',
      'notify/Mpkt',
    ],
    rtt.map((r) => [
      r.case,
      r.sides,
      rttOf(r.case)!,
      r.rttP50Ns === null ? 'FAILED' : formatNs(r.rttP50Ns),
      r.rttP99Ns === null ? '-' : formatNs(r.rttP99Ns),
      r.runsRttP50Ns.map(us).join(' '),
      r.runsRttP99Ns.map(us).join(' '),
      r.ratioToLowLevel === null ? '-' : `${r.ratioToLowLevel.toFixed(2)}x`,
      r.kicksPerMillion === null ? '-' : r.kicksPerMillion.toFixed(1),
    ]),
  );
}

function measured(rows: readonly CaseSummary[], c: CaseName | null): CaseSummary | undefined {
  const r = c === null ? undefined : rows.find((x) => x.case === c);
  return r !== undefined && r.medianPps > 0 ? r : undefined;
}

/**
 * The bars of the cases between processes that ran: each throughput case at
 * PROCESS_RATIO_BAR of the same case between threads or better (a thread
 * case that did not run is said so), each round-trip case's p50 within
 * RTT_P50_BAR_NS of its wait (the thread case's p50 beside it when it ran).
 * Target lines, without a heading; empty when none ran.
 */
export function processTargets(rows: readonly CaseSummary[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const ref = threadsOf(r.case);
    // Cases in processes with no thread case (the ZeroMQ rows) have no bar here.
    if (sidesOf(r.case) !== 'processes' || r.medianPps <= 0 || ref === null) continue;
    const wait = rttOf(r.case);
    if (wait === null) {
      const wanted = `${r.case} >= ${PROCESS_RATIO_BAR}x ${ref}`;
      const b = measured(rows, ref);
      if (b === undefined) out.push(`  ${wanted}: - (${ref} not measured in this run)`);
      else {
        const q = r.medianPps / b.medianPps;
        out.push(`  ${wanted}: ${q.toFixed(2)}x (${q >= PROCESS_RATIO_BAR ? 'met' : 'missed'})`);
      }
    } else if (r.rttP50Ns !== null) {
      const bar = RTT_P50_BAR_NS[wait];
      const b = measured(rows, ref);
      const beside = b?.rttP50Ns != null ? ` (threads ${formatNs(b.rttP50Ns)})` : '';
      out.push(
        `  ${r.case} p50 <= ${formatNs(bar)}: ${formatNs(r.rttP50Ns)}${beside} (${r.rttP50Ns <= bar ? 'met' : 'missed'})`,
      );
    }
  }
  return out;
}
