/**
 * Without the addon: the build script exits 0 and writes why, and every call
 * throws ShmUnavailableError quoting that reason. And with it: the addon of
 * this checkout is built (fails in CI if not, with the reason).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { shmAvailable, shmUnavailableReason } from '../src/index.js';
import { startChild } from './helpers.js';

const BUILD = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function buildInto(env: NodeJS.ProcessEnv): { dir: string; status: number | null; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pktfabric-shm-build-'));
  dirs.push(dir);
  const r = spawnSync(process.execPath, [BUILD, '--force'], {
    env: { ...process.env, ...env, PKTFABRIC_SHM_BUILD_DIR: dir },
    encoding: 'utf8',
  });
  return { dir, status: r.status, stdout: r.stdout };
}

describe('the addon', () => {
  it('is built in this checkout (in CI a missing addon fails here, with the reason)', (ctx) => {
    if (!shmAvailable() && !process.env['CI']) {
      ctx.skip(`addon unavailable: ${shmUnavailableReason()}`);
    }
    expect(shmUnavailableReason()).toBeUndefined();
    expect(shmAvailable()).toBe(true);
  });
});

describe('without a compiler', () => {
  it('the build script exits 0, says so in one line and writes build/unavailable.txt', () => {
    const r = buildInto({ CC: '/nonexistent/cc' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain('no C compiler');
    expect(existsSync(join(r.dir, 'shm.node'))).toBe(false);
    expect(readFileSync(join(r.dir, 'unavailable.txt'), 'utf8')).toContain(
      "no C compiler: '/nonexistent/cc' was not found",
    );
  });

  it('a failing compiler: exit 0 and its output kept in unavailable.txt', () => {
    const r = buildInto({ CC: 'false' });
    expect(r.status).toBe(0);
    expect(readFileSync(join(r.dir, 'unavailable.txt'), 'utf8')).toContain(
      "the C compiler 'false' failed (exit 1)",
    );
  });

  it('every call throws ShmUnavailableError (ESHM_UNAVAILABLE) saying what is missing', async () => {
    const r = buildInto({ CC: '/nonexistent/cc' });
    const child = await startChild({ PKTFABRIC_SHM_ADDON: join(r.dir, 'shm.node') });
    try {
      const p = await child.request({ op: 'probe' }, 'probed');
      expect(p.available).toBe(false);
      expect(p.reason).toContain('no C compiler');
      expect(p.errorName).toBe('ShmUnavailableError');
      expect(p.errorCode).toBe('ESHM_UNAVAILABLE');
      expect(p.errorMessage).toContain(join(r.dir, 'shm.node'));
      expect(p.errorMessage).toContain("no C compiler: '/nonexistent/cc' was not found");
    } finally {
      await child.kill();
    }
  });

  it.runIf(shmAvailable())(
    'with a compiler the same script builds the addon and clears the reason',
    () => {
      const r = buildInto({});
      expect(r.status).toBe(0);
      expect(existsSync(join(r.dir, 'shm.node'))).toBe(true);
      expect(existsSync(join(r.dir, 'unavailable.txt'))).toBe(false);
    },
  );
});
