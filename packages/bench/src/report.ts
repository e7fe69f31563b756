/** Text output of the bench: progress lines and the final table. Allocates; not for hot paths. */
import { CASES, type CaseName } from './cases.js';
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

/** One line per finished run, e.g. `[ 4/27] pipe-index  run 1/3  12.34 Mpps  notify/Mpkt 0.8`. */
export function formatProgress(p: Progress): string {
  const w = String(p.steps).length;
  const head = `[${String(p.step).padStart(w)}/${p.steps}] ${p.case.padEnd(28)} run ${p.run}/${p.runs}`;
  if (p.error !== undefined) return `${head}  FAILED: ${p.error.message.split('\n')[0]}`;
  const r = p.result!;
  const kicks = r.kicksPerMillion === null ? '' : `  notify/Mpkt ${r.kicksPerMillion.toFixed(1)}`;
  return `${head}  ${formatMpps(r.pps).padStart(8)} Mpps  (${r.totalPackets} pkts)${kicks}`;
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
 * postMessage and (easy-layer cases) to the low-level case doing the same,
 * notify calls.
 */
export function formatSummary(rows: readonly CaseSummary[]): string {
  return textTable(
    [
      'case',
      'checks',
      'bytes',
      'median Mpps',
      'runs (Mpps)',
      'vs hand ring',
      'vs postMessage',
      'vs low-level',
      'notify/Mpkt',
    ],
    rows.map((r) => [
      r.case,
      r.mode ?? '-',
      String(r.packetSize),
      r.medianPps > 0 ? formatMpps(r.medianPps) : 'FAILED',
      r.runsPps.map(formatMpps).join(' '),
      formatRatio(r.ratioToHandRing),
      formatRatio(r.ratioToPostMessage),
      formatRatio(r.ratioToLowLevel),
      r.kicksPerMillion === null ? '-' : r.kicksPerMillion.toFixed(1),
    ]),
  );
}

/**
 * Issue 3's targets next to what the run measured, for the cases that ran
 * (informational; the machine matters). Empty when no pipe case ran.
 */
export function formatTargets(rows: readonly CaseSummary[]): string {
  const get = (c: CaseName): CaseSummary | undefined => rows.find((r) => r.case === c);
  const out: string[] = [];
  const idx = get('pipe-index');
  if (idx?.ratioToHandRing != null)
    out.push(`  pipe-index >= 0.9x handring-index: ${idx.ratioToHandRing.toFixed(2)}x`);
  const rw = get('pipe-64b-rw');
  if (rw !== undefined && rw.medianPps > 0)
    out.push(`  pipe-64b-rw >= 9 Mpps: ${formatMpps(rw.medianPps)} Mpps`);
  const kicks = rows
    .filter((r) => CASES[r.case].transport === 'pipe' && r.kicksPerMillion !== null)
    .map((r) => `${r.case} ${r.kicksPerMillion!.toFixed(1)}`);
  if (kicks.length > 0) out.push(`  notify calls <= 20 per million packets: ${kicks.join(', ')}`);
  return out.length === 0 ? '' : ['targets (issue 3, on the project machine):', ...out].join('\n');
}
