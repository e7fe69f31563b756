/**
 * Four ports all to all, seeded: random bursts of frames of random length
 * (1 to 3 slots) to random destinations (another port's MAC, broadcast, an
 * unknown MAC, the sender's own MAC, or a runt), with receivers draining at
 * random moments. Every frame a port should get is either received, whole
 * and in the order sent, or counted in its RX_DROPS; runts and frames to
 * oneself are counted in the sender's TX_DROPS; every buffer returns.
 * The seed is printed; rerun one with PKTF_SEED=<seed>.
 */
import { describe, expect, it } from 'vitest';
import { createRegion } from '@pktfabric/core';
import { expectConserved, markPools, testSeed } from '@pktfabric/core/testing';
import { listSwitches, openValePort, type ValePort } from '../src/index.js';
import { BCAST, frame, mac, tagOf } from './frames.js';

const seed = testSeed(import.meta.url);

function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PORTS = 4;

function lenOf(tag: number): number {
  return 18 + (((tag * 2654435761) >>> 0) % 600);
}

function fill(f: Uint8Array, tag: number): Uint8Array {
  for (let i = 18; i < f.length; i++) f[i] = (tag + i) & 0xff;
  return f;
}

describe('four ports all to all (seeded)', () => {
  it('accounts for every frame as delivered in order or counted as dropped', () => {
    const rnd = mulberry32(seed);
    const r = createRegion({ bufSize: 256, bufCount: 4096 });
    const mark = markPools(r);
    const ps: ValePort[] = [];
    for (let p = 0; p < PORTS; p++) ps.push(openValePort(r, `vale2:p${p}`, { slots: 64 }));
    // Teach the switch every port's MAC.
    for (let p = 0; p < PORTS; p++) ps[p]!.send(frame(BCAST, mac(p + 1), 0));
    for (const p of ps) {
      p.recvBatch(64);
      p.giveBack();
    }
    const expected: number[][] = ps.map(() => []);
    const pos = new Array<number>(PORTS).fill(0);
    const skipped = new Array<number>(PORTS).fill(0);
    const got = new Array<number>(PORTS).fill(0);
    const selfDrops = new Array<number>(PORTS).fill(0);
    const drain = (d: number): void => {
      for (;;) {
        const b = ps[d]!.recvBatch(64);
        if (b.length === 0) break;
        for (const f of b) {
          const t = tagOf(f);
          const exp = expected[d]!;
          while (pos[d]! < exp.length && exp[pos[d]!] !== t) {
            pos[d]!++;
            skipped[d]!++;
          }
          expect(pos[d]!, `port ${d} got tag ${t} it did not expect`).toBeLessThan(exp.length);
          pos[d]!++;
          got[d]!++;
          expect(f.length).toBe(lenOf(t));
          expect(Array.from(f.subarray(18))).toEqual(
            Array.from(fill(new Uint8Array(f.length), t).subarray(18)),
          );
        }
        ps[d]!.giveBack();
      }
    };
    let tag = 1;
    for (let round = 0; round < 400; round++) {
      const s = Math.floor(rnd() * PORTS);
      const burst = 1 + Math.floor(rnd() * 20);
      const list: Uint8Array[] = [];
      for (let i = 0; i < burst; i++, tag++) {
        const c = rnd();
        let dst: number[];
        if (c < 0.05) {
          list.push(new Uint8Array(10).fill(0xff)); // a runt
          selfDrops[s]!++;
          continue;
        } else if (c < 0.15) {
          dst = mac(s + 1);
          selfDrops[s]!++;
        } else if (c < 0.25) {
          dst = BCAST;
          for (let d = 0; d < PORTS; d++) if (d !== s) expected[d]!.push(tag);
        } else if (c < 0.3) {
          dst = mac(77); // unknown: flooded
          for (let d = 0; d < PORTS; d++) if (d !== s) expected[d]!.push(tag);
        } else {
          let d = Math.floor(rnd() * (PORTS - 1));
          if (d >= s) d++;
          dst = mac(d + 1);
          expected[d]!.push(tag);
        }
        list.push(fill(frame(dst, mac(s + 1), tag, lenOf(tag)), tag));
      }
      let sent = 0;
      while (sent < list.length) sent += ps[s]!.sendBatch(list, sent);
      for (let d = 0; d < PORTS; d++) if (rnd() < 0.3) drain(d);
    }
    for (let d = 0; d < PORTS; d++) drain(d);
    const info = listSwitches(r)[0]!.ports;
    for (let d = 0; d < PORTS; d++) {
      const tail = expected[d]!.length - pos[d]!;
      expect(got[d]! + info[d]!.rxDrops).toBe(expected[d]!.length);
      expect(skipped[d]! + tail).toBe(info[d]!.rxDrops);
      expect(info[d]!.txDrops).toBe(selfDrops[d]);
    }
    expect(info.reduce((a, p) => a + p.rxDrops, 0)).toBeGreaterThan(0); // the test saw full rings
    for (const p of ps) p.close();
    expectConserved(r, mark);
  });
});
