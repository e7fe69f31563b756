/**
 * The pieces of the capture and replay rows that run without workers: the
 * sink that reads back the pcap records the CLI's CaptureWriter flushes
 * (count and checksum from the file's bytes, records split across chunks,
 * the bounded file on O_APPEND), and the replay sender's checksum of a trace
 * played round after round.
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureWriter, FdSink, MemorySink } from 'pktfabric';
import { afterAll, describe, expect, it } from 'vitest';
import { frameChecksum } from '../src/packet-work.js';
import { CheckingSink, type ChunkSink } from '../src/transports/capture-sink.js';
import { traceChecksum } from '../src/transports/replay.js';
import { BenchCaseError, runCase, unavailableCases } from '../src/index.js';
import { TMPFS_DIR, tmpfsUnavailable } from '../src/transports/capture.js';

const dir = mkdtempSync(join(tmpdir(), 'pktfabric-capture-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Writes a pcap file of `n` frames of `len` bytes, frame i stamped
 * `first + i`, into `sink` with the CLI's writer; returns the fold of their
 * checksums.
 */
function writeFrames(sink: ChunkSink, n: number, len: number, first = 0): number {
  const w = new CaptureWriter(sink, { format: 'pcap', bufferBytes: 4096 });
  const frame = new Uint8Array(len).fill(0xa5);
  const stamp = new Uint32Array(frame.buffer, 0, 1);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    stamp[0] = first + i;
    w.record(frame);
    sum = (sum + frameChecksum(first + i, len)) | 0;
  }
  w.finish();
  return sum;
}

/** The bytes of such a file, and the fold. */
function pcapOf(n: number, len: number): { bytes: Uint8Array; sum: number } {
  const mem = new MemorySink();
  const sum = writeFrames(mem, n, len);
  return { bytes: mem.bytes(), sum };
}

/** Feeds `bytes` to `sink` in chunks of the sizes `sizes` cycles through. */
function feed(sink: ChunkSink, bytes: Uint8Array, sizes: readonly number[]): void {
  for (let p = 0, k = 0; p < bytes.length; k++) {
    const n = Math.min(sizes[k % sizes.length]!, bytes.length - p);
    sink.write(bytes.subarray(p, p + n));
    p += n;
  }
  sink.close();
}

describe('capture sink', () => {
  it("counts the records the CLI's writer flushes and folds their frames' checksums", () => {
    for (const len of [60, 1514]) {
      const mem = new MemorySink();
      const sink = new CheckingSink(mem);
      const sum = writeFrames(sink, 1000, len, 7);
      expect([sink.packets, sink.checksum]).toEqual([1000, sum]);
      // It passes the bytes on unchanged, and closes what it writes to.
      expect(mem.closed).toBe(true);
      const plain = new MemorySink();
      writeFrames(plain, 1000, len, 7);
      expect(Buffer.compare(mem.bytes(), plain.bytes())).toBe(0);
    }
  });

  it('reads records split anywhere across chunks', () => {
    const { bytes, sum } = pcapOf(300, 60);
    for (const sizes of [[1], [7, 3, 19], [23], [100, 1, 2]]) {
      const sink = new CheckingSink(new MemorySink());
      feed(sink, bytes, sizes);
      expect([sink.packets, sink.checksum], String(sizes)).toEqual([300, sum]);
    }
  });

  it('shows a garbled stamp or a cut frame, and a file that ends inside a record', () => {
    const { bytes, sum } = pcapOf(10, 60);
    const bad = bytes.slice();
    bad[24 + 3 * 76 + 16] ^= 1; // the stamp of record 4
    const a = new CheckingSink(new MemorySink());
    feed(a, bad, [64]);
    expect(a.packets).toBe(10);
    expect(a.checksum).not.toBe(sum);
    const b = new CheckingSink(new MemorySink());
    expect(() => feed(b, bytes.subarray(0, bytes.length - 1), [64])).toThrow(/inside a record/);
  });

  it('truncates its O_APPEND file to 0 past the cap, and keeps counting', () => {
    const path = join(dir, 'cap.pcap');
    const fd = openSync(path, 'ax');
    try {
      const { bytes, sum } = pcapOf(1000, 60);
      const sink = new CheckingSink(new FdSink(fd, false), fd, 10_000);
      feed(sink, bytes, [4096]);
      expect([sink.packets, sink.checksum]).toEqual([1000, sum]);
      // 76 KB went through a file that never grew past the cap.
      expect(bytes.length).toBeGreaterThan(70_000);
      const size = fstatSync(fd).size;
      expect(size).toBeGreaterThan(0);
      expect(size).toBeLessThanOrEqual(10_000);
    } finally {
      closeSync(fd);
    }
  });
});

describe('capture rows', () => {
  it('say why they cannot capture into a directory that is missing or short of room', () => {
    expect(tmpfsUnavailable(join(dir, 'none'))).toMatch(/none is missing or not writable/);
    expect(tmpfsUnavailable(dir, Number.MAX_SAFE_INTEGER)).toMatch(/MiB free, under the /);
    expect(tmpfsUnavailable(dir, 1)).toBeUndefined();
    // Only the tmpfs rows depend on /dev/shm.
    expect(unavailableCases(['capture-60b-null', 'capture-1514b-null']).size).toBe(0);
  });

  /** This process's open file descriptors. */
  const fds = (): number => readdirSync('/proc/self/fd').length;

  it.runIf(tmpfsUnavailable() === undefined && TMPFS_DIR === '/dev/shm')(
    'leave no file open or in /dev/shm after a run, passed or failed',
    async () => {
      const ours = (): string[] =>
        readdirSync(TMPFS_DIR).filter((f) => f.startsWith(`pktfabric-bench-${process.pid}-`));
      const before = fds();
      const run = await runCase('capture-1514b-tmpfs', { durationS: 0.1, warmupS: 0.05 });
      expect(run.windowPackets).toBeGreaterThan(0);
      expect(fds()).toBe(before);
      const err = await runCase('capture-60b-tmpfs', { durationS: 30, hangGuardMs: 300 }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BenchCaseError);
      expect(fds()).toBe(before);
      expect(ours()).toEqual([]);
    },
    30_000,
  );
});

describe('replay checksum', () => {
  it('is the fold of every frame sent, round after round, in trace order', () => {
    for (const [frames, len, sent] of [
      [16, 60, 0],
      [16, 60, 5],
      [16, 60, 16],
      [16, 1514, 16 * 37 + 11],
      [3, 60, 100_000],
    ] as const) {
      let want = 0;
      for (let k = 0; k < sent; k++) want = (want + frameChecksum(k % frames, len)) | 0;
      expect(traceChecksum(frames, len, sent), `${frames} ${len} ${sent}`).toBe(want);
    }
  });
});
