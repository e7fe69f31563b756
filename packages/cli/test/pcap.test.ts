/**
 * The capture file formats: every pcap variant (µs and ns, either byte
 * order) and pcapng (ns and the default µs resolution, a big-endian
 * section, skipped blocks) read as written by hand here, and every bad file
 * refused with CaptureFileError naming the reason and the offset.
 */
import { describe, expect, it } from 'vitest';
import { OptionError } from '@pktfabric/core';
import {
  CaptureFileError,
  CaptureWriter,
  MAX_RECORD_BYTES,
  MemorySink,
  readCaptureFile,
} from '../src/index.js';
import { wiresharkRead } from './helpers/wiregasm.js';
import { BAD_FILES, frame, pcap, pcapng } from './helpers/bad-files.js';

describe('reading', () => {
  const a = frame(60, 0xaa);
  const b = frame(73, 0xbb);
  it.each([
    ['µs little-endian', true, 0xa1b2c3d4, 1000n],
    ['µs big-endian', false, 0xa1b2c3d4, 1000n],
    ['ns little-endian', true, 0xa1b23c4d, 1n],
    ['ns big-endian', false, 0xa1b23c4d, 1n],
  ] as const)('pcap %s', (_, le, magic, unit) => {
    const f = readCaptureFile(
      pcap(le, magic, [
        [1_700_000_000, 123_456, a],
        [1_700_000_001, 999_999, b, 100],
      ]),
    );
    expect(f).toMatchObject({ format: 'pcap', littleEndian: le, linkType: 1, snapLen: 65535 });
    expect(f.packets.map((p) => p.tsNs)).toEqual([
      1_700_000_000n * 1_000_000_000n + 123_456n * unit,
      1_700_000_001n * 1_000_000_000n + 999_999n * unit,
    ]);
    expect(f.packets.map((p) => [p.data, p.origLen])).toEqual([
      [a, 60],
      [b, 100],
    ]);
  });

  it.each([
    ['ns, little-endian', true, 9, 1n],
    ['default µs, big-endian', false, null, 1000n],
    ['2^-10 s units', true, 0x80 | 10, 0n],
  ] as const)('pcapng %s', (_, le, res, unit) => {
    const f = readCaptureFile(
      pcapng(le, res, [
        [5_000_000_123n, a],
        [5_000_000_124n, b],
      ]),
    );
    expect(f).toMatchObject({ format: 'pcapng', littleEndian: le, linkType: 1 });
    expect(f.packets.map((p) => p.data)).toEqual([a, b]);
    if (unit !== 0n) expect(f.packets[0]!.tsNs).toBe(5_000_000_123n * unit);
    else expect(f.packets[0]!.tsNs).toBe((5_000_000_123n * 1_000_000_000n) / 1024n);
  });

  it('our hand-made pcapng is what Wireshark reads too (the test builder is right)', async () => {
    const ws = await wiresharkRead(pcapng(false, 9, [[1_700_000_000_000_000_007n, a]]));
    expect(ws.frames.map((f) => [f.epoch, f.bytes])).toEqual([['1700000000.000000007', a]]);
  });
});

describe('writing', () => {
  it('cuts to the snap length, keeping the original length', () => {
    const sink = new MemorySink();
    const w = new CaptureWriter(sink, { format: 'pcapng', snapLen: 64 });
    w.setTime(1, 2);
    w.record(frame(100, 1));
    w.finish();
    const f = readCaptureFile(sink.bytes());
    expect(f.snapLen).toBe(64);
    expect(f.packets.map((p) => [p.data.length, p.origLen, p.tsNs])).toEqual([
      [64, 100, 1_000_000_002n],
    ]);
  });

  it('refuses bad options with OptionError', () => {
    for (const o of [
      { format: 'pcapx' },
      { format: 'pcap', snapLen: 0 },
      { format: 'pcap', snapLen: MAX_RECORD_BYTES + 1 },
      { format: 'pcap', snapLen: 1.5 },
    ])
      expect(() => new CaptureWriter(new MemorySink(), o as never)).toThrow(OptionError);
  });
});

describe('bad files', () => {
  it.each(BAD_FILES)('%s: CaptureFileError', (_, bytes, reason, offset) => {
    let e: unknown = null;
    try {
      readCaptureFile(bytes);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(CaptureFileError);
    expect((e as CaptureFileError).reason).toBe(reason);
    expect((e as CaptureFileError).offset).toBe(offset);
  });
});
