import { describe, expect, it } from 'vitest';
import { createRegion } from '@pktfabric/core';
import { expectConserved, markPools } from '@pktfabric/core/testing';
import { createPipe, openPort } from '@pktfabric/pipes';
import {
  BridgeDirectionError,
  BridgePortError,
  bridgePass,
  bridgeWays,
  openMonitor,
  openValePort,
  runBridge,
} from '../src/index.js';
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

  it('bridges a one-way port one way only, and refuses two ports with no way between them', async () => {
    const r = createRegion();
    const mark = markPools(r);
    const pipe = createPipe(r, { id: 4, slots: 64 });
    const user = openPort(r, 'pipe{4');
    const side = openPort(r, 'pipe}4');
    const up = openValePort(r, 'vale0:up', { slots: 64 });
    const mon = openMonitor(r, 'vale0:up/t');
    const mon2 = openMonitor(r, 'vale0:up/r');
    // A monitor only receives: the bridge takes from it, never puts onto it.
    expect(bridgeWays(side, mon)).toEqual({ aToB: false, bToA: true });
    const err = (() => {
      try {
        bridgeWays(mon, mon2);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(BridgeDirectionError);
    expect((err as BridgeDirectionError).option).toBe('interface');
    await expect(runBridge(mon, mon2)).rejects.toBeInstanceOf(BridgeDirectionError);
    // A port that says it only transmits (a network port @out) is never
    // taken from; one that only receives (@in) is never put onto.
    const outOnly = Object.assign(Object.create(side) as typeof side, { direction: 'out' });
    expect(bridgeWays(up, outOnly)).toEqual({ aToB: true, bToA: false });
    expect(bridgeWays(outOnly, up)).toEqual({ aToB: false, bToA: true });
    const inOnly = Object.assign(Object.create(side) as typeof side, { direction: 'in' });
    expect(bridgeWays(up, inOnly)).toEqual({ aToB: false, bToA: true });
    expect(() => bridgeWays(inOnly, mon)).toThrow(BridgeDirectionError);
    for (const p of [mon, mon2, user, side, up]) p.close();
    pipe.release();
    expectConserved(r, mark);
  });

  it('refuses a network port name without an opener that knows it (BridgePortError)', async () => {
    const r = createRegion();
    let err = '';
    const code = await bridgeCli(
      ['--region', 'A', '-i', 'vale0:x', '-i', 'zmq:tcp://127.0.0.1:5555@out'],
      { out: () => {}, err: (s) => (err += s), openRegion: () => r },
    );
    expect(code).toBe(1);
    expect(err).toContain(BridgePortError.name);
    expect(err).toContain('pktfabric bridge');
    let help = '';
    await bridgeCli(['--help'], { out: (s) => (help += s), err: () => {} });
    expect(help).toContain('pktfabric bridge');
  });
});
