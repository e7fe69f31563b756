/**
 * Bad input to network ports: names and options (typed errors naming the
 * parameter), endpoints ZeroMQ refuses, a host nobody answers at, messages
 * that are not ours and frames too long for the ring (counted, skipped, the
 * port keeps running).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { createRegion, OptionError, PortNameError, type Region } from '@pktfabric/core';
import { expectConserved, markPools, waitFor } from '@pktfabric/core/testing';
import {
  checkMessage,
  encodeBatch,
  NetEndpointError,
  NetNameError,
  NetPeerTimeoutError,
  openNetPort,
  parseNetName,
  WIRE_HEADER_BYTES,
  type NetPort,
} from '../src/index.js';

const open: Array<NetPort | zmq.Socket> = [];
afterEach(async () => {
  for (const p of open.splice(0)) {
    if ('ioDone' in p) {
      p.close();
      await p.ioDone();
    } else p.close();
  }
});
const region = (): Region => createRegion({ bufSize: 2048, bufCount: 8192 });
async function net(r: Region, name: string, opts = {}): Promise<NetPort> {
  const p = await openNetPort(r, name, opts);
  open.push(p);
  return p;
}

describe('names and options', () => {
  it('parses endpoints and options', () => {
    expect(parseNetName('zmq:tcp://127.0.0.1:5555')).toEqual({
      endpoint: 'tcp://127.0.0.1:5555',
      transport: 'tcp',
    });
    expect(parseNetName('zmq:tcp://*:0@out,fanout,hwm=4,batch=64,timeout=500,bind')).toEqual({
      endpoint: 'tcp://*:0',
      transport: 'tcp',
      direction: 'out',
      mode: 'fanout',
      hwm: 4,
      maxBatch: 64,
      peerTimeoutMs: 500,
      bind: true,
    });
    expect(parseNetName('zmq:ipc:///tmp/x@in').transport).toBe('ipc');
  });

  it.each([
    ['pipe{1', 0],
    ['zmq:', 4],
    ['zmq:udp://1.2.3.4:5', 4],
    ['zmq:tcp://1.2.3.4', 10],
    ['zmq:tcp://1.2.3.4:70000', 18],
    ['zmq:tcp://bad host:5', 10],
    ['zmq:tcp://h:5@sideways', 14],
    ['zmq:tcp://h:5@in,hwm=0', 21],
    ['zmq:tcp://h:5@out=1', 17],
  ])('refuses %s with a NetNameError at %i', (name, at) => {
    let err: unknown = null;
    try {
      parseNetName(name);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NetNameError);
    expect(err).toBeInstanceOf(PortNameError);
    expect((err as NetNameError).at).toBe(at);
  });

  it('refuses bad options with an OptionError naming them, before opening anything', async () => {
    const r = region();
    const cases: Array<[string, object, string]> = [
      ['zmq:tcp://127.0.0.1:5', {}, 'direction'],
      ['zmq:tcp://127.0.0.1:5@in', { mode: 'sometimes' }, 'mode'],
      ['zmq:tcp://127.0.0.1:5@in', { hwm: 0 }, 'hwm'],
      ['zmq:tcp://127.0.0.1:5@in', { hwm: '4' }, 'hwm'],
      ['zmq:tcp://127.0.0.1:5@in', { maxBatch: 5000 }, 'maxBatch'],
      ['zmq:tcp://127.0.0.1:5@in', { peerTimeoutMs: 5 }, 'peerTimeoutMs'],
      ['zmq:tcp://127.0.0.1:5@in', { bind: 'yes' }, 'bind'],
      ['zmq:tcp://*:5@in', {}, 'endpoint'],
      ['zmq:tcp://127.0.0.1:*@in', {}, 'endpoint'],
    ];
    for (const [name, opts, option] of cases) {
      const err = await openNetPort(r, name, opts).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(OptionError);
      expect((err as OptionError).option, name).toBe(option);
    }
    await expect(openNetPort({} as Region, 'zmq:tcp://127.0.0.1:5@in')).rejects.toBeInstanceOf(
      OptionError,
    );
  });
});

describe('ownership', () => {
  it('open, send, receive, close: every buffer, ring and if object goes back', async () => {
    const ra = region();
    const rb = region();
    const ma = markPools(ra);
    const mb = markPools(rb);
    const tx = await openNetPort(ra, 'zmq:tcp://127.0.0.1:*@out', { lingerMs: 100 });
    const rx = await openNetPort(rb, `zmq:${tx.endpoint}@in`, { waitPeerMs: 10_000 });
    expect(tx.sendBatch([new Uint8Array(100), new Uint8Array(3000)])).toBe(2);
    const lens: number[] = [];
    await waitFor('two packets', () => {
      for (const x of rx.recvBatch()) lens.push(x.length);
      return lens.length >= 2;
    });
    expect(lens).toEqual([100, 3000]);
    tx.close();
    rx.close();
    await Promise.all([tx.ioDone(), rx.ioDone()]);
    expectConserved(ra, ma);
    expectConserved(rb, mb);
  });
});

describe('endpoints', () => {
  it('a port already bound is a NetEndpointError (EADDRINUSE), and nothing is left open', async () => {
    const r = region();
    const a = await net(r, 'zmq:tcp://127.0.0.1:*@out');
    const before = markPools(r);
    const err = await openNetPort(r, `zmq:${a.endpoint}@out`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetEndpointError);
    expect((err as NetEndpointError).code).toBe('EADDRINUSE');
    expect((err as NetEndpointError).op).toBe('bind');
    const after = markPools(r);
    expect([after.bufFree, after.ringFree, after.ifFree]).toEqual([
      before.bufFree,
      before.ringFree,
      before.ifFree,
    ]);
  });

  it('an address on no interface is a NetEndpointError (EADDRNOTAVAIL)', async () => {
    const err = await openNetPort(region(), 'zmq:tcp://203.0.113.7:5555@out').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NetEndpointError);
    expect(['EADDRNOTAVAIL', 'ENODEV']).toContain((err as NetEndpointError).code);
  });

  it('a host nobody answers at: the port opens, waitPeerMs gives a NetPeerTimeoutError', async () => {
    // Bind a port and close it: nothing listens there now.
    const s = new zmq.Push();
    await s.bind('tcp://127.0.0.1:*');
    const ep = s.lastEndpoint!;
    s.close();
    const r = region();
    const p = await net(r, `zmq:${ep}@in`);
    expect(p.peerOpen).toBe(false);
    expect(p.counters().link).toBe('waiting');
    const err = await openNetPort(r, `zmq:${ep}@in`, { waitPeerMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetPeerTimeoutError);
  });
});

describe('messages that are not ours', () => {
  it('garbage, truncated and multipart messages are counted and skipped; the port keeps receiving', async () => {
    const r = region();
    const p = await net(r, 'zmq:tcp://127.0.0.1:*@in,bind');
    const push = new zmq.Push();
    open.push(push);
    push.connect(p.endpoint);
    const good = encodeBatch([new Uint8Array([1, 2, 3])], 0, 0);
    const truncated = good.subarray(0, good.length - 1);
    const badMagic = Buffer.from(good);
    badMagic[0] ^= 0xff;
    const longLen = Buffer.from(good);
    longLen.writeUInt32LE(1000, WIRE_HEADER_BYTES);
    for (const m of [Buffer.from('hello, not a batch'), truncated, badMagic, longLen])
      expect(checkMessage(m)).toBe(-1);
    await push.send(Buffer.from('hello, not a batch'));
    await push.send(truncated);
    await push.send(badMagic);
    await push.send(longLen);
    await push.send([good, good]);
    await push.send(encodeBatch([new Uint8Array([4, 5]), new Uint8Array([6])], 0, 0));
    const got: number[][] = [];
    await waitFor('two packets', () => {
      for (const x of p.recvBatch()) got.push([...x]);
      return got.length >= 2;
    });
    expect(got).toEqual([[4, 5], [6]]);
    expect(p.counters()).toMatchObject({ bad: 5, packets: 2, batches: 1, gaps: 0, drops: 0 });
  });

  it('a frame longer than the ring can hold is skipped and counted; the rest of the batch arrives', async () => {
    const r = region();
    const p = await net(r, 'zmq:tcp://127.0.0.1:*@in,bind', { slots: 8 });
    const push = new zmq.Push();
    open.push(push);
    push.connect(p.endpoint);
    const big = new Uint8Array(7 * 2048 + 1); // 8 slots: at most 7 buffers per packet
    const mid = new Uint8Array(5000).fill(9); // three buffers, MOREFRAG
    await push.send(encodeBatch([new Uint8Array([1]), big, mid], 0, 0));
    const got: Uint8Array[] = [];
    await waitFor('two packets', () => {
      const x = p.recv();
      if (x !== null) got.push(x.slice());
      return got.length >= 2;
    });
    expect(got.map((x) => x.length)).toEqual([1, 5000]);
    expect(got[1]!.every((b) => b === 9)).toBe(true);
    expect(p.counters()).toMatchObject({ drops: 1, packets: 2, bad: 0 });
  });

  it('a gap in sequence and packet numbers is counted', async () => {
    const r = region();
    const p = await net(r, 'zmq:tcp://127.0.0.1:*@in,bind');
    const push = new zmq.Push();
    open.push(push);
    push.connect(p.endpoint);
    const one = [new Uint8Array([7])];
    await push.send(encodeBatch(one, 0, 0));
    await push.send(encodeBatch(one, 3, 10)); // batches 1, 2 and packets 1..9 never came
    let n = 0;
    await waitFor('two packets', () => {
      n += p.recvBatch().length;
      return n >= 2;
    });
    expect(p.counters()).toMatchObject({ gaps: 2, drops: 9, packets: 2, batches: 2 });
  });
});
