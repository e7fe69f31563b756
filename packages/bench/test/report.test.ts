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

  it('prints nothing for cases without targets, and says when a reference did not run', () => {
    expect(formatTargets(summary({ 'handring-index': 100 }))).toBe('');
    expect(formatTargets(summary({ 'pipe-recvbatch-64b': 7 }))).toBe(
      'targets (easy layer, on the project machine):\n' +
        '  pipe-recvbatch-64b >= 0.6x pipe-64b-rw: - (pipe-64b-rw not measured in this run)',
    );
  });
});
