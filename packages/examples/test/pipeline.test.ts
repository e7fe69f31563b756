/**
 * The pipeline generator end to end: real workers, one per stage replica,
 * joined by pipes. Workers load the built output (`npx tsc -p tsconfig.build.json`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixtureUrl, waitFor } from '@pktfabric/core/testing';
import { shmAvailable } from '@pktfabric/shm';
import {
  createPipeline,
  formatResult,
  runPipeline,
  SpecError,
  StageError,
  type PipelineResult,
  type PipelineSnapshot,
} from '../src/index.js';

/** A user-stage module of test/fixtures, as the path of its built .js. */
const stage = (name: string): string => fileURLToPath(fixtureUrl(import.meta.url, name));
const CLI = fileURLToPath(new URL('../dist/src/pipeline/cli.js', import.meta.url));
/** Not a stage: a module without a default function. */
const NOT_A_STAGE = fileURLToPath(new URL('../dist/src/index.js', import.meta.url));

/** Every stage's packets = out + drops, and each stage takes in what the one before passed on. */
function expectConservation(r: PipelineResult): void {
  r.stages.forEach((s, i) => {
    expect(s.out + s.drops, `stage ${i} ${s.name}`).toBe(s.packets);
    if (i > 0) expect(s.packets, `stage ${i} ${s.name} in`).toBe(r.stages[i - 1]!.out);
  });
  expect(r.buffersConserved).toBe(true);
}

describe('runPipeline', () => {
  it('moves N packets through 4 stages with per-stage counts that add up', async () => {
    const snaps: PipelineSnapshot[] = [];
    const r = await runPipeline('gen size=60-1514 count=300000 | swap-mac | checksum | count', {
      statsIntervalMs: 50,
      onStats: (s) => snaps.push(s),
      slots: 256,
    });
    expect(r.stages.map((s) => [s.name, s.packets, s.drops, s.out])).toEqual([
      ['gen', 300_000, 0, 300_000],
      ['swap-mac', 300_000, 0, 300_000],
      ['checksum', 300_000, 0, 300_000],
      ['count', 300_000, 0, 300_000],
    ]);
    expect(r.stages[2]!.counters).toEqual({ bad: 0, notIpv4: 0 });
    expect(r.stages[3]!.bytes).toBe(r.stages[0]!.bytes);
    expect(r.stopped).toBe(false);
    expectConservation(r);
    expect(snaps.length).toBeGreaterThan(0);
    expect(snaps[0]!.stages.map((s) => s.name)).toEqual(['gen', 'swap-mac', 'checksum', 'count']);
  });

  it('filter passes exactly the matching packets (=) and drops exactly them (!=)', async () => {
    // dport cycles 1..10, so exactly one packet in ten has dport 9.
    const eq = await runPipeline('gen count=100000 dport=1-10 | filter udp.dport=9 | count', {
      slots: 256,
    });
    expect(eq.stages[1]!.drops).toBe(90_000);
    expect(eq.stages[2]!.packets).toBe(10_000);
    expectConservation(eq);
    const ne = await runPipeline('gen count=100000 dport=1-10 | filter udp.dport!=9 | sink', {
      slots: 256,
    });
    expect(ne.stages[1]!.drops).toBe(10_000);
    expect(ne.stages[2]!.packets).toBe(90_000);
    expectConservation(ne);
  });

  it('a replicated stage (x2, then x3) conserves the packet count and shares the work', async () => {
    const r = await runPipeline(
      'gen count=200000 | swap-mac x2 | ' + stage('mark-stage') + ' x3 keep=even | count',
      { slots: 128 },
    );
    expect(r.stages.map((s) => s.replicas)).toEqual([1, 2, 3, 1]);
    expect(r.stages[1]!.packets).toBe(200_000);
    // gen numbers its packets 0..199999: the user stage drops the odd half.
    expect(r.stages[2]!.drops).toBe(100_000);
    expect(r.stages[2]!.counters.seen).toBe(200_000);
    expect(r.stages[3]!.packets).toBe(100_000);
    expectConservation(r);
  });

  it('a throwing user stage stops the pipeline with its name and error; no worker is left', async () => {
    const p = await createPipeline(`gen | swap-mac | ${stage('throwing-stage')} | count`, {
      slots: 128,
      burst: 64,
    });
    expect(p.liveWorkers).toBe(4);
    p.start();
    const err = await p.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageError);
    const se = err as StageError;
    expect(se.stage).toBe('throwing-stage.js');
    expect(se.index).toBe(2);
    expect(se.cause.message).toMatch(/^boom in throwing-stage\.js/);
    expect(se.message).toContain('stage 3 "throwing-stage.js" failed: Error: boom');
    expect(p.liveWorkers).toBe(0);
    // every pipe destroyed: all buffers back, no ring or if object held
    expect(p.region.counters('buf').free).toBe(p.region.bufCount - 2);
    expect(p.region.counters('ring').free).toBe(p.region.ringCount - 1);
  });

  it('stop() ends an endless gen; what was in flight drains and the counts still add up', async () => {
    const p = await createPipeline('gen | swap-mac | count', {
      slots: 256,
      statsIntervalMs: 20,
      onStats: (s) => {
        if (s.stages[2]!.packets > 50_000) void p.stop();
      },
    });
    p.start();
    const r = await p.done;
    expect(r.stopped).toBe(true);
    expect(r.stages[2]!.packets).toBeGreaterThan(50_000);
    expectConservation(r);
    expect(p.liveWorkers).toBe(0);
  });

  it('rejects a bad spec or a missing module before starting workers', async () => {
    await expect(runPipeline('gen | frobnicate')).rejects.toBeInstanceOf(SpecError);
    await expect(runPipeline('gen | ./no/such/stage.js')).rejects.toBeInstanceOf(SpecError);
  });

  it('a module without a default function fails at init, naming the stage', async () => {
    const err = await runPipeline(`gen count=10 | ${NOT_A_STAGE} | count`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageError);
    expect((err as StageError).stage).toBe('index.js');
    expect((err as StageError).cause.name).toBe('TypeError');
  });
});

/** Pids of this process's stage processes (stage-process.js) still alive. */
function stageProcesses(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) !== process.pid || f[0] === 'Z') continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('stage-process.js'))
        out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Regions of pipelines of this process still in /dev/shm. */
function leftoverRegions(): string[] {
  return readdirSync('/dev/shm').filter((f) => f.startsWith(`pktfabric-pipeline-${process.pid}-`));
}

describe.runIf(shmAvailable() || !!process.env['CI'])('runPipeline with processes', () => {
  it('runs each stage in a process of its own, with the counts and checksums of the same pipeline in threads', async () => {
    const pid = stage('pid-stage');
    const spec = `gen size=60-1514 count=100000 dport=1-10 | ${pid} | swap-mac x2 | checksum | filter udp.dport=9 | ${pid} name=last | count`;
    const procs = await runPipeline(spec, { slots: 256, processes: true });
    const threads = await runPipeline(spec, { slots: 256 });
    const table = (r: PipelineResult) =>
      r.stages.map((s) => {
        const { pid: _, ...counters } = s.counters;
        return [s.name, s.replicas, s.packets, s.bytes, s.drops, s.out, counters];
      });
    expect(table(procs)).toEqual(table(threads));
    expect(table(procs)).toEqual([
      ['gen', 1, 100_000, threads.stages[0]!.bytes, 0, 100_000, {}],
      ['pid-stage.js', 1, 100_000, threads.stages[0]!.bytes, 0, 100_000, { seen: 100_000 }],
      ['swap-mac', 2, 100_000, threads.stages[0]!.bytes, 0, 100_000, {}],
      ['checksum', 1, 100_000, threads.stages[0]!.bytes, 0, 100_000, { bad: 0, notIpv4: 0 }],
      ['filter', 1, 100_000, threads.stages[0]!.bytes, 90_000, 10_000, {}],
      ['last', 1, 10_000, threads.stages[5]!.bytes, 0, 10_000, { seen: 10_000 }],
      ['count', 1, 10_000, threads.stages[5]!.bytes, 0, 10_000, {}],
    ]);
    expectConservation(procs);
    // Two stages in two processes, neither of them this one; in threads, this one.
    const [a, b] = [procs.stages[1]!.counters.pid!, procs.stages[5]!.counters.pid!];
    expect(new Set([a, b, process.pid]).size).toBe(3);
    expect(threads.stages[1]!.counters.pid).toBe(process.pid);
    expect(formatResult(procs).split('\n')[0]).toMatch(
      /^stage +packets +bytes +drops +out +avg rate +other$/,
    );
    expect(leftoverRegions()).toEqual([]);
    await waitFor('the stage processes to be gone', () => stageProcesses().length === 0);
  });

  it('a throwing stage in a process stops the pipeline; no process and no region is left', async () => {
    const p = await createPipeline(`gen | swap-mac | ${stage('throwing-stage')} | count`, {
      slots: 128,
      burst: 64,
      processes: true,
    });
    expect(p.liveWorkers).toBe(4);
    expect(stageProcesses()).toHaveLength(4);
    expect(leftoverRegions()).toEqual([]); // removed once every stage had opened it
    p.start();
    const err = await p.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageError);
    expect((err as StageError).stage).toBe('throwing-stage.js');
    expect((err as StageError).cause.message).toMatch(/^boom in throwing-stage\.js/);
    expect(p.liveWorkers).toBe(0);
    expect(p.region.counters('buf').free).toBe(p.region.bufCount - 2);
    expect(p.region.counters('ring').free).toBe(p.region.ringCount - 1);
    await waitFor('the stage processes to be gone', () => stageProcesses().length === 0);
  });

  it('a stage process killed mid-run: its neighbours see it gone, and the pipeline fails naming it', async () => {
    let victim = 0;
    const p = await createPipeline(`gen | ${stage('pid-stage')} | count`, {
      slots: 128,
      processes: true,
      statsIntervalMs: 20,
      onStats: (snap) => {
        if (victim === 0 && snap.stages[2]!.packets > 10_000) {
          victim = snap.stages[1]!.counters.pid!;
          process.kill(victim, 'SIGKILL');
        }
      },
    });
    p.start();
    const err = await p.done.catch((e: unknown) => e);
    expect(victim).toBeGreaterThan(0);
    expect(victim).not.toBe(process.pid);
    expect(err).toBeInstanceOf(StageError);
    expect((err as StageError).stage).toBe('pid-stage.js');
    expect(p.liveWorkers).toBe(0);
    expect(p.region.counters('buf').free).toBe(p.region.bufCount - 2);
    await waitFor('the stage processes to be gone', () => stageProcesses().length === 0);
  });
});

describe('pktfabric-pipeline CLI', () => {
  it('prints live lines and the final table; a throwing stage exits 1 with its name', () => {
    const ok = spawnSync(
      process.execPath,
      [CLI, '-T', '100', '--slots', '128', 'gen count=20000 | swap-mac | count'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^1:gen\s+20000\s+1200000\s+0\s+20000\s/m);
    expect(ok.stdout).toMatch(/^3:count\s+20000\s/m);
    expect(ok.stdout).toMatch(/finished after/);
    const bad = spawnSync(
      process.execPath,
      [CLI, '-T', '0', `gen | ${stage('throwing-stage')} | count`],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('stage 2 "throwing-stage.js" failed: Error: boom');
  });

  it.runIf(shmAvailable() || !!process.env['CI'])(
    '--processes prints the same table, each stage in a process of its own',
    () => {
      const spec = `gen count=20000 | ${stage('pid-stage')} | count`;
      const runs = [[], ['--processes']].map((extra) =>
        spawnSync(process.execPath, [CLI, '-T', '0', '--slots', '128', ...extra, spec], {
          encoding: 'utf8',
          timeout: 30_000,
        }),
      );
      for (const r of runs) expect(r.status, r.stderr).toBe(0);
      const [threads, procs] = runs.map((r) => r.stdout);
      // The same rows but the pid the user stage saw (and the times).
      const rows = (out: string) =>
        out
          .split('\n')
          .filter((l) => /^\d:/.test(l))
          .map((l) =>
            l
              .replace(/pid=\d+/, 'pid=N')
              .split(/\s+/)
              .slice(0, 5),
          );
      expect(rows(procs!)).toEqual(rows(threads!));
      expect(rows(procs!)).toEqual([
        ['1:gen', '20000', '1200000', '0', '20000'],
        ['2:pid-stage.js', '20000', '1200000', '0', '20000'],
        ['3:count', '20000', '1200000', '0', '20000'],
      ]);
      expect(procs).toMatch(/^stage +packets +bytes +drops +out +avg rate +other$/m);
      expect(procs).toMatch(/finished after/);
      const pidOf = (out: string) => Number(/pid=(\d+)/.exec(out)![1]);
      expect(pidOf(procs!)).not.toBe(runs[1]!.pid);
      expect(pidOf(threads!)).toBe(runs[0]!.pid);
      const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
      expect(help.stdout).toMatch(/--processes +run each stage replica in its own OS process/);
    },
  );

  it('Ctrl-C (SIGINT) stops cleanly and prints the totals', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [CLI, '-T', '50', '--slots', '128', 'gen | count'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let sent = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      if (!sent && /\[\s+[\d.]+ s\] 1:gen/.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(0);
    expect(out).toMatch(/stopped after/);
    const gen = /^1:gen\s+(\d+)/m.exec(out);
    const count = /^2:count\s+(\d+)/m.exec(out);
    expect(gen).not.toBeNull();
    expect(Number(count![1])).toBe(Number(gen![1]));
  });

  it.runIf(shmAvailable() || !!process.env['CI'])(
    'Ctrl-C with --processes (SIGINT to the whole process group, as a terminal sends it) stops cleanly',
    async () => {
      const { spawn } = await import('node:child_process');
      const child = spawn(
        process.execPath,
        [CLI, '--processes', '-T', '50', '--slots', '128', 'gen | count'],
        // A process group of its own, so that the signal reaches the stage processes too.
        { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
      );
      let out = '';
      let sent = false;
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        out += d;
        if (!sent && /\[\s+[\d.]+ s\] 1:gen/.test(out)) {
          sent = true;
          process.kill(-child.pid!, 'SIGINT');
        }
      });
      const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
      expect(code).toBe(0);
      expect(out).toMatch(/stopped after/);
      const gen = /^1:gen\s+(\d+)/m.exec(out);
      const count = /^2:count\s+(\d+)/m.exec(out);
      expect(Number(count![1])).toBe(Number(gen![1]));
    },
  );
});
