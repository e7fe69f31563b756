import { describe, expect, it } from 'vitest';
import { createRegion, type Region } from '@pktfabric/core';
import { expectConserved, markPools } from '@pktfabric/core/testing';
import { listSwitches, openValePort, type ValePort } from '../src/index.js';
import { BCAST, frame, mac, srcOf, tagOf } from './frames.js';

function region(): Region {
  return createRegion({ bufSize: 2048, bufCount: 4096, ringSize: 20736, ringCount: 64 });
}

/** Everything the port has received now, as [src, tag] pairs. */
function drain(p: ValePort): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (;;) {
    const b = p.recvBatch(512);
    if (b.length === 0) break;
    for (const f of b) out.push([srcOf(f), tagOf(f)]);
  }
  p.giveBack();
  return out;
}

describe('learning bridge', () => {
  it('floods before learning, then unicasts only to the right port', () => {
    const r = region();
    const mark = markPools(r);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => openValePort(r, `vale0:${n}`, { slots: 64 }));
    // a -> b before anything is learned: flooded to b and c, never back to a.
    expect(a!.send(frame(mac(2), mac(1), 1))).toBe(true);
    expect(drain(b!)).toEqual([[1, 1]]);
    expect(drain(c!)).toEqual([[1, 1]]);
    expect(drain(a!)).toEqual([]);
    // b answers a: a was learned, so only a sees it.
    expect(b!.send(frame(mac(1), mac(2), 2))).toBe(true);
    expect(drain(a!)).toEqual([[2, 2]]);
    expect(drain(c!)).toEqual([]);
    // Now a -> b reaches b only.
    expect(a!.send(frame(mac(2), mac(1), 3))).toBe(true);
    expect(drain(b!)).toEqual([[1, 3]]);
    expect(drain(c!)).toEqual([]);
    const info = listSwitches(r);
    expect(info.map((s) => s.name)).toEqual(['vale0']);
    expect(info[0]!.ports.map((p) => [p.name, p.txPackets, p.rxPackets])).toEqual([
      ['vale0:a', 2, 1],
      ['vale0:b', 1, 2],
      ['vale0:c', 0, 1],
    ]);
    for (const p of [a, b, c]) p!.close();
    expect(listSwitches(r)).toEqual([]);
    expectConserved(r, mark);
  });

  it('floods broadcast to every other port, drops short frames and frames to the source', () => {
    const r = region();
    const ps = [0, 1, 2, 3].map((n) => openValePort(r, `vale1:p${n}`, { slots: 64 }));
    ps[0]!.send(frame(BCAST, mac(10), 7));
    for (let i = 1; i < 4; i++) expect(drain(ps[i]!)).toEqual([[10, 7]]);
    expect(drain(ps[0]!)).toEqual([]);
    // p1 learns mac 11; a frame from p1 to mac 11 (itself) is dropped.
    ps[1]!.send(frame(BCAST, mac(11), 8));
    for (const p of ps) drain(p);
    ps[1]!.send(frame(mac(11), mac(11), 9));
    // a 13-byte frame is dropped
    ps[2]!.send(frame(BCAST, mac(12), 10, 13));
    for (const p of ps) expect(drain(p)).toEqual([]);
    const info = listSwitches(r)[0]!.ports;
    expect(info[1]!.txDrops).toBe(1);
    expect(info[2]!.txDrops).toBe(1);
    for (const p of ps) p.close();
  });

  it('drops and counts when the destination ring is full, and keeps the rest in order', () => {
    const r = region();
    const mark = markPools(r);
    const a = openValePort(r, 'vale0:a', { slots: 16 });
    const b = openValePort(r, 'vale0:b', { slots: 16 });
    let sent = 0;
    for (let i = 0; i < 40; i++) if (a.send(frame(mac(2), mac(1), i))) sent++;
    expect(sent).toBe(40); // the sender never blocks: forwarded slots come back at once
    const got = drain(b);
    expect(got.map((x) => x[1])).toEqual([...Array(15).keys()]);
    const pb = listSwitches(r)[0]!.ports[1]!;
    expect(pb.rxPackets).toBe(15);
    expect(pb.rxDrops).toBe(25);
    // After draining there is room again.
    a.send(frame(mac(2), mac(1), 99));
    expect(drain(b)).toEqual([[1, 99]]);
    a.close();
    b.close();
    expectConserved(r, mark);
  });
});
