/**
 * A region in a named shared-memory object, used by two processes through
 * the same pipe code as threads: seeded packets of random sizes (some over
 * one buffer, so NS_MOREFRAG) go one way and then the other between this
 * process and a forked child, every packet checked (length, sequence,
 * bytes), and every buffer is back in the pool afterwards. Both memory kinds.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AttachError } from '@pktfabric/core';
import { expectConserved, markPools, testSeed } from '@pktfabric/core/testing';
import { createPipe, openPort, POLLHUP, POLLIN, POLLOUT } from '@pktfabric/pipes';
import {
  createSharedRegion,
  openSharedRegion,
  ShmError,
  unlinkSharedRegion,
  type ShmOptions,
} from '../src/index.js';
import { checkPacket, fillPacket } from './fixtures/packets.js';
import { cleanup, runAddonTests, uniqueName } from './helpers.js';

const seed = testSeed(import.meta.url);
const CHILD = fileURLToPath(new URL('../dist/test/fixtures/pipe-child.js', import.meta.url));
const COUNT = 20_000;

interface ChildResult {
  type: 'done' | 'error';
  done?: number;
  bad?: string | null;
  message?: string;
}

function child(env: Record<string, string>): {
  result: Promise<ChildResult>;
  exited: Promise<number>;
} {
  const proc = fork(CHILD, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = new Promise<ChildResult>((resolve, reject) => {
    proc.once('message', (m: ChildResult) => resolve(m));
    proc.once('exit', (code) => reject(new Error(`child exited (code ${code}) before reporting`)));
  });
  const exited = new Promise<number>((resolve) => proc.once('exit', (code) => resolve(code ?? -1)));
  return { result, exited };
}

afterEach(cleanup);

describe.runIf(runAddonTests)('a region shared by two processes', () => {
  for (const memory of ['auto', 'external-arraybuffer'] as const) {
    it(`moves seeded packets both ways through one pipe (${memory})`, async () => {
      const name = uniqueName('region');
      const shm: ShmOptions = { memory };
      const region = createSharedRegion(name, { bufCount: 4096, memId: 77 }, shm);
      const mark = markPools(region);
      const pipe = createPipe(region, { id: 1, slots: 256 });

      // This process sends on pipe{1; the child receives on pipe}1.
      const rx = child({
        REGION: name,
        END: 'pipe}1',
        ROLE: 'rx',
        COUNT: String(COUNT),
        SEED: String(seed),
        MEMORY: memory,
      });
      const m = openPort(region, 'pipe{1');
      let sent = 0;
      const list: Uint8Array[] = [];
      while (sent < COUNT) {
        list.length = 0;
        for (let i = sent; i < COUNT && list.length < 256; i++) list.push(fillPacket(seed, i));
        const n = m.sendBatch(list);
        sent += n;
        if (n < list.length) expect(m.poll(POLLOUT, 20_000) & POLLOUT).toBe(POLLOUT);
      }
      const r1 = await rx.result;
      expect(r1.message).toBeUndefined();
      expect(r1).toMatchObject({ type: 'done', done: COUNT, bad: null });
      expect(await rx.exited).toBe(0);

      // And back: the child sends on pipe}1; this process receives on pipe{1.
      const tx = child({
        REGION: name,
        END: 'pipe}1',
        ROLE: 'tx',
        COUNT: String(COUNT),
        SEED: String(seed + 1),
        MEMORY: memory,
      });
      let got = 0;
      let bad: string | null = null;
      const batch: Uint8Array[] = [];
      while (got < COUNT) {
        m.recvBatch(256, batch);
        if (batch.length === 0) {
          expect(m.poll(POLLIN, 20_000) & (POLLIN | POLLHUP)).not.toBe(0);
          continue;
        }
        for (const p of batch) bad ??= checkPacket(seed + 1, got++, p);
      }
      expect(bad).toBeNull();
      expect(got).toBe(COUNT);
      const r2 = await tx.result;
      expect(r2).toMatchObject({ type: 'done', done: COUNT });
      expect(await tx.exited).toBe(0);

      m.close();
      expect(pipe.release()?.problems).toBe(0);
      expectConserved(region, mark);
      unlinkSharedRegion(name);
    });
  }

  it('a second create of the same name is refused, and opening a missing one is a typed error', () => {
    const name = uniqueName('dup');
    createSharedRegion(name, { bufCount: 64 });
    expect(() => createSharedRegion(name, { bufCount: 64 })).toThrow(ShmError);
    expect(openSharedRegion(name).bufCount).toBe(64);
    unlinkSharedRegion(name);
    expect(() => openSharedRegion(name)).toThrow(ShmError);
  });

  it('an object that is not a region is refused before anything past the header is read', async () => {
    const { createShm } = await import('../src/index.js');
    const name = uniqueName('foreign');
    const m = createShm(name, 4096);
    new Int32Array(m.buffer)[0] = 0x12345678; // someone else's data
    expect(() => openSharedRegion(name)).toThrow(AttachError);
  });
});
