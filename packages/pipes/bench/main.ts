/**
 * The pipes package bench (issue 3): pipe index-only, 64-byte write+read and
 * 1500-byte copy between two workers, each beside the hand-written SAB ring
 * and postMessage measured in the same run; medians, ratios, notify calls.
 *
 *   npm run build && npm run bench -w @pktfabric/pipes -- [--runs 3] [--duration 2]
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { ALL_CASES, PIPE_BENCH_CASES, type CaseName } from './api.js';
import { formatMpps, formatProgress, formatSummary } from './report.js';
import { runSuite, type CaseSummary } from './suite.js';

const USAGE = `usage: node dist/bench/main.js [options]
  --runs N          runs of each case (default 3); the table shows medians
  --duration S      seconds of each measured window (default 2)
  --warmup S        seconds of traffic before each window (default min(0.5, duration/2))
  --burst N         packets per batch (default 512, netmap's default burst)
  --cases a,b,...   cases to run (default: ${PIPE_BENCH_CASES.join(',')})
                    all cases: ${ALL_CASES.join(',')}
  --help`;

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new RangeError(`--${name} wants a number, got ${v}`);
  return n;
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    burst: { type: 'string' },
    cases: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help === true) {
  console.log(USAGE);
  process.exit(0);
}
const cases = (values.cases?.split(',') ?? PIPE_BENCH_CASES) as CaseName[];
for (const c of cases) {
  if (!ALL_CASES.includes(c)) throw new RangeError(`unknown case ${c}\n${USAGE}`);
}

console.log(
  `pktfabric pipes bench: node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), ${new Date().toISOString()}`,
);
const rows = await runSuite(cases, {
  runs: num(values.runs, 'runs'),
  durationS: num(values.duration, 'duration'),
  warmupS: num(values.warmup, 'warmup'),
  burst: num(values.burst, 'burst'),
  onProgress: (p) => console.log(formatProgress(p)),
});
console.log(`\n${formatSummary(rows)}\n`);
console.log(targets(rows));
if (rows.some((r) => r.errors.length > 0)) {
  for (const r of rows) for (const e of r.errors) console.error(`${r.case}: ${e}`);
  process.exitCode = 1;
}

/** Issue 3's targets next to what this run measured (informational; the machine matters). */
function targets(rs: readonly CaseSummary[]): string {
  const get = (c: CaseName): CaseSummary | undefined => rs.find((r) => r.case === c);
  const out = ['targets (issue 3, on the project machine):'];
  const idx = get('pipe-index');
  if (idx?.ratioToHandRing != null)
    out.push(`  pipe-index >= 0.9x handring-index: ${idx.ratioToHandRing.toFixed(2)}x`);
  const rw = get('pipe-64b-rw');
  if (rw !== undefined && rw.medianPps > 0)
    out.push(`  pipe-64b-rw >= 9 Mpps: ${formatMpps(rw.medianPps)} Mpps`);
  const kicks = rs
    .filter((r) => r.case.startsWith('pipe-') && r.kicksPerMillion !== null)
    .map((r) => `${r.case} ${r.kicksPerMillion!.toFixed(1)}`);
  if (kicks.length > 0) out.push(`  notify calls <= 20 per million packets: ${kicks.join(', ')}`);
  return out.join('\n');
}
