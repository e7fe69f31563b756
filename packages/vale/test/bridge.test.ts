import { describe, expect, it } from 'vitest';
import { createRegion } from '@pktfabric/core';
import { expectConserved, markPools } from '@pktfabric/core/testing';
import { createPipe, openPort } from '@pktfabric/pipes';
import { bridgePass, openValePort } from '../src/index.js';
import { bridgeCli } from '../src/tools/bridge-program.js';
import { BCAST, frame, mac, tagOf } from './frames.js';

describe('bridge', () => {
  it('swaps buffers between a pipe end and a switch port of one region, both ways', () => {
    const r = createRegion();
    const mark = markPools(r);
    const pipe = createPipe(r, { id: 1, slots: 64 });
    const user = openPort(r, 'pipe{1');
    const side = openPort(r, 'pipe}1');
    const up = openValePort(r, 'vale0:up', { slots: 64 });
    const c = openValePort(r, 'vale0:c', { slots: 64 });
    for (let i = 0; i < 10; i++) user.send(frame(BCAST, mac(1), i));
    const bufBefore = side.rxRings[0]!.bufIdx(0);
    expect(bridgePass(side, up)).toBe(10);
    expect(side.rxRings[0]!.bufIdx(0)).not.toBe(bufBefore); // swapped, not copied
    expect(c.recvBatch().map(tagOf)).toEqual([...Array(10).keys()]);
    c.giveBack();
    for (let i = 0; i < 5; i++) c.send(frame(mac(1), mac(3), 100 + i));
    expect(bridgePass(up, side)).toBe(5);
    expect(user.recvBatch().map(tagOf)).toEqual([100, 101, 102, 103, 104]);
    user.giveBack();
    expect(bridgePass(side, up) + bridgePass(up, side)).toBe(0);
    for (const p of [user, side, up, c]) p.close();
    pipe.release();
    expectConserved(r, mark);
  });

  it('copies between two regions; the CLI runs until stopped and prints totals', async () => {
    const ra = createRegion();
    const rb = createRegion();
    const ma = markPools(ra);
    const mb = markPools(rb);
    const pa = createPipe(ra, { id: 2, slots: 64 });
    const pb = createPipe(rb, { id: 3, slots: 64 });
    const a = openPort(ra, 'pipe{2');
    const b = openPort(rb, 'pipe}3');
    for (let i = 0; i < 20; i++) a.send(frame(BCAST, mac(1), i, 60 + i));
    const ac = new AbortController();
    let out = '';
    let err = '';
    const done = bridgeCli(
      ['--region', 'A', '--region-b', 'B', '-i', 'pipe}2', '-i', 'pipe{3', '-T', '50'],
      {
        out: (s) => (out += s),
        err: (s) => (err += s),
        openRegion: (n) => (n === 'A' ? ra : rb),
        signal: ac.signal,
      },
    );
    const got: number[] = [];
    while (got.length < 20) {
      await b.pollAsync(1, 100);
      for (const f of b.recvBatch()) {
        expect(f.length).toBe(60 + tagOf(f));
        got.push(tagOf(f));
      }
      b.giveBack();
    }
    ac.abort();
    expect(await done).toBe(0);
    expect(got).toEqual([...Array(20).keys()]);
    expect(out).toContain('pipe}2 -> pipe{3: 20 slots');
    expect(err).toContain('copying');
    a.close();
    b.close();
    pa.release();
    pb.release();
    expectConserved(ra, ma);
    expectConserved(rb, mb);
    const bad = await bridgeCli(['--region', 'A', '-i', 'pipe}2'], {
      out: () => {},
      err: () => {},
      openRegion: () => ra,
    });
    expect(bad).toBe(1);
  });
});
