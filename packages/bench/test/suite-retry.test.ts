/**
 * runSuite makes a run again once when its receiver never saw the measuring
 * window (BenchCaseError 'no-window'), and counts every other failure, and a
 * second missed window, at once. runCase is replaced by a script of outcomes.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CaseRun } from '../src/api.js';
import { BenchCaseError } from '../src/errors.js';

const script: Array<'ok' | 'no-window' | 'integrity'> = [];
let calls = 0;

vi.mock('../src/worker-pair.js', () => ({
  runCase: async (c: string): Promise<CaseRun> => {
    calls++;
    const next = script.shift() ?? 'ok';
    if (next !== 'ok') throw new BenchCaseError(c, next, 'scripted');
    return {
      case: c as CaseRun['case'],
      pps: 1e6,
      windowPackets: 1000,
      windowSeconds: 0.001,
      totalPackets: 2000,
      kicks: 0,
      kicksPerMillion: 0,
      lineRttNs: Number.NaN,
    };
  },
}));

const { runSuite } = await import('../src/suite.js');
const { formatProgress } = await import('../src/report.js');

beforeEach(() => {
  script.length = 0;
  calls = 0;
});

describe('runSuite retries a missed window once', () => {
  it('a run whose first try missed its window counts its second try, and says so', async () => {
    script.push('no-window', 'ok');
    const lines: string[] = [];
    const [row] = await runSuite(['pipe-64b-rw'], {
      runs: 1,
      onProgress: (p) => lines.push(formatProgress(p)),
    });
    expect(calls).toBe(2);
    expect(row!.runsPps).toEqual([1e6]);
    expect(row!.errors).toEqual([]);
    expect(lines[0]).toMatch(/\(second try: the first missed its window\)$/);
  });

  it('two missed windows in a row, or any other failure, fail the run', async () => {
    script.push('no-window', 'no-window', 'integrity');
    const [row] = await runSuite(['pipe-64b-rw'], { runs: 2 });
    expect(calls).toBe(3);
    expect(row!.runsPps).toEqual([]);
    expect(row!.errors.map((e) => /: (no-window|integrity):/.exec(e)?.[1])).toEqual([
      'no-window',
      'integrity',
    ]);
  });
});
