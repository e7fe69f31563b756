/** processAlive: a live child, the same child after SIGKILL and reaping, and its argument checks. */
import { describe, expect, it } from 'vitest';
import { processAlive, ShmError } from '../src/index.js';
import { runAddonTests, startChild } from './helpers.js';

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
