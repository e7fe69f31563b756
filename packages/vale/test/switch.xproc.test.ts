/**
 * A switch across processes: a port opened by another process on a region
 * shared by name forwards into a port of this process (the lease lock and
 * the wake-ups go through the shm futex). Skipped where the shm addon is
 * unavailable.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { POLLIN } from '@pktfabric/core';
import { fixtureUrl, waitFor } from '@pktfabric/core/testing';
import { createSharedRegion, shmAvailable, unlinkShm } from '@pktfabric/shm';
import { listSwitches, openValePort } from '../src/index.js';
import { BCAST, frame, mac, srcOf, tagOf } from './frames.js';

describe.skipIf(!shmAvailable())('a switch shared by two processes', () => {
  it('delivers every frame of the other process in order', async () => {
    const name = `vale-xproc-${process.pid}`;
    const r = createSharedRegion(name, { bufCount: 4096 });
    try {
      const rx = openValePort(r, 'vale0:rx', { slots: 256 });
      rx.send(frame(BCAST, mac(100), 0)); // teach the switch where MAC 100 is
      const count = 5000;
      const child = spawn(
        process.execPath,
        [
          fileURLToPath(fixtureUrl(import.meta.url, 'xproc-sender')),
          name,
          'vale0:tx@conf:slots=256',
          String(count),
          'vale0:rx',
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      const exited = new Promise<number | null>((res) => child.once('exit', res));
      let next = 0;
      await waitFor(
        'every frame from the other process',
        (async () => {
          while (next < count) {
            await rx.pollAsync(POLLIN, 100);
            for (const f of rx.recvBatch(256)) {
              expect(srcOf(f)).toBe(7);
              expect(tagOf(f)).toBe(next++);
            }
            rx.giveBack();
          }
        })(),
      );
      expect(await exited).toBe(0);
      expect(out).toBe(`done ${count}\n`);
      expect(listSwitches(r)[0]!.ports.map((p) => [p.name, p.rxPackets, p.rxDrops])).toEqual([
        ['vale0:rx', count, 0],
      ]);
      rx.close();
      expect(listSwitches(r)).toEqual([]);
    } finally {
      unlinkShm(name);
    }
  });
});
