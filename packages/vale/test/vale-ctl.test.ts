import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRegion } from '@pktfabric/core';
import { expectConserved, markPools } from '@pktfabric/core/testing';
import { createSharedRegion, shmAvailable, unlinkShm } from '@pktfabric/shm';
import { listSwitches, openValePort } from '../src/index.js';
import { valeCtl } from '../src/tools/vale-ctl-program.js';
import { frame, mac } from './frames.js';

const BIN = fileURLToPath(new URL('../bin/vale-ctl.js', import.meta.url));

async function run(argv: string[], region: ReturnType<typeof createRegion>) {
  let out = '';
  let err = '';
  const code = await valeCtl(argv, {
    out: (s) => (out += s),
    err: (s) => (err += s),
    openRegion: () => region,
  });
  return { code, out, err };
}

describe('vale-ctl', () => {
  it('--closed lists the switch ports closed for good, counters summed by name', async () => {
    const r = createRegion();
    expect((await run(['--region', 'x', '--closed'], r)).out).toBe(
      'no closed switch ports in this region\n',
    );
    for (let round = 0; round < 2; round++) {
      const a = openValePort(r, 'vale0:a', { slots: 64 });
      const b = openValePort(r, 'vale0:b', { slots: 64 });
      for (let i = 0; i < 3; i++) expect(a.send(frame(mac(2), mac(1), i))).toBe(true);
      a.close();
      b.close();
    }
    const j = JSON.parse((await run(['--region', 'x', '--closed', '--json'], r)).out) as Array<
      Record<string, unknown>
    >;
    expect(j.map((p) => [p['name'], p['closes'], p['txPackets'], p['rxPackets']])).toEqual([
      ['vale0:a', 2, 6, 0],
      ['vale0:b', 2, 0, 6],
    ]);
    const table = await run(['--region', 'x', '--closed'], r);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/│ vale0:a │ 2\s+│ 6 /);
  });

  it('attaches, lists with counters, refuses to detach a port in use, detaches', async () => {
    const r = createRegion();
    const mark = markPools(r);
    expect((await run(['--region', 'x'], r)).out).toBe('no switches in this region\n');
    const a = await run(['--region', 'x', '-a', 'vale0:p1', '-C', '2,256'], r);
    expect([a.code, a.out]).toEqual([0, 'attached vale0:p1 as port 0\n']);
    const p2 = openValePort(r, 'vale0:p2', { slots: 64 });
    p2.send(frame(mac(1), mac(2), 1));
    const list = await run(['--region', 'x', '--json'], r);
    const j = JSON.parse(list.out) as ReturnType<typeof listSwitches>;
    expect(j[0]!.ports.map((p) => [p.name, p.rings, p.slots, p.persistent, p.rxPackets])).toEqual([
      ['vale0:p1', 2, 256, true, 1],
      ['vale0:p2', 1, 64, false, 0],
    ]);
    const table = await run(['--region', 'x'], r);
    expect(table.out).toMatch(/vale0:p1.*\n(.*\n)*.*vale0:p2/);
    const busy = await run(['--region', 'x', '-d', 'vale0:p2'], r);
    expect(busy.code).toBe(1);
    expect(busy.err).toMatch(/^vale-ctl: BusyError/);
    p2.close();
    expect((await run(['--region', 'x', '-d', 'vale0:p1'], r)).code).toBe(0);
    expect(listSwitches(r)).toEqual([]);
    expect((await run(['--region', 'x', '-a', 'vale0:a', '-C', 'x'], r)).code).toBe(1);
    expect((await run(['--region', 'x', '-a', 'bad'], r)).err).toMatch(/PortNameError/);
    expect((await run([], r)).code).toBe(1); // --region is required
    expectConserved(r, mark);
  });

  it.skipIf(!shmAvailable())('the bin works on a region shared by name', () => {
    const name = `vale-ctl-test-${process.pid}`;
    const r = createSharedRegion(name, { bufCount: 4096 });
    try {
      const a = spawnSync(
        process.execPath,
        [BIN, '--region', name, '-a', 'vale3:keep', '-C', '1,64'],
        {
          encoding: 'utf8',
        },
      );
      expect([a.status, a.stdout]).toEqual([0, 'attached vale3:keep as port 0\n']);
      expect(listSwitches(r)[0]!.ports.map((p) => p.name)).toEqual(['vale3:keep']);
      const l = spawnSync(process.execPath, [BIN, '--region', name], { encoding: 'utf8' });
      expect(l.stdout).toContain('vale3:keep');
      const h = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
      expect([h.status, h.stdout.includes('--attach')]).toEqual([0, true]);
      const bad = spawnSync(process.execPath, [BIN, '--region', 'no-such-region-xyz'], {
        encoding: 'utf8',
      });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/^vale-ctl: /);
    } finally {
      unlinkShm(name);
    }
  });
});
