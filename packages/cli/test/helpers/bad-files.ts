/** Hand-made capture files: builders for each format, and the bad files every reader must refuse. */
import { MAX_RECORD_BYTES, type CaptureFileReason } from '../../src/index.js';

/** Builds a file from (u32 | u16 | bytes) fields in one byte order. */
export class Bytes {
  private parts: number[] = [];
  constructor(private readonly le: boolean) {}
  u32(v: number): this {
    const b = [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
    this.parts.push(...(this.le ? b : b.reverse()));
    return this;
  }
  u16(v: number): this {
    const b = [v & 255, (v >>> 8) & 255];
    this.parts.push(...(this.le ? b : b.reverse()));
    return this;
  }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]!);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return new Uint8Array(this.parts);
  }
}

export const frame = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

export function pcap(
  le: boolean,
  magic: number,
  recs: Array<[number, number, Uint8Array, number?]>,
  o: { snap?: number; link?: number; major?: number } = {},
): Uint8Array {
  const b = new Bytes(le)
    .u32(magic)
    .u16(o.major ?? 2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(o.snap ?? 65535)
    .u32(o.link ?? 1);
  for (const [sec, frac, d, orig] of recs)
    b.u32(sec)
      .u32(frac)
      .u32(d.length)
      .u32(orig ?? d.length)
      .raw(d);
  return b.done();
}

function block(b: Bytes, type: number, body: Bytes): void {
  const len = 12 + body.length;
  b.u32(type).u32(len).raw(body.done()).u32(len);
}

export function pcapng(
  le: boolean,
  tsresol: number | null,
  pkts: Array<[bigint, Uint8Array]>,
): Uint8Array {
  const f = new Bytes(le);
  block(f, 0x0a0d0d0a, new Bytes(le).u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff));
  const idb = new Bytes(le).u16(1).u16(0).u32(0);
  if (tsresol !== null) idb.u16(9).u16(1).raw([tsresol, 0, 0, 0]);
  idb.u16(0).u16(0);
  block(f, 1, idb);
  block(f, 0x80000001, new Bytes(le).u32(7)); // a local block type: skipped
  for (const [ts, d] of pkts) {
    const body = new Bytes(le)
      .u32(0)
      .u32(Number(ts >> 32n))
      .u32(Number(ts & 0xffffffffn));
    body
      .u32(d.length)
      .u32(d.length)
      .raw(d)
      .raw(new Array((4 - (d.length % 4)) % 4).fill(0));
    block(f, 6, body);
  }
  return f.done();
}

/** Bad files: each with the reason and the offset the error must name. */
export const BAD_FILES: Array<[string, Uint8Array, CaptureFileReason, number]> = (() => {
  const good = pcap(true, 0xa1b23c4d, [
    [1, 0, frame(60, 1)],
    [2, 0, frame(80, 2)],
  ]);
  const ng = pcapng(true, 9, [[1n, frame(60, 1)]]);
  const badTrailer = ng.slice();
  // the EPB is the last block: its trailing length
  new DataView(badTrailer.buffer).setUint32(badTrailer.length - 4, 999, true);
  const badLen = ng.slice();
  const epbAt = ng.length - (12 + 20 + 60);
  new DataView(badLen.buffer).setUint32(epbAt + 4, 14, true); // not a multiple of 4
  const badIf = ng.slice();
  new DataView(badIf.buffer).setUint32(epbAt + 8, 3, true);
  return [
    ['an empty file', new Uint8Array(0), 'truncated-header', 0],
    ['a pcap header cut short', good.subarray(0, 20), 'truncated-header', 20],
    ['a record header cut short', good.subarray(0, 24 + 16 + 60 + 10), 'truncated-record', 100],
    ['record data cut short', good.subarray(0, good.length - 5), 'truncated-record', 100],
    [
      'a record over the snap length',
      pcap(true, 0xa1b2c3d4, [[1, 0, frame(100, 1)]], { snap: 64 }),
      'record-too-long',
      32,
    ],
    [
      'a record over 256 KiB',
      pcap(true, 0xa1b2c3d4, [[1, 0, frame(MAX_RECORD_BYTES + 1, 1)]], { snap: 0 }),
      'record-too-long',
      32,
    ],
    ['an unknown link type', pcap(true, 0xa1b2c3d4, [], { link: 9999 }), 'unknown-link-type', 20],
    ['a wrong magic', new Uint8Array(24).fill(0x42), 'bad-magic', 0],
    ['pcap version 1', pcap(true, 0xa1b2c3d4, [], { major: 1 }), 'bad-version', 4],
    [
      'a µs fraction of a second or more',
      pcap(true, 0xa1b2c3d4, [[1, 1_000_000, frame(60, 1)]]),
      'bad-timestamp',
      28,
    ],
    ['a pcapng block whose lengths differ', badTrailer, 'bad-block-length', badTrailer.length - 4],
    ['a pcapng block length not a multiple of 4', badLen, 'bad-block-length', epbAt + 4],
    ['a pcapng block cut short', ng.subarray(0, ng.length - 8), 'truncated-record', epbAt],
    ['a pcapng packet for an interface not described', badIf, 'bad-interface', epbAt + 8],
  ];
})();
