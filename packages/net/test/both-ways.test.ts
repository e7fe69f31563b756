/**
 * A port used both ways (`@both`, a ZeroMQ PAIR socket): one side sends a
 * numbered stream, the other echoes every packet back; everything returns,
 * in order, and every buffer goes back to the pool.
 */
import { describe, expect, it } from 'vitest';
import { createRegion, POLLIN, POLLOUT, type Port } from '@pktfabric/core';
import { expectConserved, markPools, waitFor } from '@pktfabric/core/testing';
import { OptionError } from '@pktfabric/core';
import { openNetPort } from '../src/index.js';

async function sendAll(port: Port, list: Uint8Array[]): Promise<void> {
  for (let k = 0; k < list.length;) {
    const n = port.sendBatch(list, k);
    k += n;
    if (n === 0) await port.pollAsync(POLLOUT, 1000);
  }
}

describe('a port used both ways', () => {
  it('echoes a numbered stream back in order', async () => {
    const ra = createRegion({ bufSize: 2048, bufCount: 8192 });
    const rb = createRegion({ bufSize: 2048, bufCount: 8192 });
    const ma = markPools(ra);
    const mb = markPools(rb);
    const a = await openNetPort(ra, 'zmq:tcp://127.0.0.1:*@both,bind', { lingerMs: 200 });
    const b = await openNetPort(rb, `zmq:${a.endpoint}@both`, {
      waitPeerMs: 10_000,
      lingerMs: 200,
    });
    const N = 5000;
    const pkts = Array.from({ length: N }, (_, i) => {
      const p = new Uint8Array(60 + (i % 100));
      new DataView(p.buffer).setUint32(0, i, true);
      return p;
    });
    // b: echo whatever arrives until it has echoed N packets.
    const echo = (async () => {
      let echoed = 0;
      while (echoed < N) {
        const got = b.recvBatch(256).map((p) => p.slice());
        b.giveBack();
        if (got.length === 0) await b.pollAsync(POLLIN, 1000);
        else await sendAll(b, got);
        echoed += got.length;
      }
    })();
    const back: number[] = [];
    const lens: number[] = [];
    const receive = (async () => {
      while (back.length < N) {
        const got = a.recvBatch(256);
        for (const p of got) {
          back.push(new DataView(p.buffer, p.byteOffset, p.length).getUint32(0, true));
          lens.push(p.length);
        }
        if (got.length === 0) await a.pollAsync(POLLIN, 1000);
      }
    })();
    await sendAll(a, pkts);
    await waitFor('the echo', Promise.all([echo, receive]));
    expect(back).toEqual(pkts.map((_, i) => i));
    expect(lens).toEqual(pkts.map((p) => p.length));
    expect(a.counters().packets).toBe(2 * N); // sent and received
    a.close();
    b.close();
    await Promise.all([a.ioDone(), b.ioDone()]);
    expectConserved(ra, ma);
    expectConserved(rb, mb);
  });

  it('is lossless only', async () => {
    const err = await openNetPort(createRegion(), 'zmq:tcp://127.0.0.1:5@both,fanout').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OptionError);
    expect((err as OptionError).option).toBe('mode');
  });
});
