/**
 * pktfabric-regions: `list` shows a region with its live and dead users;
 * `clean` removes a region whose every user died (a child killed with
 * SIGKILL while holding a pipe end) and leaves one this process still uses.
 */
import { fork, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPipe, openPort } from '@pktfabric/pipes';
import { createSharedRegion, unlinkSharedRegion } from '../src/index.js';
import { cleanup, devShmPath, runAddonTests, uniqueName } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
const PIPE_CHILD = fileURLToPath(new URL('../dist/test/fixtures/pipe-child.js', import.meta.url));

function regions(...args: string[]): string {
  const p = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  expect(p.status, p.stderr).toBe(0);
  return p.stdout;
}

afterEach(cleanup);

describe.runIf(runAddonTests)('pktfabric-regions', () => {
  it('lists regions with their users and cleans only the abandoned ones', async () => {
    const live = uniqueName('live');
    const dead = uniqueName('dead');
    const mine = createSharedRegion(live, { bufCount: 64 });
    createPipe(mine, { id: 1, slots: 8 });
    const held = openPort(mine, 'pipe{1');
    const other = createSharedRegion(dead, { bufCount: 64 });
    createPipe(other, { id: 2, slots: 8 });
    expect(other.detach()).toBe(true); // this process holds nothing there
    // A child opens an end of the second region, then is killed.
    const child = fork(PIPE_CHILD, [], {
      env: { ...process.env, REGION: dead, END: 'pipe}2', ROLE: 'hold' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`child exited (${code}) before opening`)));
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;

    // Named explicitly: other tests (and other runs) may have regions of their own.
    const list = regions('list', live, dead);
    expect(list).toMatch(new RegExp(`${live}: .*ports: pipe1; users: ${process.pid}\\b`));
    expect(list).toMatch(new RegExp(`${dead}: .*users: \\d+ \\(dead\\)  \\[abandoned\\]`));
    expect(regions('clean', '--dry-run', live, dead)).toBe(`would remove ${dead}\n`);
    expect(existsSync(devShmPath(dead))).toBe(true);
    expect(regions('clean', live, dead)).toBe(`removed ${dead}\n`);
    expect(existsSync(devShmPath(dead))).toBe(false);
    expect(existsSync(devShmPath(live))).toBe(true);
    held.close();
    unlinkSharedRegion(live);
  });
});
