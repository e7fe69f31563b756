/**
 * stat in-process (a region of threads): startStat's JSON lines, plain
 * lines and table against a known traffic pattern, and its option errors.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRegion, OptionError } from '@pktfabric/core';
import { createPipe, openPort } from '@pktfabric/pipes';
import { waitFor } from '@pktfabric/core/testing';
import { rates, renderTable, snapshotRegion, startStat, type StatFormat } from '../src/index.js';

class Collect extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

function traffic() {
  const region = createRegion({ bufSize: 2048, bufCount: 8192 });
  createPipe(region, { id: 7, slots: 128 }).release();
  const m = openPort(region, 'pipe{7');
  const s = openPort(region, 'pipe}7');
  for (let i = 0; i < 5; i++)
    expect(m.sendBatch(Array.from({ length: 20 }, () => new Uint8Array(1000)))).toBe(20);
  expect(s.recvBatch(128).length).toBe(100);
  s.giveBack();
  return { region, close: () => (m.close(), s.close()) };
}

async function run(format: StatFormat | undefined, tty = false): Promise<string> {
  const t = traffic();
  const out = new Collect(tty);
  const h = startStat(t.region, { intervalMs: 20, count: 2, out, ...(format ? { format } : {}) });
  await h.done;
  t.close();
  return out.text;
}

describe('startStat', () => {
  it('--json: one line per interval with the totals of every port', async () => {
    const lines = (await run('json')).trim().split('\n');
    expect(lines.length).toBe(2);
    for (const l of lines) {
      const j = JSON.parse(l) as { ports: Array<Record<string, unknown>> };
      expect(j.ports.map((p) => p['name'])).toEqual(['pipe{7', 'pipe}7']);
      expect(j.ports[0]).toMatchObject({
        txPkts: 100,
        txBytes: 100_000,
        rxPkts: 0,
        errors: 0,
        txPps: 0,
      });
      expect(j.ports[1]).toMatchObject({ rxPkts: 100, rxBytes: 100_000, occupancy: 0, rxPps: 0 });
    }
  });

  it('a stream that is not a TTY gets plain lines; a TTY gets the table, redrawn', async () => {
    const plain = await run(undefined, false);
    expect(plain.trim().split('\n').length).toBe(4);
    expect(plain).toMatch(/pipe\{7 open tx .* tx_pkts 100 rx_pkts 0 drops 0 errors 0/);
    const tty = await run(undefined, true);
    expect(tty.split('\x1b[H\x1b[2J').length).toBe(3); // two redraws
    expect(tty).toMatch(/│ pipe\}7 │ open/);
  });

  it('computes rates from two snapshots', () => {
    const t = traffic();
    const a = { ...snapshotRegion(t.region), atMs: 1000 };
    const b = { ...snapshotRegion(t.region), atMs: 1500 };
    b.ports[0] = {
      ...b.ports[0]!,
      txPkts: b.ports[0]!.txPkts + 50,
      txBytes: b.ports[0]!.txBytes + 50_000,
    };
    const r = rates(a, b);
    expect([r[0]!.txPps, r[0]!.txBps]).toEqual([100, 800_000]);
    expect(renderTable('t', r)).toContain('100 pps');
    t.close();
  });

  it('refuses bad options with OptionError', () => {
    const t = traffic();
    for (const o of [{ intervalMs: 5 }, { intervalMs: 1.5 }, { count: -1 }, { format: 'xml' }])
      expect(() => startStat(t.region, o as never)).toThrow(OptionError);
    t.close();
  });
});

describe('stat of a network port', () => {
  it('shows both ends as kind net, with the network counters on the I/O worker end', async () => {
    const { openNetPort } = await import('@pktfabric/net');
    const zmq = await import('zeromq');
    const region = createRegion({ bufSize: 2048, bufCount: 8192 });
    const port = await openNetPort(region, 'zmq:tcp://127.0.0.1:*@in,bind');
    const push = new zmq.Push();
    try {
      push.connect(port.endpoint);
      await push.send(Buffer.from('not a batch'));
      await waitFor('the bad message counted', () => port.counters().bad === 1);
      const rows = snapshotRegion(region).ports;
      expect(rows.map((p) => [p.name.slice(0, 5), p.kind])).toEqual([
        ['pipe{', 'net'],
        ['pipe}', 'net'],
      ]);
      expect(rows[0]!.net).toBeUndefined();
      expect(rows[1]!.net).toMatchObject({ bad: 1, packets: 0, link: 'up' });
      expect(renderTable('t', rates(null, { atMs: 0, ports: rows }))).toContain('bad-msg 1');
    } finally {
      push.close();
      port.close();
      await port.ioDone();
    }
  });
});
