import { describe, expect, it } from 'vitest';
import { createRegion } from '@pktfabric/core';
import { expectConserved, markPools } from '@pktfabric/core/testing';
import {
  BROADCAST,
  DROP,
  listSwitches,
  LookupError,
  openValePort,
  setLookup,
  type Frame,
} from '../src/index.js';
import { frame, mac, tagOf } from './frames.js';

/** An IPv4/UDP frame to UDP port `dport`, tagged after the UDP header. */
function udp(dport: number, tag: number): Uint8Array {
  const f = new Uint8Array(64);
  f.set(mac(99), 0);
  f.set(mac(1), 6);
  f[12] = 0x08; // IPv4
  f[13] = 0x00;
  f[14] = 0x45; // version 4, 5-word header
  f[23] = 17; // UDP
  f[36] = dport >> 8;
  f[37] = dport & 0xff;
  f[42] = tag;
  return f;
}

/** The README's example: UDP port 5000 + N goes to port N; other IPv4 UDP floods; the rest drops. */
function byUdpPort(frame: Frame, _src: number): number {
  const d = frame.data;
  const o = frame.offset;
  if (frame.length < 42 || d[o + 12] !== 0x08 || d[o + 13] !== 0x00 || d[o + 23] !== 17)
    return DROP;
  const ihl = (d[o + 14]! & 0x0f) * 4;
  const dport = (d[o + 14 + ihl + 2]! << 8) | d[o + 14 + ihl + 3]!;
  return dport >= 5000 && dport < 5254 ? dport - 5000 : BROADCAST;
}

describe('a user lookup replaces the learning bridge', () => {
  it('routes by UDP port', () => {
    const r = createRegion();
    const ps = [0, 1, 2].map((n) => openValePort(r, `vale0:p${n}`, { slots: 64 }));
    setLookup(r, 'vale0', byUdpPort);
    expect(listSwitches(r)[0]!.customLookup).toBe(true);
    ps[0]!.send(udp(5002, 1));
    ps[0]!.send(udp(5001, 2));
    ps[0]!.send(udp(7000, 3)); // floods
    ps[0]!.send(frame(mac(2), mac(1), 4)); // not UDP: dropped
    const got = ps.map((p) => {
      const t = p.recvBatch().map((f) => f[42]!);
      p.giveBack();
      return t;
    });
    expect(got).toEqual([[], [2, 3], [1, 3]]);
    expect(listSwitches(r)[0]!.ports[0]!.txDrops).toBe(1);
    setLookup(r, 'vale0', null);
    ps[0]!.send(udp(5002, 5)); // learning again: unknown mac(99) floods
    expect(ps[1]!.recvBatch().map((f) => f[42])).toEqual([5]);
    for (const p of ps) p.close();
  });

  it('a throwing or wrong lookup is a LookupError, and the switch keeps working', () => {
    const r = createRegion();
    const mark = markPools(r);
    const a = openValePort(r, 'vale0:a', { slots: 64 });
    const b = openValePort(r, 'vale0:b', { slots: 64 });
    let mode = 'throw';
    setLookup(r, 'vale0', (f) => {
      if (mode === 'throw') throw new Error('boom');
      if (mode === 'bad') return 300;
      return f.data[f.offset + 17] === 1 ? b.portNo : DROP;
    });
    expect(() => a.send(frame(mac(2), mac(1), 1))).toThrow(LookupError);
    mode = 'bad';
    expect(() => a.send(frame(mac(2), mac(1), 1))).toThrow(LookupError);
    mode = 'ok';
    expect(a.send(frame(mac(2), mac(1), 0x01000000))).toBe(true);
    expect(b.recvBatch().map(tagOf)).toEqual([0x01000000]);
    b.giveBack();
    const pa = listSwitches(r)[0]!.ports[0]!;
    expect([pa.txPackets, pa.txDrops]).toEqual([3, 2]);
    expect(() => setLookup(r, 'vale7', null)).toThrow();
    expect(() => setLookup(r, 'vale0', 5 as never)).toThrow();
    a.close();
    b.close();
    expectConserved(r, mark);
  });

  it('forwards a packet spread over several slots (NS_MOREFRAG) whole', () => {
    const r = createRegion({ bufSize: 256, bufCount: 2048 });
    const mark = markPools(r);
    const a = openValePort(r, 'vale0:a', { slots: 64 });
    const b = openValePort(r, 'vale0:b', { slots: 64 });
    const big = frame(mac(2), mac(1), 7, 700);
    for (let i = 18; i < 700; i++) big[i] = i & 0xff;
    expect(a.send(big)).toBe(true);
    const got = b.recvBatch();
    expect(got.length).toBe(1);
    expect(Array.from(got[0]!)).toEqual(Array.from(big));
    b.giveBack();
    // A packet that does not fit the room left is dropped whole, never cut.
    for (let i = 0; i < 30; i++) a.send(big);
    const n = b.recvBatch(64);
    for (const p of n) expect(p.length).toBe(700);
    expect(n.length).toBe(21); // 63 slots / 3 per packet
    expect(listSwitches(r)[0]!.ports[1]!.rxDrops).toBe(9);
    b.giveBack();
    a.close();
    b.close();
    expectConserved(r, mark);
  });
});
