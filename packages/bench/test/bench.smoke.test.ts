/**
 * Smoke test of the throughput bench: a very short run of the built bench
 * (dist) produces every row, the JSON file in its documented shape, and the
 * SVG chart with one bar and one label per case, the easy-layer rows with
 * their ratio to pipe-64b-rw and their target lines, the network-port rows their ratio to raw ZeroMQ, and a `--cases` subset
 * runs alone. It checks that rows exist, not how fast anything is. Also: a run that outlives its hang guard fails
 * with BenchCaseError instead of hanging.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { shmAvailable } from '@pktfabric/shm';
import { BenchCaseError, CASES as CASE_INFO, runCase, unavailableCases } from '../src/index.js';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));

/** The tmpfs capture rows run where /dev/shm is there (the CLI skips them otherwise, saying why). */
const TMPFS = unavailableCases(['capture-60b-tmpfs']).size === 0;

const CASES = [
  ['pipe-index', 60, 'slots'],
  ['pipe-index-ring', 60, 'ring'],
  ['pipe-64b-rw', 64, 'slots'],
  ['pipe-1500b-copy', 1500, 'slots'],
  ['pipe-recvbatch-64b', 64, 'slots'],
  ['pipe-batches-64b', 64, 'slots'],
  ['pipe-forawait-64b', 64, 'slots'],
  ['pipe-readable-64b', 64, 'slots'],
  ['postmessage-64b', 64, null],
  ['postmessage-batch-64b', 64, null],
  ['messagechannel-transfer-64b', 64, null],
  ['handring-index', 60, null],
  ['handring-64b-rw', 64, null],
  ['handring-1500b-copy', 1500, null],
  ['spinring-64b-rw', 64, null],
  ['memcpy-1500b', 1500, null],
  ['pipe-rtt-spin', 60, 'slots'],
  ['pipe-rtt-park', 60, 'slots'],
  // The rows between processes (skipped, with the reason, where the shm addon did not build).
  ...((shmAvailable()
    ? [
        ['xproc-pipe-index', 60, 'slots'],
        ['xproc-pipe-64b-rw', 64, 'slots'],
        ['xproc-pipe-1500b-copy', 1500, 'slots'],
        ['xproc-pipe-rtt-spin', 60, 'slots'],
        ['xproc-pipe-rtt-park', 60, 'slots'],
      ]
    : []) as [string, number, 'slots'][]),
  ['vale-64b-rw', 64, 'slots'],
  ['vale-1500b-copy', 1500, 'slots'],
  ['vale-2to1-64b', 64, 'slots'],
  ['vale-64b-rw-monitored', 64, 'slots'],
  ['pipe-64b-rw-captured', 64, 'slots'],
  // Capture and replay (issue 11): the plain pipe moving the same frames, the
  // CLI's capture into /dev/null and into a file on tmpfs (skipped, with the
  // reason, without a writable /dev/shm), the CLI's replay.
  ['pipe-60b-frame', 60, 'slots'],
  ['pipe-1514b-frame', 1514, 'slots'],
  ['capture-60b-null', 60, 'slots'],
  ...((TMPFS ? [['capture-60b-tmpfs', 60, 'slots']] : []) as [string, number, 'slots'][]),
  ['capture-1514b-null', 1514, 'slots'],
  ...((TMPFS ? [['capture-1514b-tmpfs', 1514, 'slots']] : []) as [string, number, 'slots'][]),
  ['replay-60b', 60, 'slots'],
  ['replay-1514b', 1514, 'slots'],
  // The ZeroMQ rows run their sides in processes too (a worker thread holding
  // ZeroMQ sockets must never be terminated), so they also need the addon.
  ...((shmAvailable()
    ? [
        ['net-index', 60, 'slots'],
        ['net-1500b-copy', 1500, 'slots'],
        ['zmq-raw-index', 60, null],
        ['zmq-raw-1500b-copy', 1500, null],
        ['net-rtt', 60, 'slots'],
        ['zmq-raw-rtt', 60, null],
      ]
    : []) as [string, number, 'slots' | null][]),
] as const;

/** Round-trip rows: latencies, in a table of their own and not in the chart. */
const RTT = CASES.map(([c]) => c).filter((c) => /-rtt(-|$)/.test(c));
/** Rows with a bar in the chart. */
const BARS = CASES.length - RTT.length;

const EASY = ['pipe-recvbatch-64b', 'pipe-batches-64b', 'pipe-forawait-64b', 'pipe-readable-64b'];
/**
 * Cases with a low-level baseline: the easy layer (pipe-64b-rw), the network
 * port (raw ZeroMQ, also its round trip), capture and replay (the pipe moving the same frames).
 */
const WITH_LOW_LEVEL = [
  ...EASY,
  'net-index',
  'net-1500b-copy',
  'net-rtt',
  ...CASES.map(([c]) => c).filter((c) => /^(capture|replay)-/.test(c)),
];

const out = mkdtempSync(join(tmpdir(), 'pktfabric-bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run bench (quick smoke run)', () => {
  it(`writes all ${CASES.length} rows, the JSON shape and a ${BARS}-bar SVG`, async () => {
    expect(existsSync(MAIN), `${MAIN} is missing: build first (npm run build)`).toBe(true);
    const { stdout } = await run(
      process.execPath,
      [MAIN, '--quick', '--runs', '1', '--duration', '0.15', '--out', out],
      { timeout: 120_000 },
    );

    // progress: one line per case and run, then the table
    for (const [name] of CASES) expect(stdout).toMatch(new RegExp(`\\] ${name} +run 1/1 `));
    expect(stdout).not.toContain('FAILED');
    expect(stdout).toContain('median Mpps');

    const json = JSON.parse(readFileSync(join(out, 'bench-results.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(json).sort()).toEqual(['cpus', 'date', 'node', 'rows']);
    expect(json.node).toBe(process.version);
    expect(new Date(json.date as string).toISOString()).toBe(json.date);
    expect(Number.isInteger(json.cpus) && (json.cpus as number) > 0).toBe(true);
    const rows = json.rows as Record<string, unknown>[];
    expect(rows.map((r) => [r.case, r.packetSize, r.mode])).toEqual(
      CASES.map(([c, s, m]) => [c, s, m]),
    );
    for (const r of rows) {
      expect(r.medianPps, String(r.case)).toBeGreaterThan(0);
      expect(r.runsPps).toEqual([r.medianPps]);
      expect(r.errors).toEqual([]);
    }
    const byCase = new Map(rows.map((r) => [r.case, r]));
    // Where the sides ran; the ratio to the same case between threads; the round trips.
    for (const r of rows) {
      const xproc = String(r.case).startsWith('xproc-');
      const zmq = /^(net|zmq-raw)-/.test(String(r.case));
      const rtt = RTT.includes(r.case as string);
      expect(r.sides, String(r.case)).toBe(xproc || zmq ? 'processes' : 'threads');
      expect(r.ratioToThreads, String(r.case)).toEqual(xproc && !rtt ? expect.any(Number) : null);
      expect(r.rttP50Ns, String(r.case)).toEqual(rtt ? expect.any(Number) : null);
      expect(r.rttP99Ns, String(r.case)).toEqual(rtt ? expect.any(Number) : null);
      expect(r.runsRttP50Ns).toEqual(rtt ? [r.rttP50Ns] : []);
      if (rtt) {
        expect(r.rttP50Ns as number).toBeGreaterThan(0);
        expect(r.rttP99Ns as number).toBeGreaterThanOrEqual(r.rttP50Ns as number);
        expect(r.ratioToHandRing).toBeNull();
        expect(r.ratioToPostMessage).toBeNull();
      }
    }
    expect(stdout).toMatch(/^round trips +sides +wait +p50 +p99 /m);
    if (shmAvailable()) {
      expect(stdout).toMatch(/^targets \(between processes, on the project machine\):$/m);
      expect(stdout).toMatch(
        /^ {2}xproc-pipe-64b-rw >= 0\.9x pipe-64b-rw: [\d.]+x \((met|missed)\)$/m,
      );
      expect(stdout).toMatch(
        /^ {2}xproc-pipe-rtt-park p50 <= 50\.0 us: [\d.]+ [nmu]?s \(threads [\d.]+ [nmu]?s\) \((met|missed)\)$/m,
      );
      // The ZeroMQ rows have no thread case, so no bar between processes; the
      // network round trip shows its ratio to raw ZeroMQ's in the round-trip table.
      expect(stdout).not.toMatch(/^ {2}(net|zmq-raw)-\S+ (>= 0\.9x (xproc|null)|p50 <=)/m);
      // Their own bars (issue 12) are against raw ZeroMQ.
      expect(stdout).toMatch(/^ {2}net-index >= 0\.9x zmq-raw-index: [\d.]+x \((met|missed)\)$/m);
      expect(stdout).toMatch(/^net-rtt +processes +park +\S+ \S+ +\S+ \S+ +\S+ +\S+ +[\d.]+x /m);
    }
    expect(byCase.get('handring-64b-rw')!.ratioToHandRing).toBe(1);
    expect(byCase.get('postmessage-64b')!.ratioToPostMessage).toBe(1);
    expect(byCase.get('pipe-index')!.kicksPerMillion).toEqual(expect.any(Number));
    expect(byCase.get('postmessage-64b')!.kicksPerMillion).toBeNull();
    // Every run tried the line round trip between its two sides before it
    // started: a figure in ns, or null where the two were time-sliced (a busy
    // machine) and it gave up; the progress line shows the figures.
    for (const r of rows) {
      const v = r.runsLineRttNs as (number | null)[];
      expect(v, String(r.case)).toHaveLength(1);
      expect(v[0] === null || (Number.isInteger(v[0]) && v[0] > 0), String(r.case)).toBe(true);
      if (v[0] !== null)
        expect(stdout).toMatch(
          new RegExp(`\\] ${String(r.case)} +run 1/1 .* line rtt ${v[0]} ns$`, 'm'),
        );
    }
    // Payload GB/s: median x packet size (the frame size for capture and
    // replay) for the payload cases, null for the index cases.
    for (const r of rows)
      expect(r.gigabytesPerSecond, String(r.case)).toBe(
        CASE_INFO[r.case as keyof typeof CASE_INFO].work === 'index'
          ? null
          : Math.round(((r.medianPps as number) * (r.packetSize as number)) / 1e6) / 1000,
      );
    expect(stdout).toMatch(
      /^ {2}pipe-1500b-copy moves [\d.]+ GB\/s; Uint8Array\.set on this machine \(memcpy-1500b\): [\d.]+ GB\/s$/m,
    );
    // The easy-layer and network rows: notify counts like the pipe's, a ratio to their low-level case.
    for (const r of rows) {
      const low = WITH_LOW_LEVEL.includes(r.case as string);
      expect(r.ratioToLowLevel, String(r.case)).toEqual(low ? expect.any(Number) : null);
      if (low) expect(r.kicksPerMillion, String(r.case)).toEqual(expect.any(Number));
    }
    expect(stdout).toMatch(/^capture and replay \(pcap, issue 11; no bars\):$/m);
    expect(stdout).toMatch(
      /^ {2}capture-1514b-null: [\d.]+ Mpps, [\d.]+ Gbit\/s, [\d.]+x pipe-1514b-frame$/m,
    );
    expect(stdout).toMatch(/^targets \(easy layer, on the project machine\):$/m);
    expect(stdout).toMatch(
      /^ {2}pipe-recvbatch-64b >= 0\.6x pipe-64b-rw: [\d.]+x \((met|missed)\)$/m,
    );
    expect(stdout).toMatch(
      /^ {2}pipe-batches-64b >= 0\.8x pipe-recvbatch-64b: [\d.]+x \((met|missed)\)$/m,
    );
    expect(stdout).toMatch(/^ {2}pipe-forawait-64b >= 4 Mpps: [\d.]+ Mpps \((met|missed)\)$/m);
    expect(stdout).toMatch(/^ {2}pipe-readable-64b >= 3 Mpps: [\d.]+ Mpps \((met|missed)\)$/m);

    const svg = readFileSync(join(out, 'bench-results.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    const group = (cls: string): string => {
      const start = svg.indexOf(`class="${cls}"`);
      expect(start, cls).toBeGreaterThan(0);
      return svg.slice(start, svg.indexOf('</g>', start));
    };
    expect(group('mark-rect role-mark bars').match(/<path /g)).toHaveLength(BARS);
    const labels = group('mark-text role-mark labels').match(/<text[^>]*>[^<]*Mpps<\/text>/g);
    expect(labels).toHaveLength(BARS);
    for (const [name] of CASES) if (!RTT.includes(name)) expect(svg).toContain(`>${name}</text>`);
  }, 150_000);

  it('runs any subset given with --cases, in the order given', async () => {
    const sub = mkdtempSync(join(out, 'subset-'));
    const { stdout } = await run(
      process.execPath,
      [
        MAIN,
        '--quick',
        '--runs',
        '1',
        '--duration',
        '0.15',
        '--out',
        sub,
        '--cases',
        'pipe-forawait-64b,pipe-index-ring,pipe-batches-64b',
      ],
      { timeout: 60_000 },
    );
    expect(stdout).not.toContain('FAILED');
    const json = JSON.parse(readFileSync(join(sub, 'bench-results.json'), 'utf8')) as {
      rows: Record<string, unknown>[];
    };
    expect(json.rows.map((r) => [r.case, r.mode, r.ratioToLowLevel])).toEqual([
      ['pipe-forawait-64b', 'slots', null],
      ['pipe-index-ring', 'ring', null],
      ['pipe-batches-64b', 'slots', null],
    ]);
    // A bar whose reference did not run says so instead of guessing.
    expect(stdout).toContain(
      'pipe-batches-64b >= 0.8x pipe-recvbatch-64b: - (pipe-recvbatch-64b not measured in this run)',
    );
  }, 60_000);
});

describe('bench engine', () => {
  it('fails a run that outlives its hang guard with BenchCaseError, without hanging', async () => {
    const t0 = performance.now();
    const err = await runCase('handring-index', { durationS: 30, hangGuardMs: 500 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BenchCaseError);
    expect((err as BenchCaseError).reason).toBe('hang');
    expect(performance.now() - t0).toBeLessThan(10_000);
  }, 30_000);
});
