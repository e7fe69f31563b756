/**
 * The summary and the text the CLI prints after the table, from made-up
 * runs (no workers): the checks column, the ratio to the low-level case and
 * the target lines, each marked met or missed.
 */
import { describe, expect, it } from 'vitest';
import {
  formatSummary,
  spreadOf,
  formatTargets,
  summarize,
  type CaseName,
  type CaseRun,
} from '../src/index.js';

function runAt(c: CaseName, mpps: number, kicksPerMillion: number | null = 1): CaseRun {
  const pps = mpps * 1e6;
  return {
    case: c,
    pps,
    windowPackets: pps,
    windowSeconds: 1,
    totalPackets: pps,
    kicks: kicksPerMillion === null ? null : kicksPerMillion * mpps,
    kicksPerMillion,
    lineRttNs: 120,
  };
}

function summary(rates: Partial<Record<CaseName, number>>) {
  const cases = Object.keys(rates) as CaseName[];
  return summarize(cases, new Map(cases.map((c) => [c, [runAt(c, rates[c]!)]])));
}

describe('bench report', () => {
  it('divides the easy-layer rows by pipe-64b-rw and no other row', () => {
    const rows = summary({
      'pipe-64b-rw': 10,
      'pipe-recvbatch-64b': 7,
      'pipe-batches-64b': 5,
      'pipe-index-ring': 100,
      'handring-64b-rw': 12,
    });
    const by = new Map(rows.map((r) => [r.case, r]));
    expect(by.get('pipe-recvbatch-64b')!.ratioToLowLevel).toBeCloseTo(0.7);
    expect(by.get('pipe-batches-64b')!.ratioToLowLevel).toBeCloseTo(0.5);
    expect(by.get('pipe-64b-rw')!.ratioToLowLevel).toBeNull();
    expect(by.get('handring-64b-rw')!.ratioToLowLevel).toBeNull();
    expect(by.get('pipe-index-ring')!.mode).toBe('ring');
    expect(by.get('pipe-64b-rw')!.mode).toBe('slots');
    expect(by.get('handring-64b-rw')!.mode).toBeNull();
    const table = formatSummary(rows).split('\n');
    expect(table[0]).toMatch(/^case +checks +bytes .* spread .* vs low-level +notify\/Mpkt$/);
    expect(spreadOf([10, 20, 30])).toBeCloseTo(1);
    expect(spreadOf([5])).toBe(0);
    expect(table.find((l) => l.startsWith('pipe-recvbatch-64b'))).toMatch(/ slots .* 0\.70x /);
    expect(table.find((l) => l.startsWith('pipe-index-ring'))).toMatch(/ ring /);
  });

  it('prints every bar with its measured value, met or missed', () => {
    const rows = summary({
      'pipe-64b-rw': 10,
      'pipe-recvbatch-64b': 7,
      'pipe-batches-64b': 5,
      'pipe-forawait-64b': 4.5,
      'pipe-readable-64b': 2,
      'handring-64b-rw': 12,
    });
    const lines = formatTargets(rows).split('\n');
    expect(lines).toContain('targets (easy layer, on the project machine):');
    expect(lines).toContain('  pipe-recvbatch-64b >= 0.6x pipe-64b-rw: 0.70x (met)');
    expect(lines).toContain('  pipe-batches-64b >= 0.8x pipe-recvbatch-64b: 0.71x (missed)');
    expect(lines).toContain('  pipe-forawait-64b >= 4 Mpps: 4.50 Mpps (met)');
    expect(lines).toContain('  pipe-readable-64b >= 3 Mpps: 2.00 Mpps (missed)');
    expect(lines).toContain('targets (ring API, on the project machine):');
    expect(lines).toContain('  pipe-64b-rw >= 0.9x handring-64b-rw: 0.83x (missed)');
    // The notify target is the ring-API pipe cases' only.
    expect(lines).toContain('  notify calls <= 20 per million packets: pipe-64b-rw 1.0 (met)');
  });

  it("prints the VALE switch's bars (issue 10)", () => {
    const rows = summary({
      'vale-64b-rw': 12,
      'vale-1500b-copy': 2.5,
      'vale-64b-rw-monitored': 9,
      'vale-2to1-64b': 8,
    });
    const lines = formatTargets(rows).split('\n');
    expect(lines).toContain('targets (VALE switch and monitors, on the project machine):');
    expect(lines).toContain('  vale-64b-rw >= 10 Mpps: 12.00 Mpps (met)');
    // 2.5 Mpps x 1500 B = 3.75 GB/s = 30 Gbit/s.
    expect(lines).toContain('  vale-1500b-copy >= 35 Gbit/s (4.38 GB/s): 3.75 GB/s (missed)');
    expect(lines).toContain('  vale-64b-rw-monitored >= 0.8x vale-64b-rw: 0.75x (missed)');
    expect(formatTargets(summary({ 'vale-64b-rw-monitored': 9 })).split('\n')[1]).toBe(
      '  vale-64b-rw-monitored >= 0.8x vale-64b-rw: - (vale-64b-rw not measured in this run)',
    );
  });

  it("prints the network ports' bars (issue 12) beside raw ZeroMQ, and no thread bar for them", () => {
    const rows = summary({
      'net-index': 7.2,
      'zmq-raw-index': 8,
      'net-1500b-copy': 0.9,
      'zmq-raw-1500b-copy': 1,
    });
    const text = formatTargets(rows);
    expect(text.split('\n')).toEqual([
      'targets (network ports, on the project machine):',
      '  net-index >= 0.9x zmq-raw-index: 0.90x (met)',
      '  net-index >= 8 Mpps: 7.20 Mpps (missed)',
      '  net-1500b-copy >= 0.9x zmq-raw-1500b-copy: 0.90x (met)',
    ]);
  });

  it('prints the capture and replay rows in Mpps and Gbit/s of their frames, and the captured pipe (issue 11)', () => {
    const rows = summary({
      'pipe-64b-rw': 10,
      'pipe-64b-rw-captured': 6,
      'pipe-60b-frame': 10,
      'pipe-1514b-frame': 4,
      'capture-60b-null': 5,
      'capture-1514b-tmpfs': 1,
      'replay-1514b': 2,
      'replay-60b': 8,
    });
    const by = new Map(rows.map((r) => [r.case, r]));
    // GB/s from the frame size: 1 Mpps x 1514 B.
    expect(by.get('capture-1514b-tmpfs')!.gigabytesPerSecond).toBeCloseTo(1.514);
    expect(by.get('capture-60b-null')!.gigabytesPerSecond).toBeCloseTo(0.3);
    expect(by.get('capture-1514b-tmpfs')!.ratioToLowLevel).toBeCloseTo(0.25);
    expect(by.get('pipe-1514b-frame')!.ratioToLowLevel).toBeNull();
    const text = formatTargets(rows);
    expect(text).toContain(
      [
        'capture and replay (pcap, issue 11; no bars):',
        '  capture-60b-null: 5.00 Mpps, 2.40 Gbit/s, 0.50x pipe-60b-frame',
        '  capture-1514b-tmpfs: 1.00 Mpps, 12.11 Gbit/s, 0.25x pipe-1514b-frame',
        '  replay-1514b: 2.00 Mpps, 24.22 Gbit/s, 0.50x pipe-1514b-frame',
        '  replay-60b: 8.00 Mpps, 3.84 Gbit/s, 0.80x pipe-60b-frame',
        '  pipe-64b-rw-captured runs at 0.60x pipe-64b-rw (no bar)',
      ].join('\n'),
    );
    // Without its pipe row, a row has no ratio.
    expect(formatTargets(summary({ 'replay-60b': 8 }))).toBe(
      'capture and replay (pcap, issue 11; no bars):\n  replay-60b: 8.00 Mpps, 3.84 Gbit/s',
    );
  });

  it('prints nothing for cases without targets, and says when a reference did not run', () => {
    expect(formatTargets(summary({ 'handring-index': 100 }))).toBe('');
    expect(formatTargets(summary({ 'pipe-recvbatch-64b': 7 }))).toBe(
      'targets (easy layer, on the project machine):\n' +
        '  pipe-recvbatch-64b >= 0.6x pipe-64b-rw: - (pipe-64b-rw not measured in this run)',
    );
  });

  it('compares the rows between processes with their thread rows, and prints the round trips', () => {
    /** A round-trip run: 1 / p50 round trips per second, the given p50 and p99 (us). */
    const trip = (c: CaseName, p50Us: number, p99Us: number): CaseRun => ({
      ...runAt(c, 1 / p50Us, 2e6),
      rtt: { count: 1000, minNs: 100, p50Ns: p50Us * 1000, p99Ns: p99Us * 1000, maxNs: 1e6 },
    });
    const runs = new Map<CaseName, CaseRun[]>([
      ['pipe-64b-rw', [runAt('pipe-64b-rw', 10)]],
      ['xproc-pipe-64b-rw', [runAt('xproc-pipe-64b-rw', 9.5)]],
      ['xproc-pipe-index', [runAt('xproc-pipe-index', 50)]],
      ['xproc-pipe-1500b-copy', [runAt('xproc-pipe-1500b-copy', 5)]],
      ['pipe-1500b-copy', [runAt('pipe-1500b-copy', 6)]],
      ['pipe-rtt-spin', [trip('pipe-rtt-spin', 0.4, 0.9)]],
      [
        'xproc-pipe-rtt-spin',
        [
          trip('xproc-pipe-rtt-spin', 0.5, 1),
          trip('xproc-pipe-rtt-spin', 2.5, 3),
          trip('xproc-pipe-rtt-spin', 0.6, 2),
        ],
      ],
      ['xproc-pipe-rtt-park', [trip('xproc-pipe-rtt-park', 60, 200)]],
    ]);
    const rows = summarize([...runs.keys()], runs);
    const by = new Map(rows.map((r) => [r.case, r]));
    expect(by.get('xproc-pipe-64b-rw')!.ratioToThreads).toBeCloseTo(0.95);
    expect(by.get('xproc-pipe-64b-rw')!.sides).toBe('processes');
    expect(by.get('pipe-64b-rw')!.sides).toBe('threads');
    expect(by.get('pipe-64b-rw')!.ratioToThreads).toBeNull();
    expect(by.get('xproc-pipe-index')!.ratioToThreads).toBeNull(); // pipe-index did not run
    // Round trips: medians over the runs of each run's p50 and p99; no throughput ratios.
    const spin = by.get('xproc-pipe-rtt-spin')!;
    expect([spin.rttP50Ns, spin.rttP99Ns]).toEqual([600, 2000]);
    expect(spin.runsRttP50Ns).toEqual([500, 2500, 600]);
    expect([spin.ratioToThreads, spin.ratioToHandRing, spin.ratioToPostMessage]).toEqual([
      null,
      null,
      null,
    ]);
    expect(by.get('pipe-64b-rw')!.rttP50Ns).toBeNull();

    const text = formatSummary(rows).split('\n');
    expect(text[0]).toMatch(/ vs postMessage +vs threads +vs low-level /);
    expect(text.find((l) => l.startsWith('xproc-pipe-64b-rw'))).toMatch(/ 0\.95x /);
    // The round-trip rows are in a table of their own, not in the throughput table.
    const trips = text.findIndex((l) => l.startsWith('round trips'));
    expect(trips).toBeGreaterThan(0);
    expect(text.findIndex((l) => l.startsWith('xproc-pipe-rtt-spin'))).toBeGreaterThan(trips);
    expect(text.find((l) => l.startsWith('xproc-pipe-rtt-spin'))).toMatch(
      /^xproc-pipe-rtt-spin +processes +spin +600 ns +2\.00 us +0\.50 2\.50 0\.60 +1\.00 3\.00 2\.00 /,
    );

    const lines = formatTargets(rows).split('\n');
    expect(lines).toContain('targets (between processes, on the project machine):');
    expect(lines).toContain('  xproc-pipe-64b-rw >= 0.9x pipe-64b-rw: 0.95x (met)');
    expect(lines).toContain('  xproc-pipe-1500b-copy >= 0.9x pipe-1500b-copy: 0.83x (missed)');
    expect(lines).toContain(
      '  xproc-pipe-index >= 0.9x pipe-index: - (pipe-index not measured in this run)',
    );
    expect(lines).toContain('  xproc-pipe-rtt-spin p50 <= 2.00 us: 600 ns (threads 400 ns) (met)');
    expect(lines).toContain('  xproc-pipe-rtt-park p50 <= 50.0 us: 60.0 us (missed)');
  });

  it('gives the network round trip its ratio to raw ZeroMQ (p50 over p50), and no bar between processes', () => {
    const trip = (c: CaseName, p50Us: number, p99Us: number): CaseRun => ({
      ...runAt(c, 1 / p50Us, null),
      rtt: { count: 1000, minNs: 100, p50Ns: p50Us * 1000, p99Ns: p99Us * 1000, maxNs: 1e6 },
    });
    const runs = new Map<CaseName, CaseRun[]>([
      ['net-index', [runAt('net-index', 7)]],
      ['net-rtt', [trip('net-rtt', 100, 300), trip('net-rtt', 120, 400), trip('net-rtt', 80, 250)]],
      ['zmq-raw-rtt', [trip('zmq-raw-rtt', 50, 100)]],
    ]);
    const rows = summarize([...runs.keys()], runs);
    const by = new Map(rows.map((r) => [r.case, r]));
    // raw's p50 (50 us) over the median of the port's p50s (100 us).
    expect(by.get('net-rtt')!.ratioToLowLevel).toBeCloseTo(0.5);
    expect(by.get('zmq-raw-rtt')!.ratioToLowLevel).toBeNull();
    expect([by.get('net-rtt')!.rttP50Ns, by.get('net-rtt')!.rttP99Ns]).toEqual([100_000, 300_000]);
    const text = formatSummary(rows).split('\n');
    expect(text.find((l) => l.startsWith('round trips'))).toMatch(
      / runs p99 \(us\) +vs low-level +notify/,
    );
    expect(text.find((l) => l.startsWith('net-rtt'))).toMatch(
      /^net-rtt +processes +park +100\.0 us +300\.0 us +100\.0 120\.0 80\.0 +300\.0 400\.0 250\.0 +0\.50x /,
    );
    expect(text.find((l) => l.startsWith('zmq-raw-rtt'))).toMatch(/ +- +- *$/);
    // In processes, but with no thread case: no bar between processes.
    expect(formatTargets(rows)).not.toContain('between processes');
    // Without the raw row, no ratio.
    const alone = summarize(['net-rtt'], new Map([['net-rtt', runs.get('net-rtt')!]]));
    expect(alone[0]!.ratioToLowLevel).toBeNull();
  });
});
