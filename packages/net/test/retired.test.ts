/**
 * A network port that closed keeps its counters in the region's
 * retired-counters table: both ends of its pipe by name, and the I/O
 * worker's network counters in the kind words of its end (netCountersOf).
 */
import { describe, expect, it } from 'vitest';
import { createRegion, POLLIN, readRetiredPorts, type Region } from '@pktfabric/core';
import { waitFor } from '@pktfabric/core/testing';
import { netCountersOf, openNetPort } from '../src/index.js';

function retired(region: Region) {
  const ports = readRetiredPorts(region).ports;
  const worker = ports.find((p) => netCountersOf(p) !== null);
  if (worker === undefined) throw new Error('no network port was retired');
  const user = ports.find((p) => p.name === `pipe{${worker.name.slice(5)}`);
  return { worker, user, net: netCountersOf(worker)!, names: ports.map((p) => p.name) };
}

describe('retired counters (network ports)', () => {
  it('keep both ends’ totals and the network counters once the port is closed', async () => {
    const ra = createRegion({ bufSize: 2048, bufCount: 4096 });
    const rb = createRegion({ bufSize: 2048, bufCount: 4096 });
    const a = await openNetPort(ra, 'zmq:tcp://127.0.0.1:*@both,bind', { lingerMs: 200 });
    const b = await openNetPort(rb, `zmq:${a.endpoint}@both`, {
      waitPeerMs: 10_000,
      lingerMs: 200,
    });
    const N = 50;
    expect(a.sendBatch(Array.from({ length: N }, () => new Uint8Array(100)))).toBe(N);
    let got = 0;
    await waitFor(
      'the packets',
      (async () => {
        while (got < N) {
          const n = b.recvBatch(64).length;
          got += n;
          if (n === 0) await b.pollAsync(POLLIN, 1000);
        }
        b.giveBack();
      })(),
    );
    expect(readRetiredPorts(ra).ports).toEqual([]);
    a.close();
    b.close();
    await Promise.all([a.ioDone(), b.ioDone()]);
    const sa = retired(ra);
    expect(sa.names).toHaveLength(2);
    expect(sa.user).toMatchObject({ ok: true, txPkts: N, txBytes: N * 100 });
    expect(sa.worker).toMatchObject({ ok: true, rxPkts: N, rxBytes: N * 100 });
    expect(sa.net).toMatchObject({ packets: N, bytes: N * 100, gaps: 0, drops: 0, bad: 0 });
    const sb = retired(rb);
    expect(sb.user).toMatchObject({ ok: true, rxPkts: N, rxBytes: N * 100 });
    expect(sb.worker).toMatchObject({ ok: true, txPkts: N, txBytes: N * 100 });
    expect(sb.net).toMatchObject({ packets: N, bytes: N * 100 });
  });
});
