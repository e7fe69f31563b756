/**
 * The throughput bench (`npm run bench` at the repository root): every case
 * between two workers in one run (pktfabric pipes through their ring API and
 * through the port's easy layer, the hand-written SAB ring,
 * postMessage per packet, postMessage of a batch, MessageChannel transfer),
 * several runs each, medians and ratios; progress lines while it runs, a
 * table at the end, bench-results.json and bench-results.svg at the root.
 *
 *   npm run bench                      # 3 runs x 2 s per case
 *   npm run bench -- --quick           # smoke run, well under a minute
 *   npm run bench -- --runs 5 --duration 3
 *   npm run bench -- --only xproc      # the rows between processes and their thread rows
 *   npm run bench -- --only '^(capture|replay)-'   # capture and replay, and their pipe rows
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  ALL_CASES,
  DEFAULT_BURST,
  DEFAULT_DURATION_S,
  DEFAULT_RUNS,
  formatProgress,
  formatSummary,
  formatTargets,
  runSuite,
  casesMatching,
  unavailableCases,
  type CaseName,
} from './index.js';
import { renderChartSvg } from './chart.js';
import { repoRoot, RESULTS_JSON, RESULTS_SVG, toResultsFile } from './results.js';

/** --quick: seconds of each measured window and of its warm-up. */
const QUICK_DURATION_S = 0.25;
const QUICK_WARMUP_S = 0.1;

function positive(name: string, integer: boolean) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
      throw new InvalidArgumentError(
        `${name} must be a positive ${integer ? 'integer' : 'number'}`,
      );
    return n;
  };
}

function caseList(v: string): CaseName[] {
  const list = v.split(',').map((s) => s.trim());
  for (const c of list) {
    if (!(ALL_CASES as readonly string[]).includes(c))
      throw new InvalidArgumentError(`unknown case ${c} (cases: ${ALL_CASES.join(', ')})`);
  }
  return list as CaseName[];
}

function pattern(v: string): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(v);
  } catch (e) {
    throw new InvalidArgumentError(`not a regular expression: ${(e as Error).message}`);
  }
  if (casesMatching(re).length === 0)
    throw new InvalidArgumentError(`no case matches ${v} (cases: ${ALL_CASES.join(', ')})`);
  return re;
}

interface Flags {
  runs: number;
  duration?: number;
  warmup?: number;
  quick?: boolean;
  burst: number;
  cases: CaseName[];
  only?: RegExp;
  out?: string;
}

const program = new Command()
  .name('pktfabric-bench')
  .description(
    'Throughput of pktfabric pipes between two workers (and two processes), beside postMessage, MessageChannel and a hand-written SAB ring; round trips',
  )
  .option(
    '--runs <n>',
    'runs of each case; the table shows medians',
    positive('--runs', true),
    DEFAULT_RUNS,
  )
  .option(
    '--duration <seconds>',
    `measured seconds of each run (default ${DEFAULT_DURATION_S}; ${QUICK_DURATION_S} with --quick)`,
    positive('--duration', false),
  )
  .addOption(
    new Option(
      '--warmup <seconds>',
      'seconds of traffic before each measured window (default min(0.5, duration/2))',
    ).argParser((v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0)
        throw new InvalidArgumentError('--warmup must be a number >= 0');
      return n;
    }),
  )
  .option('--quick', 'short runs for a smoke test (the whole bench in a minute or so)')
  .option('--burst <n>', 'packets per batch', positive('--burst', true), DEFAULT_BURST)
  .addOption(
    new Option('--cases <list>', 'comma-separated cases to run')
      .argParser(caseList)
      .default([...ALL_CASES], `all ${ALL_CASES.length}`),
  )
  .addOption(
    new Option(
      '--only <regexp>',
      'run the cases whose name matches, and the cases their ratios divide by: the thread case of a case between processes, the low-level case of an easy-layer, network, capture or replay case (e.g. --only xproc)',
    )
      .argParser(pattern)
      .conflicts('cases'),
  )
  .option('--out <dir>', 'directory for bench-results.json and .svg (default: the repository root)')
  .parse();

const flags = program.opts<Flags>();
const durationS = flags.duration ?? (flags.quick === true ? QUICK_DURATION_S : DEFAULT_DURATION_S);
const warmupS =
  flags.warmup ?? (flags.quick === true ? Math.min(QUICK_WARMUP_S, durationS / 2) : undefined);
const outDir = resolve(flags.out ?? repoRoot());

const selected = flags.only !== undefined ? casesMatching(flags.only) : flags.cases;
// Cases that cannot run here (the shared-memory addon did not build): skipped, with the reason.
const skipped = unavailableCases(selected);
const cases = selected.filter((c) => !skipped.has(c));

const started = new Date();
console.log(
  `pktfabric bench: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), ` +
    `${cases.length} cases x ${flags.runs} runs x ${durationS} s (burst ${flags.burst})`,
);
for (const why of new Set(skipped.values()))
  console.log(
    `skipped ${[...skipped]
      .filter(([, w]) => w === why)
      .map(([c]) => c)
      .join(', ')}: ${why}`,
  );
const rows = await runSuite(cases, {
  runs: flags.runs,
  durationS,
  warmupS,
  burst: flags.burst,
  onProgress: (p) => console.log(formatProgress(p)),
});
console.log(`\n${formatSummary(rows)}`);
console.log(
  '\nchecks: how the pipe ends were opened (slots: every slot validated, the default;' +
    " ring: netmap's trust model; -: no ports)." +
    '\nvs hand ring: median over the hand-written SAB ring doing the same per-packet work' +
    ' (index, 64 B write+read, 1500 B copy); vs postMessage: median over postmessage-64b;' +
    ' vs low-level: an easy-layer pipe case (sendBatch / recvBatch, batches(), for await,' +
    ' readable()) over pipe-64b-rw, the same work on the ring API, or a network port case over' +
    ' raw ZeroMQ with the same batching (zmq-raw-*; bars: >= 0.9x, and >= 8 Mpps at 60 B),' +
    " or a capture / replay case (the CLI's capture as the receiver, its replay as the sender) over the" +
    ' pipe moving the same frames (pipe-60b-frame, pipe-1514b-frame);' +
    ' vs threads: a case between two processes (xproc-*) over the same case between two threads.' +
    '\nround trips: one packet in flight, ping-pong; p50 / p99 are medians over the runs of each' +
    " run's; spin: the waiting side spins, park: it sleeps at once; vs low-level: the lower-level" +
    " case's p50 over this one's (net-rtt: raw ZeroMQ PAIR, zmq-raw-rtt; 0.5x = twice as long).",
);
const targets = formatTargets(rows);
if (targets !== '') console.log(`\n${targets}`);

const results = toResultsFile(started, rows);
mkdirSync(outDir, { recursive: true });
const jsonPath = join(outDir, RESULTS_JSON);
const svgPath = join(outDir, RESULTS_SVG);
writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(svgPath, await renderChartSvg(results));
console.log(`wrote ${jsonPath}\nwrote ${svgPath}`);

const failed = rows.filter((r) => r.errors.length > 0);
if (failed.length > 0) {
  for (const r of failed) for (const e of r.errors) console.error(`FAILED ${r.case}: ${e}`);
  process.exitCode = 1;
}
