/**
 * The byte sink of the capture rows (capture.ts): it reads back every pcap
 * record the CLI's CaptureWriter flushes through it, folding each frame's
 * checksum from the file's own bytes (the stamp in the frame's first 32-bit
 * word plus the record's captured length, as FrameWork folds it), then
 * hands the chunk on. So the receiver reports the frames that reached the
 * file, and a frame the capture lost, cut or garbled fails the run.
 *
 * A file of bounded size: past `capBytes` the file descriptor (opened with
 * O_APPEND) is truncated to 0 before the next chunk, so a capture at GB/s on
 * tmpfs does not fill /dev/shm; every page is still allocated afresh as it
 * is written, as in a file that grows.
 *
 * Per chunk (the writer flushes about 1 MiB at a time): one pass over the
 * record heads and one DataView; nothing allocated per packet. Records may
 * straddle chunks.
 */
import { ftruncateSync } from 'node:fs';
import { frameChecksum } from '../packet-work.js';

/** What CaptureWriter writes to (package pktfabric's ByteSink). */
export interface ChunkSink {
  write(chunk: Uint8Array): void;
  close(): void;
}

/** Bytes of a pcap file header and of a record header. */
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
/** A record header and the frame's stamp: what the check reads of each record. */
const HEAD_BYTES = RECORD_HEADER_BYTES + 4;

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class CheckingSink implements ChunkSink {
  /** Records read back, and the fold of their checksums. */
  packets = 0;
  checksum = 0;
  /** Bytes of the current record (or of the file header) still to skip. */
  private skip = FILE_HEADER_BYTES;
  /** A record's head split across two chunks. */
  private readonly head = new Uint8Array(HEAD_BYTES);
  private readonly headView = new DataView(this.head.buffer);
  private have = 0;
  private written = 0;

  /**
   * `inner`: where the bytes go. `fd` and `capBytes`: the file descriptor
   * `inner` writes to (opened with O_APPEND) and the size past which it is
   * truncated to 0; without them nothing is truncated.
   */
  constructor(
    private readonly inner: ChunkSink,
    private readonly fd = -1,
    private readonly capBytes = Infinity,
  ) {}

  write(chunk: Uint8Array): void {
    this.scan(chunk);
    if (this.written + chunk.length > this.capBytes) {
      ftruncateSync(this.fd, 0);
      this.written = 0;
    }
    this.inner.write(chunk);
    this.written += chunk.length;
  }

  close(): void {
    if (this.skip !== 0 || this.have !== 0)
      throw new Error(`capture file ends inside a record (${this.packets} whole records)`);
    this.inner.close();
  }

  /** Reads the record heads in `chunk`; folds each frame's checksum. */
  private scan(chunk: Uint8Array): void {
    const n = chunk.length;
    const dv = new DataView(chunk.buffer, chunk.byteOffset, n);
    let p = 0;
    while (p < n) {
      if (this.skip > 0) {
        const k = Math.min(this.skip, n - p);
        this.skip -= k;
        p += k;
        continue;
      }
      if (this.have === 0 && p + HEAD_BYTES <= n) {
        this.record(dv, p);
        p += HEAD_BYTES;
        continue;
      }
      // A head split across chunks: gather it.
      const k = Math.min(HEAD_BYTES - this.have, n - p);
      this.head.set(chunk.subarray(p, p + k), this.have);
      this.have += k;
      p += k;
      if (this.have === HEAD_BYTES) {
        this.have = 0;
        this.record(this.headView, 0);
      }
    }
  }

  /** One record whose head (header and stamp) is at `p` of `dv`. */
  private record(dv: DataView, p: number): void {
    const cap = dv.getUint32(p + 8, LE);
    if (cap < 4) throw new Error(`capture record ${this.packets + 1}: ${cap} bytes, no stamp`);
    const stamp = dv.getUint32(p + RECORD_HEADER_BYTES, LE);
    this.checksum = (this.checksum + frameChecksum(stamp, cap)) | 0;
    this.packets++;
    this.skip = cap - 4;
  }
}
