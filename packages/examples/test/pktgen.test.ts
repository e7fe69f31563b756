/**
 * pktgen end to end: both ends in real workers over one pipe. The workers
 * load the built output, so run `npx tsc -p tsconfig.build.json` first.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRegion, OptionError, PortNameError } from '@pktfabric/core';
import { testSeed } from '@pktfabric/core/testing';
import { createPipe, openPort, POLLIN } from '@pktfabric/pipes';
import {
  checkFrame,
  FRAME_OK,
  PktgenError,
  runPktgen,
  formatInterval,
  formatSummary,
  runPktgenPair,
  type PktgenEvent,
} from '../src/index.js';

const CLI = fileURLToPath(new URL('../dist/src/pktgen/cli.js', import.meta.url));

describe('pktgen pairs', () => {
  it('tx -> rx delivers exactly -n packets and every buffer returns to the pool', async () => {
    const r = await runPktgenPair({ modes: ['tx', 'rx'], count: 200_000, reportMs: 0 });
    const [tx, rx] = r.ends;
    expect([tx.mode, tx.packets, tx.ended]).toEqual(['tx', 200_000, 'count']);
    expect([rx.mode, rx.packets, rx.bytes, rx.ended]).toEqual([
      'rx',
      200_000,
      200_000 * 60,
      'count',
    ]);
    expect(r.buffersConserved).toBe(true);
  });

  it('rx without a count drains everything tx sent, then ends because tx closed', async () => {
    const seed = testSeed(import.meta.url);
    const r = await runPktgenPair({
      modes: ['tx', 'rx'],
      size: [60, 1514],
      seed,
      slots: 256,
      reportMs: 0,
      overrides: [{ count: 77_777 }, { count: 0 }],
    });
    const [tx, rx] = r.ends;
    expect(tx.packets).toBe(77_777);
    expect(rx.packets).toBe(77_777);
    expect(rx.bytes).toBe(tx.bytes);
    expect(rx.ended).toBe('peer-closed');
    expect(tx.bytes).toBeGreaterThan(77_777 * 60);
    expect(r.buffersConserved).toBe(true);
  });

  it('txseq -> rxseq reports zero gaps, duplicates and reordering', async () => {
    const r = await runPktgenPair({ modes: ['txseq', 'rxseq'], count: 100_000, reportMs: 0 });
    const rx = r.ends[1];
    expect(rx.packets).toBe(100_000);
    expect(rx.seq).toEqual({
      received: 100_000,
      gaps: 0,
      missing: 0,
      duplicates: 0,
      reordered: 0,
      stale: 0,
      gapRecords: [],
    });
    expect(formatSummary(rx).join('\n')).toContain('0 gaps (0 missing), 0 duplicates, 0 reordered');
  });

  it('an injected gap is reported with its sequence number', async () => {
    const r = await runPktgenPair({
      modes: ['txseq', 'rxseq'],
      count: 50_000,
      reportMs: 0,
      injectGap: 31_337,
    });
    const rx = r.ends[1];
    expect(rx.packets).toBe(50_000);
    expect(rx.seq?.gaps).toBe(1);
    expect(rx.seq?.missing).toBe(1);
    expect(rx.seq?.gapRecords).toEqual([{ from: 31_337, to: 31_337 }]);
    const text = formatSummary(rx).join('\n');
    expect(text).toContain('1 gap (1 missing)');
    expect(text).toContain('gap: seq 31337 missing');
  });

  it('ping -> pong: every ping answered, RTT lines per interval and a histogram', async () => {
    const events: { ev: PktgenEvent; end: 0 | 1 }[] = [];
    const r = await runPktgenPair({
      modes: ['ping', 'pong'],
      count: 1000,
      rate: 10_000, // at least 100 ms however fast the machine, so several 20 ms intervals
      reportMs: 20,
      onEvent: (ev, end) => events.push({ ev, end }),
    });
    const [ping, pong] = r.ends;
    expect(ping.packets).toBe(1000);
    expect(ping.received).toBe(1000);
    expect(pong.packets).toBe(1000);
    expect(ping.rtt?.count).toBe(1000);
    expect(ping.rtt?.lost).toBe(0);
    expect(ping.rtt!.minUs).toBeGreaterThan(0);
    expect(ping.rtt!.minUs).toBeLessThanOrEqual(ping.rtt!.avgUs);
    expect(ping.rtt!.p99Us).toBeLessThanOrEqual(ping.rtt!.maxUs);
    expect(ping.rtt!.p50Us).toBeLessThanOrEqual(ping.rtt!.p99Us);
    expect(ping.rtt!.histogram.reduce((a, h) => a + h.count, 0)).toBe(1000);
    const lines = events
      .filter((e) => e.end === 0 && e.ev.type === 'interval')
      .map((e) => formatInterval(e.ev as Extract<PktgenEvent, { type: 'interval' }>));
    expect(lines.length).toBeGreaterThan(0);
    expect(
      lines.some((l) => /RTT min [\d.]+ [nmu]?s avg [\d.]+ [nmu]?s p99 [\d.]+ [nmu]?s/.test(l)),
    ).toBe(true);
    const summary = formatSummary(ping).join('\n');
    expect(summary).toMatch(/RTT min .* avg .* p99 .* max .*\(1000 replies, 0 lost\)/);
    expect(summary).toContain('RTT histogram (log2 buckets):');
  });

  it('a stop request ends both ends as "stopped"', async () => {
    const ac = new AbortController();
    const r = runPktgenPair({
      modes: ['tx', 'rx'],
      count: 0,
      reportMs: 10,
      signal: ac.signal,
      onEvent: (ev) => {
        if (ev.type === 'interval') ac.abort();
      },
    });
    const res = await r;
    expect(res.ends[0].ended).toBe('stopped');
    expect(['stopped', 'peer-closed']).toContain(res.ends[1].ended);
    expect(res.ends[1].packets).toBeLessThanOrEqual(res.ends[0].packets);
    expect(res.buffersConserved).toBe(true);
  });

  it('bad options fail before any worker starts', async () => {
    await expect(runPktgenPair({ modes: ['tx', 'rx'], port: 'nope' })).rejects.toBeInstanceOf(
      PortNameError,
    );
    await expect(
      runPktgenPair({ modes: ['tx', 'rx'], overrides: [{}, { burst: 0 }], count: 1 }),
    ).rejects.toBeInstanceOf(OptionError);
  });
});

describe('one pktgen end in a region the caller owns', () => {
  it('runPktgen tx feeds a reader on the main thread; every frame checks out', async () => {
    const region = createRegion({ bufCount: 1024 });
    const pipe = createPipe(region, { id: 7, slots: 256 });
    const reader = openPort(region, 'pipe}7');
    const done = runPktgen({
      mode: 'tx',
      port: 'pipe{7',
      region,
      count: 5000,
      size: [60, 1514],
      reportMs: 0,
    });
    let got = 0;
    let bad = 0;
    for (;;) {
      const closed = reader.peerClosed;
      const batch = reader.recvBatch(256);
      if (batch.length === 0) {
        if (closed) break;
        await reader.pollAsync(POLLIN, 1000);
        continue;
      }
      for (const f of batch) if (checkFrame(f, 0, f.length) !== FRAME_OK) bad++;
      got += batch.length;
    }
    const sum = await done;
    reader.close();
    pipe.release();
    expect(sum.packets).toBe(5000);
    expect([got, bad]).toEqual([5000, 0]);
  });

  it('-w fails with PktgenError (cause PeerWaitError) when the peer never opens', async () => {
    const region = createRegion({ bufCount: 1024 });
    const pipe = createPipe(region, { id: 3, slots: 64 });
    const err = await runPktgen({
      mode: 'tx',
      port: 'pipe{3',
      region,
      waitSec: 0.2,
      count: 10,
    }).catch((e: unknown) => e);
    pipe.release();
    expect(err).toBeInstanceOf(PktgenError);
    expect((err as PktgenError).cause.name).toBe('PeerWaitError');
  });
});

describe('pktgen CLI', () => {
  it('--pair ping:pong prints RTT lines and the summary of both ends', () => {
    const p = spawnSync(process.execPath, [CLI, '--pair', 'ping:pong', '-n', '500', '-T', '0'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/\[ping pipe\{1\] Sent 500 packets/);
    expect(p.stdout).toMatch(/\[pong pipe\}1\] Sent 500 packets/);
    expect(p.stdout).toMatch(/\[ping pipe\{1\] RTT min .* \(500 replies, 0 lost\)/);
  });

  it('-f tx starts rx as its peer; -l twice gives a size range; bad input exits 1', () => {
    const p = spawnSync(
      process.execPath,
      [CLI, '-f', 'tx', '-n', '1000', '-l', '60', '-l', '1514', '-T', '0'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(p.status).toBe(0);
    expect(p.stderr).toContain('starting rx on the other end');
    expect(p.stdout).toMatch(/\[rx pipe\}1\] Received 1000 packets/);
    const bad = spawnSync(process.execPath, [CLI, '-f', 'tx', '-l', '2000', '-n', '1'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/size must be an integer from 60 to 1514/);
  });
});
