/**
 * processAlive: a live child, the same child after SIGKILL and reaping, a
 * zombie (exited, not yet reaped by its parent), and its argument checks.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@pktfabric/core/testing';
import { processAlive, ShmError } from '../src/index.js';
import { procState } from './fixtures/proc-state.js';
import { runAddonTests, startChild } from './helpers.js';

const ZOMBIE = fileURLToPath(new URL('../dist/test/fixtures/zombie.js', import.meta.url));

describe.runIf(runAddonTests)('processAlive', () => {
  it('is true for this process and a live child, false once the child is killed with SIGKILL and reaped', async () => {
    expect(processAlive(process.pid)).toBe(true);
    const child = await startChild();
    const pid = child.pid;
    expect(processAlive(pid)).toBe(true);
    await child.kill(); // SIGKILL, then the 'exit' event: libuv has reaped it
    expect(child.proc.signalCode).toBe('SIGKILL');
    expect(processAlive(pid)).toBe(false);
  });

  it('is false for a zombie: a child that exited and that its parent has not reaped (state Z in /proc)', async () => {
    // The maker spawns `true` and blocks its own event loop, so it never reaps it.
    const maker = fork(ZOMBIE, [], {
      env: { ...process.env, ROLE: 'maker' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((resolve) => maker.once('exit', () => resolve()));
    try {
      const pid = await new Promise<number>((resolve, reject) => {
        maker.once('message', (m: { pid: number }) => resolve(m.pid));
        maker.once('exit', (code) => reject(new Error(`the maker exited (${code})`)));
      });
      await waitFor(`process ${pid} to be a zombie`, () => procState(pid) === 'Z');
      // kill(pid, 0) and pidfd_open both still succeed on it: it has a pid until reaped.
      expect(processAlive(pid)).toBe(false);
      expect(processAlive(maker.pid!)).toBe(true);
    } finally {
      maker.kill('SIGKILL');
      await exited;
    }
  });

  it('is true for a process of another user (pid 1: kill(1, 0) may say EPERM, which means alive)', () => {
    expect(processAlive(1)).toBe(true);
  });

  it('rejects pids that would signal a group or are not integers, naming the parameter', () => {
    for (const pid of [0, -1, -1234, 1.5, NaN, Infinity, 2 ** 31]) {
      let caught: unknown;
      try {
        processAlive(pid);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ShmError);
      expect((caught as ShmError).param).toBe('pid');
    }
  });
});
