/**
 * Writing capture files, pcap (ns magic) or pcapng (one interface with
 * if_tsresol 9, a statistics block at the end), in this machine's byte
 * order, through a buffer flushed to a ByteSink. The per-packet path
 * (`record`) copies the bytes into the buffer and does not allocate; the
 * timestamp is set once per batch (`setTime`).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { OptionError } from '@pktfabric/core';
import {
  LINKTYPE_ETHERNET,
  MAX_RECORD_BYTES,
  PCAP_FILE_HEADER_BYTES,
  PCAP_MAGIC_NS,
  PCAP_RECORD_HEADER_BYTES,
  PCAP_VERSION_MAJOR,
  PCAP_VERSION_MINOR,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_EPB,
  PCAPNG_IDB,
  PCAPNG_IF_NAME,
  PCAPNG_IF_TSRESOL,
  PCAPNG_ISB,
  PCAPNG_ISB_ENDTIME,
  PCAPNG_ISB_IFDROP,
  PCAPNG_ISB_IFRECV,
  PCAPNG_ISB_STARTTIME,
  PCAPNG_SHB,
} from './format.js';

/** Where the bytes of a capture go. */
export interface ByteSink {
  write(chunk: Uint8Array): void;
  close(): void;
}

/** A file descriptor (a file, or 1 for stdout): synchronous writes, retried on EAGAIN. */
export class FdSink implements ByteSink {
  constructor(
    readonly fd: number,
    private readonly owned: boolean,
  ) {}

  /** Opens (creating or truncating) `path`, or stdout for `-`. */
  static open(path: string): FdSink {
    return path === '-' ? new FdSink(1, false) : new FdSink(openSync(path, 'w'), true);
  }

  write(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) {
      try {
        off += writeSync(this.fd, chunk, off, chunk.length - off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
    }
  }

  close(): void {
    if (this.owned) closeSync(this.fd);
  }
}

/** Keeps every chunk (tests, and in-memory captures). */
export class MemorySink implements ByteSink {
  readonly chunks: Uint8Array[] = [];
  closed = false;
  write(chunk: Uint8Array): void {
    this.chunks.push(chunk.slice());
  }
  close(): void {
    this.closed = true;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((a, c) => a + c.length, 0));
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export type CaptureFormat = 'pcap' | 'pcapng';

export interface WriterOptions {
  format: CaptureFormat;
  /** Bytes kept of each packet, 1..MAX_RECORD_BYTES. @defaultValue 65535 */
  snapLen?: number;
  /** pcapng: the interface name recorded (if_name). */
  ifName?: string;
  /** Buffer size before a flush. @defaultValue 1 MiB */
  bufferBytes?: number;
}

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class CaptureWriter {
  readonly format: CaptureFormat;
  readonly snapLen: number;
  private readonly buf: Uint8Array;
  private readonly dv: DataView;
  /** The same bytes as `buf`, as a Buffer (for Buffer.copy, which does not allocate). */
  private readonly bufB: Buffer;
  private pos = 0;
  private sec = 0;
  private frac = 0;
  private tsHi = 0;
  private tsLo = 0;
  private firstHi = -1;
  private firstLo = 0;
  /** Records written. */
  records = 0;

  constructor(
    private readonly sink: ByteSink,
    opts: WriterOptions,
  ) {
    if (opts.format !== 'pcap' && opts.format !== 'pcapng')
      throw new OptionError('format', "'pcap' or 'pcapng'", opts.format);
    const snap = opts.snapLen ?? 65_535;
    if (!Number.isInteger(snap) || snap < 1 || snap > MAX_RECORD_BYTES)
      throw new OptionError('snapLen', `an integer from 1 to ${MAX_RECORD_BYTES}`, snap);
    this.format = opts.format;
    this.snapLen = snap;
    const size = Math.max(opts.bufferBytes ?? 1 << 20, 2 * (snap + 64));
    this.buf = new Uint8Array(size);
    this.dv = new DataView(this.buf.buffer);
    this.bufB = Buffer.from(this.buf.buffer, 0, size);
    if (this.format === 'pcap') this.pcapHeader();
    else this.pcapngHeader(opts.ifName ?? 'pktfabric');
  }

  /**
   * Sets the timestamp of the records that follow: whole seconds since the
   * epoch and nanoseconds (0..999999999). Allocates only for pcapng (a
   * BigInt per call, once per batch).
   */
  setTime(sec: number, nsFrac: number): void {
    this.sec = sec;
    this.frac = nsFrac;
    if (this.format === 'pcapng') {
      const t = BigInt(sec) * 1_000_000_000n + BigInt(nsFrac);
      this.tsHi = Number(t >> 32n);
      this.tsLo = Number(t & 0xffffffffn);
      if (this.firstHi < 0) {
        this.firstHi = this.tsHi;
        this.firstLo = this.tsLo;
      }
    }
  }

  /** Writes one packet (cut to the snap length) with the current timestamp. Does not allocate. */
  record(data: Uint8Array, origLen = data.length): void {
    const cap = data.length < this.snapLen ? data.length : this.snapLen;
    const at = this.frame(cap, origLen);
    this.buf.set(cap === data.length ? data : data.subarray(0, cap), at);
  }

  /**
   * Writes one packet of `len` bytes copied from `src[start ..]` (a Buffer
   * view of a region, say), cut to the snap length, with the current
   * timestamp. Does not allocate.
   */
  recordFrom(src: Buffer, start: number, len: number, origLen = len): void {
    const cap = len < this.snapLen ? len : this.snapLen;
    const at = this.frame(cap, origLen);
    src.copy(this.bufB, at, start, start + cap);
  }

  /**
   * Writes the record around a packet of `cap` captured bytes (pcap: its
   * header; pcapng: an enhanced packet block's header, padding and trailing
   * length) with the current timestamp, counts it, and returns where its
   * `cap` bytes go. Does not allocate.
   */
  private frame(cap: number, origLen: number): number {
    const dv = this.dv;
    this.records++;
    if (this.format === 'pcap') {
      this.room(PCAP_RECORD_HEADER_BYTES + cap);
      const p = this.pos;
      dv.setUint32(p, this.sec, LE);
      dv.setUint32(p + 4, this.frac, LE);
      dv.setUint32(p + 8, cap, LE);
      dv.setUint32(p + 12, origLen, LE);
      this.pos = p + 16 + cap;
      return p + 16;
    }
    const padded = (cap + 3) & ~3;
    const len = 32 + padded;
    this.room(len);
    const p = this.pos;
    dv.setUint32(p, PCAPNG_EPB, LE);
    dv.setUint32(p + 4, len, LE);
    dv.setUint32(p + 8, 0, LE);
    dv.setUint32(p + 12, this.tsHi, LE);
    dv.setUint32(p + 16, this.tsLo, LE);
    dv.setUint32(p + 20, cap, LE);
    dv.setUint32(p + 24, origLen, LE);
    this.buf.fill(0, p + 28 + cap, p + 28 + padded);
    dv.setUint32(p + 28 + padded, len, LE);
    this.pos = p + len;
    return p + 28;
  }

  /** Writes out what is buffered. */
  flush(): void {
    if (this.pos > 0) {
      this.sink.write(this.buf.subarray(0, this.pos));
      this.pos = 0;
    }
  }

  /**
   * Ends the file: pcapng gets an interface statistics block (packets
   * received and dropped), then everything is flushed and the sink closed.
   */
  finish(stats: { received: number; dropped: number } = { received: 0, dropped: 0 }): void {
    if (this.format === 'pcapng') {
      const len = 12 + 8 + 4 * 12 + 4 + 4;
      this.room(len);
      const dv = this.dv;
      let p = this.pos;
      dv.setUint32(p, PCAPNG_ISB, LE);
      dv.setUint32(p + 4, len, LE);
      dv.setUint32(p + 8, 0, LE);
      dv.setUint32(p + 12, this.tsHi, LE);
      dv.setUint32(p + 16, this.tsLo, LE);
      p += 20;
      const opt64 = (code: number, hi: number, lo: number): void => {
        dv.setUint16(p, code, LE);
        dv.setUint16(p + 2, 8, LE);
        // a 64-bit value in the section's byte order
        dv.setUint32(p + (LE ? 8 : 4), hi, LE);
        dv.setUint32(p + (LE ? 4 : 8), lo, LE);
        p += 12;
      };
      const first = this.firstHi < 0 ? [this.tsHi, this.tsLo] : [this.firstHi, this.firstLo];
      opt64(PCAPNG_ISB_STARTTIME, first[0]!, first[1]!);
      opt64(PCAPNG_ISB_ENDTIME, this.tsHi, this.tsLo);
      opt64(PCAPNG_ISB_IFRECV, Math.floor(stats.received / 2 ** 32), stats.received >>> 0);
      opt64(PCAPNG_ISB_IFDROP, Math.floor(stats.dropped / 2 ** 32), stats.dropped >>> 0);
      dv.setUint32(p, 0, LE); // opt_endofopt
      dv.setUint32(p + 4, len, LE);
      this.pos = p + 8;
    }
    this.flush();
    this.sink.close();
  }

  private room(n: number): void {
    if (this.pos + n > this.buf.length) this.flush();
  }

  private pcapHeader(): void {
    const dv = this.dv;
    dv.setUint32(0, PCAP_MAGIC_NS, LE);
    dv.setUint16(4, PCAP_VERSION_MAJOR, LE);
    dv.setUint16(6, PCAP_VERSION_MINOR, LE);
    dv.setUint32(8, 0, LE);
    dv.setUint32(12, 0, LE);
    dv.setUint32(16, this.snapLen, LE);
    dv.setUint32(20, LINKTYPE_ETHERNET, LE);
    this.pos = PCAP_FILE_HEADER_BYTES;
  }

  private pcapngHeader(ifName: string): void {
    const dv = this.dv;
    // SHB: no options; section length unknown (-1).
    dv.setUint32(0, PCAPNG_SHB, LE);
    dv.setUint32(4, 28, LE);
    dv.setUint32(8, PCAPNG_BYTE_ORDER_MAGIC, LE);
    dv.setUint16(12, 1, LE);
    dv.setUint16(14, 0, LE);
    dv.setInt32(16, -1, LE);
    dv.setInt32(20, -1, LE);
    dv.setUint32(24, 28, LE);
    // IDB: Ethernet, snap length, if_name, if_tsresol = 9 (ns).
    const name = new TextEncoder().encode(ifName.slice(0, 200));
    const namePad = (name.length + 3) & ~3;
    const len = 20 + (4 + namePad) + 8 + 4;
    let p = 28;
    dv.setUint32(p, PCAPNG_IDB, LE);
    dv.setUint32(p + 4, len, LE);
    dv.setUint16(p + 8, LINKTYPE_ETHERNET, LE);
    dv.setUint16(p + 10, 0, LE);
    dv.setUint32(p + 12, this.snapLen, LE);
    let q = p + 16;
    dv.setUint16(q, PCAPNG_IF_NAME, LE);
    dv.setUint16(q + 2, name.length, LE);
    this.buf.set(name, q + 4);
    this.buf.fill(0, q + 4 + name.length, q + 4 + namePad);
    q += 4 + namePad;
    dv.setUint16(q, PCAPNG_IF_TSRESOL, LE);
    dv.setUint16(q + 2, 1, LE);
    dv.setUint32(q + 4, 0, LE);
    this.buf[q + 4] = 9;
    q += 8;
    dv.setUint32(q, 0, LE); // opt_endofopt
    dv.setUint32(q + 4, len, LE);
    p += len;
    this.pos = p;
  }
}
