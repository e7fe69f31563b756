/**
 * Two processes over TCP loopback (fixtures/net-peer.ts): a seeded stream
 * with packet numbers and checksums, in both delivery modes, and a receiver
 * killed mid-stream. Ephemeral ports only (bind to `*`, read the endpoint).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testSeed } from '@pktfabric/core/testing';
import { Peer } from './fixtures/peer.js';

const peers: Peer[] = [];
function start(...a: ConstructorParameters<typeof Peer>): Peer {
  const p = new Peer(...a);
  peers.push(p);
  return p;
}
afterEach(() => {
  for (const p of peers.splice(0)) p.kill();
});

describe('network port between two processes', () => {
  it('lossless: every packet arrives once, in order, intact', async () => {
    const seed = testSeed(import.meta.url);
    const count = 40_000;
    const tx = start({ role: 'tx', name: 'zmq:tcp://127.0.0.1:*@out', seed, count });
    const { endpoint } = await tx.next('ready');
    const rx = start({ role: 'rx', name: `zmq:${endpoint}@in`, seed, count });
    const r = await rx.next('done');
    const t = await tx.next('done');
    expect(r.error).toBeNull();
    expect([r.received, r.first, r.last, r.reorders, r.skipped]).toEqual([
      count,
      0,
      count - 1,
      0,
      0,
    ]);
    expect([r.counters.packets, r.counters.gaps, r.counters.drops, r.counters.bad]).toEqual([
      count,
      0,
      0,
      0,
    ]);
    expect([t.counters.packets, t.counters.drops]).toEqual([count, 0]);
    expect(t.counters.batches).toBe(r.counters.batches);
  });

  it('fan-out: a slow subscriber loses batches, counts them, and never sees one out of order', async () => {
    const seed = testSeed(import.meta.url);
    const count = 60_000;
    // The subscriber binds so that the publisher can wait for it before sending.
    const rx = start({
      role: 'rx',
      name: 'zmq:tcp://127.0.0.1:*@in,bind,fanout',
      seed,
      count,
      slowMs: 20,
      peerTimeoutMs: 300,
    });
    const { endpoint } = await rx.next('ready');
    const tx = start({
      role: 'tx',
      name: `zmq:${endpoint}@out,connect,fanout`,
      seed,
      count,
      waitPeerMs: 20_000,
    });
    const t = await tx.next('done');
    const r = await rx.next('done'); // ends at POLLHUP, 300 ms after the publisher left
    expect(r.error).toBeNull();
    expect(r.reorders).toBe(0);
    expect(r.counters.drops).toBeGreaterThan(0);
    expect(r.counters.gaps).toBeGreaterThan(0);
    // Counts add up: every packet number up to the last one seen was received or counted lost.
    expect(r.received + r.counters.drops).toBe(r.last + 1);
    expect(r.first + r.skipped).toBe(r.counters.drops);
    expect(r.counters.packets).toBe(r.received);
    expect(t.counters.packets + t.counters.drops).toBe(count);
  });

  it('lossless, receiver killed mid-stream: the sender waits, a new receiver gets the rest and reports the gap', async () => {
    const seed = testSeed(import.meta.url);
    const count = 60_000;
    const tx = start({
      role: 'tx',
      name: 'zmq:tcp://127.0.0.1:*@out',
      seed,
      count,
      peerTimeoutMs: 300,
    });
    const { endpoint } = await tx.next('ready');
    const rx1 = start({
      role: 'rx',
      name: `zmq:${endpoint}@in`,
      seed,
      count,
      progressEvery: 2048,
      slowMs: 2,
    });
    await rx1.next('progress');
    rx1.kill();
    const got1 = rx1.progress();
    const rx2 = start({ role: 'rx', name: `zmq:${endpoint}@in`, seed, count });
    const r = await rx2.next('done'); // ends at POLLHUP once the sender has finished and left
    const t = await tx.next('done');
    expect(r.error).toBeNull();
    expect([r.reorders, r.skipped, r.last]).toEqual([0, 0, count - 1]);
    expect(r.first).toBeGreaterThanOrEqual(got1);
    // The gap is reported: by packet number (all before its first) and by batch sequence.
    expect(r.counters.drops).toBe(r.first);
    expect(r.counters.gaps).toBeGreaterThan(0);
    expect(r.received).toBe(count - r.first);
    expect(t.counters.packets).toBe(count);
    expect(t.counters.reconnects).toBeGreaterThanOrEqual(1);
  });
});
