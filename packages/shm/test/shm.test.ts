/**
 * Named objects: create / open / unlink, the memory kind each runtime gets,
 * the argument checks, and open()'s owner and mode checks.
 */
import { chmodSync, chownSync, statSync, truncateSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createShm,
  memoryKind,
  openShm,
  SHM_MAX_BYTES,
  ShmError,
  shmSystemName,
  unlinkShm,
  type ShmOptions,
} from '../src/index.js';
import { cleanup, devShmPath, runAddonTests, startChild, uniqueName } from './helpers.js';

afterEach(cleanup);

/** Node >= 24.16 (in 24) or >= 26.1 has node_api_create_external_sharedarraybuffer. */
function runtimeHasExternalSab(): boolean {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return (major === 24 && minor >= 16) || (major === 26 && minor >= 1) || major >= 27;
}

function expectShmError(f: () => unknown, code: string, param?: string): ShmError {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ShmError);
  const e = caught as ShmError;
  expect(e.code).toBe(code);
  if (param !== undefined) {
    expect(e.param).toBe(param);
    expect(e.message).toContain(param);
  }
  return e;
}

describe.runIf(runAddonTests)('named shared memory', () => {
  it('gets the memory kind this runtime offers (SharedArrayBuffer on Node >= 24.16, else ArrayBuffer)', () => {
    const expected = runtimeHasExternalSab() ? 'sab' : 'external-arraybuffer';
    console.log(`node ${process.versions.node}: memory kind ${memoryKind()}`);
    expect(memoryKind()).toBe(expected);
    const m = createShm(uniqueName('kind'), 4096);
    expect(m.kind).toBe(expected);
    expect(m.buffer).toBeInstanceOf(expected === 'sab' ? SharedArrayBuffer : ArrayBuffer);
    const forced = createShm(uniqueName('kind'), 4096, { memory: 'external-arraybuffer' });
    expect(forced.kind).toBe('external-arraybuffer');
    expect(forced.buffer).toBeInstanceOf(ArrayBuffer);
  });

  describe.each<ShmOptions['memory']>(['auto', 'external-arraybuffer'])('memory: %s', (memory) => {
    it('bytes written through one mapping are read through another, in this process and in a child', async () => {
      const name = uniqueName('rt');
      const a = createShm(name, 10_000, { memory });
      expect(a.byteLength).toBe(10_000);
      expect(a.systemName).toBe(`/pktfabric-${name}`);
      const st = statSync(devShmPath(name));
      expect(st.mode & 0o777).toBe(0o600);
      expect(st.size).toBe(10_000);
      expect(new Uint8Array(a.buffer).every((b) => b === 0)).toBe(true);

      const b = openShm(name, { memory });
      expect(b.byteLength).toBe(10_000);
      const wa = new Uint8Array(a.buffer);
      const rb = new Uint8Array(b.buffer);
      for (let i = 0; i < wa.length; i++) wa[i] = (i * 7 + 3) & 0xff;
      expect(rb[0]).toBe(3);
      expect(rb[9_999]).toBe((9_999 * 7 + 3) & 0xff);
      expect(Buffer.from(rb).equals(Buffer.from(wa))).toBe(true);
      // and back the other way
      rb[5000] = 0xee;
      expect(wa[5000]).toBe(0xee);

      const child = await startChild();
      try {
        const opened = await child.request({ op: 'open', name, memory }, 'opened');
        expect(opened.byteLength).toBe(10_000);
        const got = await child.request({ op: 'read', byteOffset: 4990, length: 20 }, 'bytes');
        expect(got.bytes).toEqual([...wa.subarray(4990, 5010)]);
      } finally {
        await child.kill();
      }
    });
  });

  it('create is exclusive (EEXIST), open after unlink is ENOENT, unlink twice is ENOENT', () => {
    const name = uniqueName('ex');
    const a = createShm(name, 64);
    new Int32Array(a.buffer)[0] = 42;
    const e = expectShmError(() => createShm(name, 64), 'EEXIST');
    expect(e.message).toContain(`/pktfabric-${name}`);
    expect(new Int32Array(a.buffer)[0]).toBe(42); // the failed create did not touch it
    unlinkShm(name);
    expectShmError(() => openShm(name), 'ENOENT');
    expectShmError(() => unlinkShm(name), 'ENOENT');
    // the old mapping stays valid after unlink
    expect(new Int32Array(a.buffer)[0]).toBe(42);
  });

  it('bad names are typed errors naming the parameter', () => {
    for (const name of ['', 'a/b', '../x', 'x y', 'é', 'a'.repeat(65), '.', '..', 'a\0b']) {
      expectShmError(() => createShm(name, 64), 'EINVAL', 'name');
      expectShmError(() => openShm(name), 'EINVAL', 'name');
      expectShmError(() => unlinkShm(name), 'EINVAL', 'name');
    }
    expectShmError(() => createShm(42 as unknown as string, 64), 'EINVAL', 'name');
    expect(shmSystemName('a'.repeat(64))).toBe(`/pktfabric-${'a'.repeat(64)}`);
    expect(shmSystemName('A-z_0.9')).toBe('/pktfabric-A-z_0.9');
  });

  it('bad sizes are typed errors naming the parameter and its limit', () => {
    for (const bytes of [0, -1, 1.5, NaN, Infinity, SHM_MAX_BYTES + 1, '64' as unknown as number]) {
      const e = expectShmError(() => createShm(uniqueName('sz'), bytes), 'EINVAL', 'bytes');
      expect(e.message).toContain('2147483647');
    }
    expectShmError(
      () => createShm(uniqueName('mem'), 64, { memory: 'x' as 'auto' }),
      'EINVAL',
      'options.memory',
    );
  });

  it('open refuses an object with group or other permission bits (ESHM_MODE)', () => {
    for (const mode of [0o640, 0o604, 0o660, 0o606, 0o610]) {
      const name = uniqueName('mode');
      createShm(name, 64);
      chmodSync(devShmPath(name), mode);
      const e = expectShmError(() => openShm(name), 'ESHM_MODE');
      expect(e.message).toContain(mode.toString(8));
    }
  });

  it('open refuses an empty object (ESHM_SIZE)', () => {
    const name = uniqueName('empty');
    createShm(name, 64);
    truncateSync(devShmPath(name), 0);
    expectShmError(() => openShm(name), 'ESHM_SIZE');
  });

  it.runIf(process.getuid?.() === 0)(
    'open refuses an object owned by another uid (ESHM_OWNER; needs root to chown)',
    () => {
      const name = uniqueName('owner');
      createShm(name, 64);
      chownSync(devShmPath(name), 65534, 65534);
      const e = expectShmError(() => openShm(name), 'ESHM_OWNER');
      expect(e.message).toContain('65534');
    },
  );
});
