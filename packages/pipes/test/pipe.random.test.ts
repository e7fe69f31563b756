/**
 * Seeded randomized streams across real workers (tier `*.random.test.ts`).
 *
 * Every packet is a pure function of (stream seed, sequence number): a random
 * length in 60..1514 and a payload from a seeded generator, carrying its
 * sequence number and a checksum (test/fixtures/packet-stream.ts). Senders
 * split packets over 1..k slots of a region with 512-byte buffers
 * (NS_MOREFRAG), sometimes txsync in the middle of a packet on purpose, and
 * publish random-sized batches with one txsync each; receivers read random
 * batches and check that nothing was lost, duplicated, reordered, cut or
 * corrupted. Afterwards every ring is drained and every buffer, ring and if
 * object is back in its pool exactly once.
 *
 * The seed is printed; rerun one with PKTF_SEED=<seed>. PKTF_PACKETS scales
 * the packet counts (default 10^7 for the main stream). Rates are printed as
 * information only. Needs the built fixtures (npx tsc -p tsconfig.build.json).
 */
import { describe, expect, it } from 'vitest';
import {
  createRegion,
  IF_RING_TABLE_I32,
  ifWord,
  PortTable,
  RING_CUR_I32,
  RING_HEAD_I32,
  RING_HWCUR_I32,
  RING_HWTAIL_I32,
  RING_PIPE_TAIL_I32,
  RING_TAIL_I32,
  type Region,
} from '@pktfabric/core';
import { createPipe, END_MASTER, END_SLAVE, endIf, lookupPipe, type Pipe } from '../src/index.js';
import { expectConserved, FixtureWorker, markPools, testSeed } from '@pktfabric/core/testing';
import { streamSeed } from './fixtures/packet-stream.js';
import type { EndReport, StreamEnd, StreamMessage, StreamWorkerData } from './fixtures/protocol.js';
import type { StreamChoices } from './fixtures/ring-streams.js';

const seed = testSeed(import.meta.url);

const envPackets = process.env['PKTF_PACKETS'];
const PACKETS = envPackets !== undefined && envPackets !== '' ? Number(envPackets) : 10_000_000;
const HANG_MS = 20_000;
const BUF_SIZE = 512;
const SLOTS = 1024;

function choices(salt: number): StreamChoices {
  return {
    choiceSeed: streamSeed(seed, 1000 + salt, 0),
    maxBatch: 256,
    maxExtraFrags: 2,
    midSyncChance: 0.01,
  };
}

function runStreamWorker(data: StreamWorkerData): Promise<EndReport[]> {
  const w = new FixtureWorker<StreamMessage>(import.meta.url, 'stream-worker', data);
  return w.next('done', 300_000).then((m) => m.ends);
}

/** The two ends of pipe `id`, each sending its own stream to the other (or only master -> slave). */
function pipeEnds(
  region: Region,
  id: number,
  count: number,
  bothWays: boolean,
): { master: StreamEnd; slave: StreamEnd } {
  const m2s = { seed: streamSeed(seed, id, 0), count };
  const s2m = bothWays ? { seed: streamSeed(seed, id, 1), count } : null;
  return {
    master: { desc: { sab: region.sab, name: `pipe{${id}` }, send: m2s, recv: s2m },
    slave: { desc: { sab: region.sab, name: `pipe}${id}` }, send: s2m, recv: m2s },
  };
}

/**
 * After both ends closed (the creator still holds the pipe): every TX ring
 * published everything its user wrote, and every RX ring consumed and
 * released everything the sender published — nothing extra arrived.
 */
function expectDrained(region: Region, pipe: Pipe): void {
  const masterIf = lookupPipe(region, new PortTable(region), pipe.id);
  expect(masterIf).toBeGreaterThan(0);
  const i32 = region.i32;
  for (const end of [END_MASTER, END_SLAVE]) {
    const ifIdx = endIf(region, masterIf, end);
    const ring = (k: number): number => i32[ifWord(region, ifIdx, IF_RING_TABLE_I32 + k)]! >>> 2;
    for (let r = 0; r < pipe.rings; r++) {
      const tx = ring(r);
      expect(i32[tx + RING_HWCUR_I32]).toBe(i32[tx + RING_HEAD_I32]);
      const rx = ring(pipe.rings + r);
      const words = [RING_HEAD_I32, RING_CUR_I32, RING_TAIL_I32, RING_HWCUR_I32, RING_HWTAIL_I32];
      const want = i32[rx + RING_PIPE_TAIL_I32];
      expect(words.map((w) => i32[rx + w])).toEqual(words.map(() => want));
    }
  }
}

function rate(r: EndReport): string {
  const mpps = r.rxMs > 0 ? r.received / r.rxMs / 1000 : 0;
  const gbps = r.rxMs > 0 ? (r.bytes * 8) / r.rxMs / 1e6 : 0;
  return `${r.name} received ${r.received} packets in ${(r.rxMs / 1000).toFixed(2)} s: ${mpps.toFixed(2)} Mpps, ${gbps.toFixed(1)} Gbit/s (${r.kicks} wake-ups, ${r.polls} polls)`;
}

describe('pipe streams across two workers (seeded)', () => {
  it(`moves ${PACKETS} packets one way with random sizes, batches and MOREFRAG splits, losing, duplicating, reordering and corrupting nothing`, async () => {
    const region = createRegion({ bufSize: BUF_SIZE, bufCount: 4096, memId: 11 });
    const mark = markPools(region);
    const pipe = createPipe(region, { id: 1, slots: SLOTS });
    const { master, slave } = pipeEnds(region, 1, PACKETS, false);
    const [tx, rx] = await Promise.all([
      runStreamWorker({ api: 'ring', ends: [master], choices: choices(1), hangMs: HANG_MS }),
      runStreamWorker({ api: 'ring', ends: [slave], choices: choices(2), hangMs: HANG_MS }),
    ]);
    expect(tx[0]!.sent).toBe(PACKETS);
    expect(rx[0]!.received).toBe(PACKETS);
    expect(rx[0]!.fragments).toBe(tx[0]!.fragments);
    expect(tx[0]!.fragments).toBeGreaterThan(PACKETS); // packets were split
    expect(tx[0]!.midSyncs).toBeGreaterThan(0); // and synced half-written
    console.log(
      `  ${rate(rx[0]!)}; ${tx[0]!.fragments} slots, ${tx[0]!.midSyncs} mid-packet txsyncs`,
    );
    expectDrained(region, pipe);
    expect(pipe.release()).toEqual({ buffers: 2 * SLOTS, rings: 4, problems: 0 });
    expectConserved(region, mark);
  });

  it('moves streams both ways at once on the same ends', async () => {
    const count = Math.max(1000, Math.floor(PACKETS / 5));
    const region = createRegion({ bufSize: BUF_SIZE, bufCount: 4096, memId: 12 });
    const mark = markPools(region);
    const pipe = createPipe(region, { id: 2, slots: SLOTS });
    const { master, slave } = pipeEnds(region, 2, count, true);
    const [a, b] = await Promise.all([
      runStreamWorker({ api: 'ring', ends: [master], choices: choices(3), hangMs: HANG_MS }),
      runStreamWorker({ api: 'ring', ends: [slave], choices: choices(4), hangMs: HANG_MS }),
    ]);
    for (const r of [a[0]!, b[0]!]) {
      expect(r.sent).toBe(count);
      expect(r.received).toBe(count);
      console.log(`  ${rate(r)}`);
    }
    expectDrained(region, pipe);
    expect(pipe.release()).toEqual({ buffers: 2 * SLOTS, rings: 4, problems: 0 });
    expectConserved(region, mark);
  });

  it('moves six streams at once over three pipes of one region (two workers, three ends each)', async () => {
    const count = Math.max(500, Math.floor(PACKETS / 20));
    const region = createRegion({ bufSize: BUF_SIZE, bufCount: 8192, memId: 13 });
    const mark = markPools(region);
    const ids = [3, 4, 5];
    const pipes = ids.map((id) => createPipe(region, { id, slots: SLOTS }));
    const ends = ids.map((id) => pipeEnds(region, id, count, true));
    // Worker A holds pipe{3, pipe}4, pipe{5; worker B the other end of each.
    const aEnds = ends.map((e, k) => (k % 2 === 0 ? e.master : e.slave));
    const bEnds = ends.map((e, k) => (k % 2 === 0 ? e.slave : e.master));
    const [a, b] = await Promise.all([
      runStreamWorker({ api: 'ring', ends: aEnds, choices: choices(5), hangMs: HANG_MS }),
      runStreamWorker({ api: 'ring', ends: bEnds, choices: choices(6), hangMs: HANG_MS }),
    ]);
    for (const r of [...a, ...b]) {
      expect(r.sent).toBe(count);
      expect(r.received).toBe(count);
      console.log(`  ${rate(r)}`);
    }
    for (const p of pipes) {
      expectDrained(region, p);
      expect(p.release()).toEqual({ buffers: 2 * SLOTS, rings: 4, problems: 0 });
    }
    expectConserved(region, mark);
  });

  it('moves a smaller stream with the friendly layer (sendBatch / recvBatch, packets over one buffer reassembled)', async () => {
    const count = Math.max(1000, Math.floor(PACKETS / 50));
    const region = createRegion({ bufSize: BUF_SIZE, bufCount: 2048, memId: 14 });
    const mark = markPools(region);
    const pipe = createPipe(region, { id: 6, slots: 256 });
    const { master, slave } = pipeEnds(region, 6, count, false);
    const [tx, rx] = await Promise.all([
      runStreamWorker({ api: 'friendly', ends: [master], choices: choices(7), hangMs: HANG_MS }),
      runStreamWorker({ api: 'friendly', ends: [slave], choices: choices(8), hangMs: HANG_MS }),
    ]);
    expect(tx[0]!.sent).toBe(count);
    expect(rx[0]!.received).toBe(count);
    console.log(`  ${rate(rx[0]!)}`);
    expectDrained(region, pipe);
    expect(pipe.release()).toEqual({ buffers: 2 * 256, rings: 4, problems: 0 });
    expectConserved(region, mark);
  });
});
