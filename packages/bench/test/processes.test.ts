/**
 * The cases between processes (process-pair.ts): a run of each kind (a
 * throughput case, a round-trip case) moves packets between two child
 * processes; a run that fails (hang guard, a side killed mid-run) rejects
 * with BenchCaseError; and whatever happens, no shared-memory object of the
 * run and no child process is left behind. Also: the CLI skips these rows,
 * saying why, when the addon cannot load. It checks behaviour, not speed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@pktfabric/core/testing';
import { shmAvailable, shmUnavailableReason } from '@pktfabric/shm';
import { BenchCaseError, runCase } from '../src/index.js';

const MAIN = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
const QUICK = { durationS: 0.15, warmupS: 0.05 };

if (!shmAvailable() && !process.env['CI'])
  console.warn(`bench: the process cases' tests are skipped: ${shmUnavailableReason()}`);

/** This process's shared-memory objects of bench runs still in /dev/shm. */
function leftoverObjects(): string[] {
  return readdirSync('/dev/shm').filter((f) => f.startsWith(`pktfabric-bench-${process.pid}-`));
}

/** Pids of this process's bench children (bench-process.js) still alive. */
function benchChildren(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) !== process.pid || f[0] === 'Z') continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('bench-process.js'))
        out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function expectNothingLeft(): Promise<void> {
  expect(leftoverObjects()).toEqual([]);
  await waitFor('the bench children to be gone', () => benchChildren().length === 0);
}

describe.runIf(shmAvailable() || !!process.env['CI'])('bench cases between processes', () => {
  it('a throughput case moves the same packets as it sends, between two processes', async () => {
    const r = await runCase('xproc-pipe-64b-rw', QUICK);
    expect(r.pps).toBeGreaterThan(0);
    expect(r.totalPackets).toBeGreaterThan(0);
    expect(r.kicks).toEqual(expect.any(Number));
    expect(r.rtt).toBeUndefined();
    await expectNothingLeft();
  });

  it('a round-trip case reports its round trips, parked and spinning', async () => {
    for (const c of ['xproc-pipe-rtt-park', 'xproc-pipe-rtt-spin'] as const) {
      const r = await runCase(c, QUICK);
      expect(r.rtt!.count, c).toBeGreaterThan(0);
      expect(r.rtt!.count).toBeLessThanOrEqual(r.totalPackets);
      expect(r.rtt!.p50Ns).toBeGreaterThan(0);
      expect(r.rtt!.p99Ns).toBeGreaterThanOrEqual(r.rtt!.p50Ns);
      expect(r.rtt!.maxNs).toBeGreaterThanOrEqual(r.rtt!.p99Ns);
    }
    await expectNothingLeft();
  });

  it('a run that outlives its hang guard fails, both processes killed, nothing left', async () => {
    const t0 = performance.now();
    const err = await runCase('xproc-pipe-index', { durationS: 30, hangGuardMs: 1500 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BenchCaseError);
    expect((err as BenchCaseError).reason).toBe('hang');
    expect(performance.now() - t0).toBeLessThan(15_000);
    await expectNothingLeft();
  });

  it('a side killed mid-run fails the run; the other side ends; nothing left', async () => {
    const run = runCase('xproc-pipe-index', { durationS: 30, warmupS: 0 }).catch((e: unknown) => e);
    let kids: number[] = [];
    await waitFor('both sides to start', () => (kids = benchChildren()).length === 2);
    // Let them get set up and moving before one dies.
    await waitFor('the run to start', () => leftoverObjects().length === 0);
    process.kill(kids[0]!, 'SIGKILL');
    const err = await run;
    expect(err).toBeInstanceOf(BenchCaseError);
    expect(['worker-exit', 'worker-error']).toContain((err as BenchCaseError).reason);
    await expectNothingLeft();
  });
});

describe('npm run bench without the shared-memory addon', () => {
  it('skips the rows between processes, saying why, and runs the rest', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        MAIN,
        ...['--only', '^xproc-pipe-rtt-park$', '--quick', '--runs', '1', '--duration', '0.1'],
        ...['--out', mkdtempSync(join(tmpdir(), 'pktfabric-bench-'))],
      ],
      {
        env: { ...process.env, PKTFABRIC_SHM_ADDON: '/nonexistent/shm.node' },
        timeout: 60_000,
      },
    );
    expect(stdout).toMatch(
      /^skipped xproc-pipe-rtt-park: @pktfabric\/shm is unavailable: \/nonexistent\/shm\.node does not exist/m,
    );
    expect(stdout).toMatch(/\] pipe-rtt-park +run 1\/1 /);
    expect(stdout).not.toContain('FAILED');
  }, 60_000);
});
