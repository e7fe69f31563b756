/**
 * pktgen with one end per process, in a region shared by name (--region):
 * rx in one process and tx in another move exactly -n packets (txseq/rxseq:
 * in order, no gap); a receiver killed with SIGKILL is noticed by the
 * sender, which reports the peer gone and exits 0; the region is removed by
 * the last process.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@pktfabric/core/testing';
import { shmAvailable, shmUnavailableReason } from '@pktfabric/shm';

const CLI = fileURLToPath(new URL('../dist/src/pktgen/cli.js', import.meta.url));
const runIt = shmAvailable() || !!process.env['CI'];
if (!shmAvailable()) console.warn(`pktgen --region tests: ${shmUnavailableReason()}`);

interface Run {
  out: string;
  err: string;
  code: number | null;
  done: Promise<void>;
  kill(): void;
}

function pktgen(args: string[]): Run {
  const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Run = {
    out: '',
    err: '',
    code: null,
    done: new Promise((resolve) => p.once('exit', (code) => ((r.code = code), resolve()))),
    kill: () => p.kill('SIGKILL'),
  };
  p.stdout.on('data', (d: Buffer) => (r.out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (r.err += d.toString()));
  return r;
}

const unique = (): string => `pg-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

describe.runIf(runIt)('pktgen --region (one end per process)', () => {
  it('rxseq in one process receives exactly the -n frames txseq sends from another, in order', async () => {
    const name = unique();
    const rx = pktgen([
      '-f',
      'rxseq',
      '-i',
      'pipe}1',
      '--region',
      name,
      '-w',
      '60',
      '-n',
      '300000',
      '-T',
      '0',
    ]);
    const tx = pktgen([
      '-f',
      'txseq',
      '-i',
      'pipe{1',
      '--region',
      name,
      '-w',
      '60',
      '-n',
      '300000',
      '-T',
      '0',
    ]);
    await Promise.all([rx.done, tx.done]);
    expect(tx.err).toBe('');
    expect(tx.code).toBe(0);
    expect(rx.code).toBe(0);
    expect(tx.out).toMatch(/Sent 300000 packets/);
    expect(rx.out).toMatch(/Received 300000 packets/);
    expect(rx.out).toMatch(/Sequence: 300000 in order, 0 gaps \(0 missing\)/);
    expect(existsSync(`/dev/shm/pktfabric-${name}`)).toBe(false);
  });

  it('a receiver killed with SIGKILL: the sender reports the peer gone and ends', async () => {
    const name = unique();
    const rx = pktgen(['-f', 'rx', '-i', 'pipe}1', '--region', name, '-w', '60', '-T', '100']);
    const tx = pktgen(['-f', 'tx', '-i', 'pipe{1', '--region', name, '-w', '60', '-T', '0']);
    await waitFor('the receiver to report an interval', () => /Mpps/.test(rx.out), {
      timeoutMs: 60_000,
    });
    rx.kill();
    await tx.done;
    expect(tx.err).toMatch(/peer of pipe\{1 has gone/);
    expect(tx.code).toBe(0);
    expect(tx.out).toMatch(/Sent \d+ packets/);
    await rx.done;
    expect(existsSync(`/dev/shm/pktfabric-${name}`)).toBe(false);
  });
});
