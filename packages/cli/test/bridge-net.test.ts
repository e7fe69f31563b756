/**
 * `pktfabric bridge` between a local port (a pipe end of this process's
 * region) and a network port, each way (`@out`, `@in`) and both at once
 * (`@both`, echoed by the peer): a seeded stream (packet number +
 * checksum, @pktfabric/net/testing) crosses the bridge and a ZeroMQ link to
 * or from a peer process, intact, in order, without loss. ZeroMQ runs only
 * in the network port's I/O worker (closed, never terminated) and in the
 * peer processes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRegion, POLLIN, POLLOUT, type Port, type Region } from '@pktfabric/core';
import { expectConserved, markPools, testSeed, waitFor } from '@pktfabric/core/testing';
import { checkPacket, makePacket, MAX_LEN, packetIndex, Peer } from '@pktfabric/net/testing';
import { createPipe, openPort } from '@pktfabric/pipes';
import { bridgeTool } from '../src/bridge-tool.js';

const peers: Peer[] = [];
function start(...a: ConstructorParameters<typeof Peer>): Peer {
  const p = new Peer(...a);
  peers.push(p);
  return p;
}
afterEach(() => {
  for (const p of peers.splice(0)) p.kill();
});

/** Runs `pktfabric bridge` (vale's bridge with the cli's port opener) on `region` until aborted. */
/** Receives `count` packets of the seeded stream on `user`: how many, how many out of place, the first bad one. */
async function receiveStream(
  user: Port,
  seed: number,
  count: number,
): Promise<{ received: number; reorders: number; error: string | null }> {
  let received = 0;
  let reorders = 0;
  let error: string | null = null;
  while (received < count) {
    const got = user.recvBatch(256);
    for (const p of got) {
      if (packetIndex(p) !== received) reorders++;
      error ??= checkPacket(seed, received, p);
      received++;
    }
    user.giveBack();
    if (got.length === 0) await user.pollAsync(POLLIN, 1000);
  }
  return { received, reorders, error };
}

/** A region with pipe `id` (1024 slots) whose `pipe{id` end the test holds; the bridge takes `pipe}id`. */
function localPipe(id: number) {
  const region = createRegion({ bufSize: 2048, bufCount: 8192 });
  const mark = markPools(region);
  const pipe = createPipe(region, { id, slots: 1024 });
  return { region, mark, pipe, user: openPort(region, `pipe{${id}`) };
}

/** Sends packets 0 .. count - 1 of the seeded stream on `user`, 64 per batch, waiting for room. */
async function sendStream(user: Port, seed: number, count: number): Promise<void> {
  const scratch = Array.from({ length: 64 }, () => new Uint8Array(MAX_LEN));
  const list: Uint8Array[] = [];
  for (let sent = 0; sent < count;) {
    list.length = 0;
    for (let j = 0; j < 64 && sent + j < count; j++)
      list.push(makePacket(seed, sent + j, scratch[j]!));
    for (let k = 0; k < list.length;) {
      const n = user.sendBatch(list, k);
      k += n;
      if (n === 0) await user.pollAsync(POLLOUT, 1000);
    }
    sent += list.length;
  }
}

function bridge(region: Region, args: string[], ac: AbortController) {
  const io = { out: '', err: '' };
  const code = bridgeTool(['--region', 'R', '-T', '600000', ...args], {
    out: (s) => (io.out += s),
    err: (s) => (io.err += s),
    openRegion: () => region,
    signal: ac.signal,
  });
  return { io, code };
}

describe('pktfabric bridge to a network port', () => {
  it('local port -> zmq @out: the seeded stream arrives intact at the peer', async () => {
    const seed = testSeed(import.meta.url);
    const count = 20_000;
    const rx = start({ role: 'rx', name: 'zmq:tcp://127.0.0.1:*@in,bind', seed, count });
    const { endpoint } = await rx.next('ready');
    const { region, mark, pipe, user } = localPipe(1);
    const ac = new AbortController();
    const b = bridge(region, ['-i', 'pipe}1', '-i', `zmq:${endpoint}@out,connect`], ac);
    await sendStream(user, seed, count);
    const r = await rx.next('done');
    ac.abort();
    expect(await waitFor('the bridge', b.code)).toBe(0);
    expect(r.error).toBeNull();
    expect([r.received, r.first, r.last, r.reorders, r.skipped]).toEqual([
      count,
      0,
      count - 1,
      0,
      0,
    ]);
    expect([r.counters.gaps, r.counters.drops, r.counters.bad]).toEqual([0, 0, 0]);
    // One region: the bridge swapped buffers into the network port's ring; one way only.
    const net = `zmq:${endpoint}@out,connect`;
    expect(b.io.err).toContain(`pipe}1 -> ${net} (swapping buffers, one way)`);
    expect(b.io.out).toBe(`pipe}1 -> ${net}: ${count} slots\n`);
    user.close();
    pipe.release();
    expectConserved(region, mark);
  });

  it('zmq @in -> local port: the seeded stream from the peer arrives intact', async () => {
    const seed = testSeed(import.meta.url) ^ 0x5a5a;
    const count = 20_000;
    const tx = start({ role: 'tx', name: 'zmq:tcp://127.0.0.1:*@out', seed, count });
    const { endpoint } = await tx.next('ready');
    const { region, mark, pipe, user } = localPipe(2);
    const ac = new AbortController();
    const b = bridge(region, ['-i', `zmq:${endpoint}@in`, '-i', 'pipe}2'], ac);
    const { received, reorders, error } = await waitFor(
      'the stream through the bridge',
      receiveStream(user, seed, count),
    );
    const t = await tx.next('done');
    ac.abort();
    expect(await waitFor('the bridge', b.code)).toBe(0);
    expect([received, reorders, error]).toEqual([count, 0, null]);
    expect(t.sent).toBe(count);
    expect(b.io.err).toContain(`zmq:${endpoint}@in -> pipe}2 (swapping buffers, one way)`);
    expect(b.io.out).toBe(`zmq:${endpoint}@in -> pipe}2: ${count} slots\n`);
    user.close();
    pipe.release();
    expectConserved(region, mark);
  });

  it('local port <-> zmq @both: the seeded stream goes out, is echoed, and comes back intact', async () => {
    const seed = testSeed(import.meta.url) ^ 0x3c3c;
    const count = 10_000;
    const echo = start({ role: 'echo', name: 'zmq:tcp://127.0.0.1:*@both,bind', seed, count });
    const { endpoint } = await echo.next('ready');
    const { region, mark, pipe, user } = localPipe(3);
    const ac = new AbortController();
    const net = `zmq:${endpoint}@both`;
    const b = bridge(region, ['-i', 'pipe}3', '-i', net], ac);
    const receive = receiveStream(user, seed, count);
    await sendStream(user, seed, count);
    const { received, reorders, error } = await waitFor(
      'the echoed stream through the bridge',
      receive,
    );
    const e = await echo.next('done');
    ac.abort();
    expect(await waitFor('the bridge', b.code)).toBe(0);
    expect([received, reorders, error]).toEqual([count, 0, null]);
    expect(e.received).toBe(count);
    expect(b.io.err).toContain(`pipe}3 <-> ${net} (swapping buffers)`);
    expect(b.io.out).toBe(`pipe}3 -> ${net}: ${count} slots\n${net} -> pipe}3: ${count} slots\n`);
    user.close();
    pipe.release();
    expectConserved(region, mark);
  });

  it('two network ports that both only receive: BridgeDirectionError, both closed', async () => {
    const region = createRegion({ bufSize: 2048, bufCount: 8192 });
    const mark = markPools(region);
    const ac = new AbortController();
    const b = bridge(
      region,
      ['-i', 'zmq:tcp://127.0.0.1:9@in', '-i', 'zmq:tcp://127.0.0.1:10@in'],
      ac,
    );
    expect(await waitFor('the bridge', b.code)).toBe(1);
    expect(b.io.err).toContain('BridgeDirectionError');
    expect(b.io.err).toContain('interface');
    expectConserved(region, mark);
  });
});
