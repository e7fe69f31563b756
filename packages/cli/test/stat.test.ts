/**
 * stat in-process (a region of threads): startStat's JSON lines, plain
 * lines and table against a known traffic pattern, and its option errors.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createRegion,
  OptionError,
  RETIRED_RECORD_BYTES,
  RR_NAME_LEN_I32,
  RT_COUNT_I32,
  RT_HEADER_BYTES,
  type Region,
} from '@pktfabric/core';
import { createPipe, openPort } from '@pktfabric/pipes';
import { waitFor } from '@pktfabric/core/testing';
import {
  rates,
  renderLines,
  renderTable,
  snapshotRegion,
  startStat,
  type StatFormat,
} from '../src/index.js';

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

/** Moves `n` packets of `len` bytes through pipe `id` (both ends opened here), then closes both. */
function pipeCycle(region: Region, id: number, n: number, len: number): void {
  const m = openPort(region, `pipe{${id}`);
  const s = openPort(region, `pipe}${id}`);
  expect(m.sendBatch(Array.from({ length: n }, () => new Uint8Array(len)))).toBe(n);
  expect(s.recvBatch(256).length).toBe(n);
  m.close();
  s.close();
}

type JsonPort = Record<string, unknown>;

/** startStat --json, one interval, into a captured stream: the ports it listed. */
async function jsonPorts(region: Region): Promise<JsonPort[]> {
  const out = new Collect();
  await startStat(region, { intervalMs: 20, count: 1, out, format: 'json' }).done;
  const lines = out.text.trim().split('\n');
  expect(lines.length).toBe(1);
  return (JSON.parse(lines[0]!) as { ports: JsonPort[] }).ports;
}

describe('stat of closed ports (the retired-counters table)', () => {
  const small = () => createRegion({ bufSize: 1024, bufCount: 2200 });

  it('--json lists a pipe closed for good with its totals, state closed, rates 0', async () => {
    const region = small();
    pipeCycle(region, 3, 40, 500);
    const ports = await jsonPorts(region);
    expect(ports.map((p) => p['name'])).toEqual(['pipe{3', 'pipe}3']);
    expect(ports[0]).toMatchObject({
      kind: 'pipe',
      state: 'closed',
      txPkts: 40,
      txBytes: 20_000,
      rxPkts: 0,
      txPps: 0,
      txBps: 0,
      closes: 1,
      occupancy: 0,
    });
    expect(ports[1]).toMatchObject({ state: 'closed', rxPkts: 40, rxBytes: 20_000, rxPps: 0 });
  });

  it('adds up reopen cycles, and lists a live port of the same name beside its closed totals', async () => {
    const region = small();
    pipeCycle(region, 3, 40, 500);
    pipeCycle(region, 3, 10, 100);
    const live = openPort(region, 'pipe{3');
    const ports = await jsonPorts(region);
    live.close();
    expect(ports.map((p) => [p['name'], p['state']])).toEqual([
      ['pipe{3', 'open'],
      ['pipe}3', 'idle'],
      ['pipe{3', 'closed'],
      ['pipe}3', 'closed'],
    ]);
    expect(ports[2]).toMatchObject({ txPkts: 50, txBytes: 21_000, closes: 2 });
    expect(ports[3]).toMatchObject({ rxPkts: 50, rxBytes: 21_000, closes: 2 });
  });

  it('shows the catch-all record with how many ports it folded (JSON, lines, table)', async () => {
    const region = createRegion({ bufSize: 1024, bufCount: 2200, retiredPorts: 2 });
    for (let id = 1; id <= 3; id++) pipeCycle(region, id, id, 10);
    const ports = await jsonPorts(region);
    expect(ports.map((p) => [p['name'], p['txPkts'], p['rxPkts']])).toEqual([
      ['pipe{1', 1, 0],
      ['pipe}1', 0, 1],
      ['(other closed ports)', 5, 5],
    ]);
    expect(ports[2]).toMatchObject({ kind: 'mixed', state: 'closed', folded: 4 });
    expect(ports[2]!['closes']).toBeUndefined();
    const rows = rates(null, snapshotRegion(region));
    expect(renderLines(0, rows)[2]).toMatch(/^0\.000 s \(other closed ports\) closed .* folded 4$/);
    expect(renderLines(0, rows)[0]).toMatch(/pipe\{1 closed .* closes 1$/);
    expect(renderTable('t', rows)).toMatch(/│ \(other closed ports\) x4 │ closed/);
  });

  it('gives a closed port rates of 0 even if its totals grew between two snapshots', () => {
    const region = small();
    pipeCycle(region, 3, 40, 500);
    const a = { ...snapshotRegion(region), atMs: 1000 };
    pipeCycle(region, 3, 40, 500);
    const b = { ...snapshotRegion(region), atMs: 2000 };
    expect(b.ports[0]!.txPkts).toBe(80);
    expect(rates(a, b).map((p) => [p.txPps, p.rxPps, p.txBps, p.rxBps])).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('shows a record or a table a peer spoiled as bad, with nothing from it', async () => {
    const region = small();
    pipeCycle(region, 3, 40, 500);
    const rec1 = (region.retiredOff + RT_HEADER_BYTES + RETIRED_RECORD_BYTES) >>> 2;
    region.i32[rec1 + RR_NAME_LEN_I32] = 4096;
    let ports = await jsonPorts(region);
    expect(ports[0]).toMatchObject({ state: 'bad', txPkts: 0 });
    expect(ports[1]).toMatchObject({ name: 'pipe}3', state: 'closed', rxPkts: 40 });
    region.i32[(region.retiredOff >>> 2) + RT_COUNT_I32] = -5;
    ports = await jsonPorts(region);
    expect(ports).toMatchObject([{ name: '(retired counters)', state: 'bad', txPkts: 0 }]);
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
