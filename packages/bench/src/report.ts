/** Text output of the bench: progress lines and the final table. Allocates; not for hot paths. */
import { CASES, type CaseName } from './cases.js';
import { formatRoundTrips, isRttRow, processTargets } from './report-processes.js';
import { formatNs } from './rtt.js';
import type { Progress, CaseSummary } from './suite.js';

/** Packets per second as Mpps with 2 decimals (3 below 1 Mpps). */
export function formatMpps(pps: number): string {
  const m = pps / 1e6;
  return m >= 1 ? m.toFixed(2) : m.toFixed(3);
}

function formatRatio(r: number | null): string {
  if (r === null) return '-';
  return r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;
}

/**
 * One line per finished run, e.g. `[ 4/27] pipe-index  run 1/3  12.34 Mpps  notify/Mpkt 0.8`
 * (round-trip cases: round trips per second, then `rtt p50 … p99 …`).
 */
export function formatProgress(p: Progress): string {
  const w = String(p.steps).length;
  const head = `[${String(p.step).padStart(w)}/${p.steps}] ${p.case.padEnd(28)} run ${p.run}/${p.runs}`;
  if (p.error !== undefined) return `${head}  FAILED: ${p.error.message.split('\n')[0]}`;
  const r = p.result!;
  const kicks = r.kicksPerMillion === null ? '' : `  notify/Mpkt ${r.kicksPerMillion.toFixed(1)}`;
  const rtt =
    r.rtt === undefined ? '' : `  rtt p50 ${formatNs(r.rtt.p50Ns)} p99 ${formatNs(r.rtt.p99Ns)}`;
  const line = Number.isFinite(r.lineRttNs) ? `  line rtt ${Math.round(r.lineRttNs)} ns` : '';
  const again = p.retried === undefined ? '' : '  (second try: the first missed its window)';
  return `${head}  ${formatMpps(r.pps).padStart(8)} Mpps  (${r.totalPackets} pkts)${kicks}${rtt}${line}${again}`;
}

/** Renders rows as an aligned text table (first column left-aligned, the rest right-aligned). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The final table: the checks mode of each case's ports (slots, ring, or -
 * without ports), medians, every run, ratios to the matching hand ring, to
 * postMessage, (cases between processes) to the same case between threads
 * and (easy-layer cases) to the low-level case doing the same, notify calls.
 * The round-trip cases follow in a table of their own (report-processes.ts).
 */
export function formatSummary(rows: readonly CaseSummary[]): string {
  const trips = formatRoundTrips(rows);
  const main = textTable(
    [
      'case',
      'checks',
      'bytes',
      'median Mpps',
      'runs (Mpps)',
      'spread',
      'GB/s',
      'vs hand ring',
      'vs postMessage',
      'vs threads',
      'vs low-level',
      'notify/Mpkt',
    ],
    rows
      .filter((r) => !isRttRow(r))
      .map((r) => [
        r.case,
        r.mode ?? '-',
        String(r.packetSize),
        r.medianPps > 0 ? formatMpps(r.medianPps) : 'FAILED',
        r.runsPps.map(formatMpps).join(' '),
        r.runsPps.length > 1 ? `${Math.round(r.spread * 100)}%` : '-',
        r.gigabytesPerSecond === null || r.medianPps === 0 ? '-' : r.gigabytesPerSecond.toFixed(2),
        formatRatio(r.ratioToHandRing),
        formatRatio(r.ratioToPostMessage),
        formatRatio(r.ratioToThreads),
        formatRatio(r.ratioToLowLevel),
        r.kicksPerMillion === null ? '-' : r.kicksPerMillion.toFixed(1),
      ]),
  );
  return trips === '' ? main : `${main}\n\n${trips}`;
}

/** One target line: what is wanted, what was measured, and whether it was met. */
function target(wanted: string, measured: string, met: boolean): string {
  return `  ${wanted}: ${measured} (${met ? 'met' : 'missed'})`;
}

/** A case's median, or undefined when it did not run or every run failed. */
function measured(rows: readonly CaseSummary[], c: CaseName): CaseSummary | undefined {
  const r = rows.find((x) => x.case === c);
  return r !== undefined && r.medianPps > 0 ? r : undefined;
}

/** A target on a case's rate: `case >= mpps Mpps`. */
function rateTarget(rows: readonly CaseSummary[], c: CaseName, mpps: number): string[] {
  const r = measured(rows, c);
  if (r === undefined) return [];
  return [
    target(`${c} >= ${mpps} Mpps`, `${formatMpps(r.medianPps)} Mpps`, r.medianPps >= mpps * 1e6),
  ];
}

/** A target on the ratio of two cases' medians: `c >= x times ref`; needs both in the run. */
function ratioTarget(
  rows: readonly CaseSummary[],
  c: CaseName,
  x: number,
  ref: CaseName,
): string[] {
  const r = measured(rows, c);
  if (r === undefined) return [];
  const wanted = `${c} >= ${x}x ${ref}`;
  const b = measured(rows, ref);
  if (b === undefined) return [`  ${wanted}: - (${ref} not measured in this run)`];
  const q = r.medianPps / b.medianPps;
  return [target(wanted, `${q.toFixed(2)}x`, q >= x)];
}

/** Informational: a case's payload GB/s beside a reference's (no bar), when both ran. */
function bandwidthLine(rows: readonly CaseSummary[], c: CaseName, ref: CaseName): string[] {
  const r = measured(rows, c);
  const b = measured(rows, ref);
  if (r === undefined || b === undefined) return [];
  const gb = (x: CaseSummary): string => `${x.gigabytesPerSecond!.toFixed(2)} GB/s`;
  return [`  ${c} moves ${gb(r)}; Uint8Array.set on this machine (${ref}): ${gb(b)}`];
}

/** A target on a case's payload bandwidth: `case >= gbit Gbit/s`, shown in GB/s (10^9 bytes). */
function bandwidthTarget(rows: readonly CaseSummary[], c: CaseName, gbit: number): string[] {
  const r = measured(rows, c);
  if (r === undefined || r.gigabytesPerSecond === null) return [];
  const want = gbit / 8;
  return [
    target(
      `${c} >= ${gbit} Gbit/s (${want.toFixed(2)} GB/s)`,
      `${r.gigabytesPerSecond.toFixed(2)} GB/s`,
      r.gigabytesPerSecond >= want,
    ),
  ];
}

/** Informational: a case's median over a reference's (no bar), when both ran. */
function ratioLine(rows: readonly CaseSummary[], c: CaseName, ref: CaseName): string[] {
  const r = measured(rows, c);
  const b = measured(rows, ref);
  if (r === undefined || b === undefined) return [];
  return [`  ${c} runs at ${(r.medianPps / b.medianPps).toFixed(2)}x ${ref} (no bar)`];
}

/**
 * Informational: a capture or replay row's rate in Mpps and in Gbit/s of
 * frame bytes (10^9 bits; no preamble or gap), and its ratio to the plain
 * pipe row moving the same frames (its low-level case), when that ran.
 */
function frameRateLine(r: CaseSummary): string {
  const gbit = (r.medianPps * r.packetSize * 8) / 1e9;
  const ref = CASES[r.case].lowLevel;
  const vs = r.ratioToLowLevel === null ? '' : `, ${r.ratioToLowLevel.toFixed(2)}x ${ref}`;
  return `  ${r.case}: ${formatMpps(r.medianPps)} Mpps, ${gbit.toFixed(2)} Gbit/s${vs}`;
}

/** The capture and replay rows (transports `capture` and `replay`). */
const CAPTURE_REPLAY = new Set(['capture', 'replay']);

/**
 * The targets next to what the run measured, for the cases that ran, each
 * marked met or missed (informational; the machine matters): the ring API's
 * bars (a validated pipe, a pipe with checks 'ring', payload cases, notify
 * calls), then the easy layer's bars, the small packets', the VALE
 * switch's (issue 10: 10 Mpps at 64 B, 35 Gbit/s at 1500 B, a monitored
 * port at 0.8x), the capture and replay rows in Mpps and Gbit/s with their
 * ratio to the plain pipe and the captured pipe's ratio (issue 11, no bars),
 * the network ports' (issue 12: 0.9x raw ZeroMQ, 8 Mpps at 60 B), and the
 * bars between processes. A ratio target whose
 * reference case did not run says so. Empty when no case with a target ran.
 */
export function formatTargets(rows: readonly CaseSummary[]): string {
  const ringApi: string[] = [
    ...ratioTarget(rows, 'pipe-index', 0.7, 'handring-index'),
    ...ratioTarget(rows, 'pipe-index-ring', 0.9, 'handring-index'),
    ...ratioTarget(rows, 'pipe-64b-rw', 0.9, 'handring-64b-rw'),
    ...ratioTarget(rows, 'pipe-1500b-copy', 0.9, 'handring-1500b-copy'),
  ];
  const kicks = rows.filter(
    (r) => CASES[r.case].transport === 'pipe' && r.kicksPerMillion !== null,
  );
  if (kicks.length > 0)
    ringApi.push(
      target(
        'notify calls <= 20 per million packets',
        kicks.map((r) => `${r.case} ${r.kicksPerMillion!.toFixed(1)}`).join(', '),
        kicks.every((r) => r.kicksPerMillion! <= 20),
      ),
    );
  const easy: string[] = [
    ...ratioTarget(rows, 'pipe-recvbatch-64b', 0.6, 'pipe-64b-rw'),
    ...ratioTarget(rows, 'pipe-batches-64b', 0.8, 'pipe-recvbatch-64b'),
    ...rateTarget(rows, 'pipe-forawait-64b', 4),
    ...rateTarget(rows, 'pipe-readable-64b', 3),
  ];
  const small: string[] = [
    ...ratioTarget(rows, 'pipe-64b-rw', 1.2, 'postmessage-batch-64b'),
    ...ratioTarget(rows, 'handring-64b-rw', 0.9, 'spinring-64b-rw'),
    ...bandwidthLine(rows, 'pipe-1500b-copy', 'memcpy-1500b'),
  ];
  const vale: string[] = [
    ...rateTarget(rows, 'vale-64b-rw', 10),
    ...bandwidthTarget(rows, 'vale-1500b-copy', 35),
    ...ratioTarget(rows, 'vale-64b-rw-monitored', 0.8, 'vale-64b-rw'),
  ];
  const capture: string[] = [
    ...rows
      .filter((r) => CAPTURE_REPLAY.has(CASES[r.case].transport) && r.medianPps > 0)
      .map(frameRateLine),
    ...ratioLine(rows, 'pipe-64b-rw-captured', 'pipe-64b-rw'),
  ];
  const net: string[] = [
    ...ratioTarget(rows, 'net-index', 0.9, 'zmq-raw-index'),
    ...rateTarget(rows, 'net-index', 8),
    ...ratioTarget(rows, 'net-1500b-copy', 0.9, 'zmq-raw-1500b-copy'),
  ];
  const groups: string[] = [];
  if (ringApi.length > 0)
    groups.push(['targets (ring API, on the project machine):', ...ringApi].join('\n'));
  if (easy.length > 0)
    groups.push(['targets (easy layer, on the project machine):', ...easy].join('\n'));
  if (small.length > 0)
    groups.push(['targets (small packets, on the project machine):', ...small].join('\n'));
  if (vale.length > 0)
    groups.push(
      ['targets (VALE switch and monitors, on the project machine):', ...vale].join('\n'),
    );
  if (net.length > 0)
    groups.push(['targets (network ports, on the project machine):', ...net].join('\n'));
  if (capture.length > 0)
    groups.push(['capture and replay (pcap, issue 11; no bars):', ...capture].join('\n'));
  const processes = processTargets(rows);
  if (processes.length > 0)
    groups.push(['targets (between processes, on the project machine):', ...processes].join('\n'));
  return groups.join('\n\n');
}
