/**
 * Round trip: frames from pktgen (txseq, sizes drawn in a range) captured
 * from a pipe end to pcap and to pcapng; read back by Wireshark's engine
 * (wiregasm, not our code) with identical bytes and timestamps, in order;
 * then replayed into another pipe and compared frame by frame.
 */
import { describe, expect, it } from 'vitest';
import { createRegion, OptionError, POLLIN, type Region } from '@pktfabric/core';
import { testSeed, waitFor } from '@pktfabric/core/testing';
import { checkFrame, FRAME_OK, openNamedPort, readSeq, runPktgen } from '@pktfabric/examples';
import { createPipe, openPort } from '@pktfabric/pipes';
import {
  capturePort,
  CaptureWriter,
  MemorySink,
  portTarget,
  prepareTrace,
  readCaptureFile,
  replay,
  VirtualClock,
  type CaptureFormat,
} from '../src/index.js';
import { epochString, wiresharkRead } from './helpers/wiregasm.js';

const N = 400;
const seed = testSeed(import.meta.url);

/** Runs pktgen txseq into pipe{id and captures pipe}id; returns the file's bytes. */
async function pktgenCapture(
  region: Region,
  id: number,
  format: CaptureFormat,
  clock: () => bigint,
): Promise<Uint8Array> {
  const pipe = createPipe(region, { id, slots: 256 });
  const rx = openPort(region, `pipe}${id}`);
  const sink = new MemorySink();
  const writer = new CaptureWriter(sink, { format, ifName: `pipe}${id}` });
  const cap = capturePort(rx, writer, { count: N, clock, batch: 64 });
  const gen = runPktgen({
    region,
    mode: 'txseq',
    port: `pipe{${id}`,
    count: N,
    size: [60, 1514],
    seed: seed || 1,
    reportMs: 0,
    burst: 32,
  });
  const [s, g] = await Promise.all([cap, gen]);
  expect(g.packets).toBe(N);
  expect(s).toMatchObject({ captured: N, dropped: 0, snapped: 0, ended: 'count' });
  expect(sink.closed).toBe(true);
  rx.close();
  pipe.release();
  return sink.bytes();
}

describe.each(['pcap', 'pcapng'] as const)('round trip through %s', (format) => {
  it('pktgen -> capture -> Wireshark reads the same frames and times -> replay -> same frames', async () => {
    const region = createRegion({ bufSize: 2048, bufCount: 2048 });
    // A clock that moves 1.5 us (plus a ns) per batch from a fixed epoch, so
    // the times are known and carry all nine digits.
    let t = 1_700_000_000_123_456_789n;
    const stamps: bigint[] = [];
    const clock = (): bigint => {
      t += 1_501n;
      stamps.push(t);
      return t;
    };
    const bytes = await pktgenCapture(region, 1, format, clock);

    // Wireshark's reading.
    const ws = await wiresharkRead(bytes);
    expect(ws.fileType).toMatch(format === 'pcap' ? /nanosecond pcap/ : /pcapng/);
    expect(ws.frames.length).toBe(N);
    // pktgen's frames, in order: sequence 0..N-1, valid IPv4/UDP.
    ws.frames.forEach((f, i) => {
      expect(readSeq(f.bytes, 0)).toBe(i);
      expect(checkFrame(f.bytes, 0, f.bytes.length)).toBe(FRAME_OK);
      expect(f.bytes.length).toBeGreaterThanOrEqual(60);
      expect(f.bytes.length).toBeLessThanOrEqual(1514);
    });
    // Times: each one a stamp the clock gave, never going back, all of them used in order.
    const want = new Set(stamps.map(epochString));
    const times = ws.frames.map((f) => f.epoch);
    for (const e of times) expect(want.has(e)).toBe(true);
    expect([...new Set(times)]).toEqual(stamps.map(epochString).slice(0, new Set(times).size));

    // Our reader agrees with Wireshark's, byte for byte and ns for ns.
    const file = readCaptureFile(bytes);
    expect(file.packets.length).toBe(N);
    file.packets.forEach((p, i) => {
      expect(p.data).toEqual(ws.frames[i]!.bytes);
      expect(epochString(p.tsNs)).toBe(ws.frames[i]!.epoch);
    });

    // Replay into pipe{2 (virtual clock: the real timing model, no waiting) and compare.
    const pipe2 = createPipe(region, { id: 2, slots: 512 });
    const m = openPort(region, 'pipe{2');
    const s = openPort(region, 'pipe}2');
    const sum = await replay(portTarget(m), prepareTrace(file, m.maxPacketBytes), {
      clock: new VirtualClock(),
      burst: 50,
    });
    expect(sum).toMatchObject({ sent: N, lost: 0, ended: 'done' });
    const got: Uint8Array[] = [];
    for (let b = s.recvBatch(N); b.length > 0; b = s.recvBatch(N))
      for (const p of b) got.push(p.slice());
    expect(got.length).toBe(N);
    got.forEach((p, i) => expect(p).toEqual(ws.frames[i]!.bytes));
    m.close();
    s.close();
    pipe2.release();
  });
});

describe('capture from a copy monitor', () => {
  it('pipe{N/t sees every frame the sender sends, in order, while the receiver still gets them all', async () => {
    const region = createRegion({ bufSize: 2048, bufCount: 8192 });
    const pipe = createPipe(region, { id: 12, slots: 256 });
    const tx = openPort(region, 'pipe{12');
    const rx = openPort(region, 'pipe}12');
    const mon = await openNamedPort(region, 'pipe{12/t');
    const sink = new MemorySink();
    const M = 100;
    const cap = capturePort(mon, new CaptureWriter(sink, { format: 'pcapng' }), { count: M });
    const frames = Array.from({ length: M }, (_, i) =>
      Uint8Array.from({ length: 60 + (i % 7) }, (_, j) => (i + j * 3) & 255),
    );
    let sent = 0;
    const got: number[][] = [];
    while (sent < M) {
      sent += tx.sendBatch(frames, sent, Math.min(16, M - sent));
      for (const p of rx.recvBatch(64)) got.push([...p]);
    }
    const s = await cap;
    while (got.length < M) {
      rx.poll(POLLIN, 1000);
      for (const p of rx.recvBatch(64)) got.push([...p]);
    }
    expect(s).toMatchObject({ captured: M, dropped: 0, ended: 'count' });
    const seen = readCaptureFile(sink.bytes()).packets.map((p) => [...p.data]);
    expect(seen).toEqual(frames.map((f) => [...f]));
    expect(got).toEqual(frames.map((f) => [...f]));
    mon.close();
    tx.close();
    rx.close();
    pipe.release();
  });
});

describe('capturePort limits', () => {
  it('cuts to the snap length and counts it; stops at the duration with no traffic', async () => {
    const region = createRegion({ bufSize: 2048, bufCount: 8192 });
    const pipe = createPipe(region, { id: 9, slots: 64 });
    const tx = openPort(region, 'pipe{9');
    const rx = openPort(region, 'pipe}9');
    expect(tx.sendBatch(Array.from({ length: 5 }, () => new Uint8Array(1514).fill(7)))).toBe(5);
    const sink = new MemorySink();
    const s = await capturePort(rx, new CaptureWriter(sink, { format: 'pcap', snapLen: 100 }), {
      count: 5,
    });
    expect(s).toMatchObject({ captured: 5, snapped: 5, bytes: 5 * 1514, ended: 'count' });
    expect(readCaptureFile(sink.bytes()).packets.map((p) => [p.data.length, p.origLen])).toEqual(
      Array.from({ length: 5 }, () => [100, 1514]),
    );
    const idle = new MemorySink();
    const d = await capturePort(rx, new CaptureWriter(idle, { format: 'pcapng' }), {
      durationMs: 50,
    });
    expect(d).toMatchObject({ captured: 0, ended: 'duration' });
    expect(readCaptureFile(idle.bytes()).packets.length).toBe(0);
    // Bad limits are refused before anything is read.
    for (const o of [{ count: -1 }, { durationMs: 1.5 }, { batch: 0 }])
      await expect(
        capturePort(rx, new CaptureWriter(new MemorySink(), { format: 'pcap' }), o),
      ).rejects.toThrow(OptionError);
    tx.close();
    rx.close();
    pipe.release();
  });
});

describe('capture reads the validated slots', () => {
  it.each(['slots', 'ring'] as const)(
    'checks %s: packets over several slots whole, then single-slot ones, in order',
    async (checks) => {
      const region = createRegion({ bufSize: 256, bufCount: 4096 });
      const pipe = createPipe(region, { id: 11, slots: 64 });
      const tx = openPort(region, 'pipe{11');
      const rx = openPort(region, 'pipe}11', { checks });
      const pkts = [600, 60, 256, 257, 1000].map((l, i) =>
        Uint8Array.from({ length: l }, (_, j) => (i * 31 + j) & 255),
      );
      expect(tx.sendBatch(pkts)).toBe(pkts.length);
      const sink = new MemorySink();
      const s = await capturePort(rx, new CaptureWriter(sink, { format: 'pcapng' }), {
        count: pkts.length,
      });
      expect(s).toMatchObject({ captured: 5, bytes: 600 + 60 + 256 + 257 + 1000 });
      expect(readCaptureFile(sink.bytes()).packets.map((p) => p.data)).toEqual(pkts);
      // The slots were given back: the sender has its whole ring again.
      await waitFor('the slots to come back', () => (tx.txsync(), tx.txRings[0]!.space() === 63));
      tx.close();
      rx.close();
      pipe.release();
    },
  );
});
