/**
 * Capture and replay throughput, in one thread (both ends of a pipe here, so
 * the numbers include the pipe's own cost): a port drained without capture
 * (the baseline), with capture to /dev/null and to a tmpfs file, pcap and
 * pcapng; and replay into a pipe with no timing limit. 60 B and 1514 B
 * frames. Prints medians of `--runs` runs and the ratio to the baseline.
 *
 *   npm run build && npm run bench -w pktfabric -- [--seconds 1] [--runs 3]
 */
import { rmSync } from 'node:fs';
import { createRegion } from '@pktfabric/core';
import { createPipe, openPort } from '@pktfabric/pipes';
import { formatBps, formatPps } from '@pktfabric/examples';
import {
  CaptureWriter,
  FdSink,
  prepareTrace,
  replay,
  type CaptureFile,
  type CaptureFormat,
  type ReplayTarget,
} from '../src/index.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const SECONDS = arg('--seconds', 1);
const RUNS = arg('--runs', 3);
const BATCH = 256;

function setup(size: number) {
  const region = createRegion({ bufSize: 2048, bufCount: 8192 });
  const pipe = createPipe(region, { id: 1, slots: 1024 });
  const tx = openPort(region, 'pipe{1');
  const rx = openPort(region, 'pipe}1');
  pipe.release();
  const frames = Array.from({ length: BATCH }, () => new Uint8Array(size).fill(0x5a));
  return { tx, rx, frames, close: () => (tx.close(), rx.close()) };
}

/** Packets per second moved tx -> rx, each received batch handed to `sink` (or dropped). */
function drain(size: number, writer: ((p: Uint8Array) => void) | null): number {
  const { tx, rx, frames, close } = setup(size);
  const into: Uint8Array[] = [];
  let n = 0;
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  while (performance.now() < end) {
    for (let k = 0; k < 16; k++) {
      tx.sendBatch(frames);
      const got = rx.recvBatch(BATCH, into);
      if (writer !== null) for (let i = 0; i < got.length; i++) writer(got[i]!);
      n += got.length;
    }
  }
  const pps = n / ((performance.now() - t0) / 1000);
  close();
  return pps;
}

function capture(size: number, format: CaptureFormat, path: string): number {
  const w = new CaptureWriter(FdSink.open(path), { format });
  w.setTime(1_700_000_000, 0);
  const pps = drain(size, (p) => w.record(p));
  w.finish();
  if (path !== '/dev/null') rmSync(path, { force: true });
  return pps;
}

async function replayRate(size: number): Promise<number> {
  const { tx, rx, close } = setup(size);
  const N = 100_000;
  const data = new Uint8Array(size).fill(0x5a);
  const file: CaptureFile = {
    format: 'pcap',
    resolution: 'ns',
    littleEndian: true,
    linkType: 1,
    snapLen: 65535,
    packets: Array.from({ length: N }, (_, i) => ({ tsNs: BigInt(i), data, origLen: size })),
  };
  const prepared = prepareTrace(file);
  const into: Uint8Array[] = [];
  const target: ReplayTarget = {
    maxPacketBytes: tx.maxPacketBytes,
    sendBatch: (list, from, count) => {
      const k = tx.sendBatch(list, from, count);
      if (k < count) rx.recvBatch(1024, into); // the consumer, in this thread
      return k;
    },
    waitWritable: () => Promise.resolve(),
  };
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    const s = await replay(target, prepared, {
      bandwidth: { kind: 'constant', bps: 1e15 },
      burst: BATCH,
    });
    rx.recvBatch(1024, into);
    n += s.sent;
  }
  const pps = n / ((performance.now() - t0) / 1000);
  close();
  return pps;
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  console.log(
    `capture / replay, one thread, ${SECONDS} s x ${RUNS} runs (median), node ${process.version}`,
  );
  for (const size of [60, 1514]) {
    const base = median(Array.from({ length: RUNS }, () => drain(size, null)));
    const rows: Array<[string, number]> = [['port drained, no capture (baseline)', base]];
    for (const format of ['pcap', 'pcapng'] as const) {
      rows.push([
        `capture ${format} -> /dev/null`,
        median(Array.from({ length: RUNS }, () => capture(size, format, '/dev/null'))),
      ]);
      rows.push([
        `capture ${format} -> tmpfs file`,
        median(
          Array.from({ length: RUNS }, () =>
            capture(size, format, `/dev/shm/pktfabric-bench-${process.pid}.${format}`),
          ),
        ),
      ]);
    }
    const rs: number[] = [];
    for (let r = 0; r < RUNS; r++) rs.push(await replayRate(size));
    rows.push(['replay into the pipe (no timing limit)', median(rs)]);
    console.log(`\n${size} B frames`);
    for (const [what, pps] of rows)
      console.log(
        `  ${what.padEnd(40)} ${formatPps(pps).padStart(14)} ${formatBps(pps * size * 8).padStart(14)}  x${(pps / base).toFixed(2)}`,
      );
  }
}

await main();
