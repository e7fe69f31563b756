/**
 * Reading a port's received packets straight from its RX rings into a
 * capture file, with no allocation per packet: what each slot holds (buffer,
 * len, offset) comes from the kring's validated copy (checks 'slots'), or
 * from the ring clamped to the buffer (checks 'ring'), never from a second
 * read a peer could have changed; the bytes are copied with Buffer.copy from
 * a Buffer view of the region made once. A packet over several slots
 * (NS_MOREFRAG) is gathered in a scratch buffer first. The slots taken are
 * given back by the port's next rxsync (head and cur are moved past them).
 */
import { NS_MOREFRAG, ringNext, SLOT_LEN_MAX, type Kring, type Port } from '@pktfabric/core';
import type { CaptureWriter } from '../pcap/write.js';

const MOREFRAG_HI = NS_MOREFRAG << 16;

export class RxReader {
  private readonly src: Buffer;
  private readonly scratch: Buffer;
  private readonly u32: Uint32Array;
  private readonly bufBase: number;
  private readonly bufSize: number;
  /** Bytes and packets cut to the snap length by the last drain. */
  bytes = 0;
  snapped = 0;

  constructor(private readonly port: Port) {
    const r = port.region;
    this.src = Buffer.from(r.sab, 0, r.sab.byteLength);
    this.scratch = Buffer.alloc(port.rxKrings.length > 0 ? port.maxPacketBytes : 0);
    this.u32 = r.u32;
    this.bufBase = r.bufBase;
    this.bufSize = r.bufSize;
  }

  /** True when an RX ring has slots from cur to tail. */
  ready(): boolean {
    for (const k of this.port.rxKrings) if (k.ring.cur !== k.hwtail) return true;
    return false;
  }

  /** Writes up to `max` packets into `writer`; returns how many. Does not allocate. */
  drain(writer: CaptureWriter, max: number): number {
    this.bytes = 0;
    this.snapped = 0;
    let taken = 0;
    for (const k of this.port.rxKrings) {
      const rv = k.ring;
      let h = rv.cur;
      const t = k.hwtail;
      while (h !== t && taken < max) {
        const next = this.packet(k, h, t, writer);
        if (next < 0) break; // an unfinished packet: leave it for the next sync
        h = next;
        taken++;
      }
      rv.head = h;
      rv.cur = h;
    }
    return taken;
  }

  /** Writes the packet starting at slot `h`; returns the slot after it, or -1 if it does not end before `t`. */
  private packet(k: Kring, h: number, t: number, writer: CaptureWriter): number {
    const n = k.n;
    let lf = this.slot(k, h);
    if ((lf & MOREFRAG_HI) === 0) {
      const len = this.len;
      writer.recordFrom(this.src, this.at, len);
      this.count(len, writer);
      return ringNext(h, n);
    }
    // Several slots: gather them (at most MAX_FRAGS buffers, which maxPacketBytes covers).
    let total = 0;
    let s = h;
    for (;;) {
      if (s === t) return -1;
      lf = this.slot(k, s);
      const len = Math.min(this.len, this.scratch.length - total);
      this.src.copy(this.scratch, total, this.at, this.at + len);
      total += len;
      s = ringNext(s, n);
      if ((lf & MOREFRAG_HI) === 0) break;
    }
    writer.recordFrom(this.scratch, 0, total);
    this.count(total, writer);
    return s;
  }

  private count(len: number, writer: CaptureWriter): void {
    this.bytes += len;
    if (len > writer.snapLen) this.snapped++;
  }

  /** Byte offset in the region and length of slot `i`'s data, set by slot(). */
  private at = 0;
  private len = 0;

  /** Looks up slot `i` (validated values when the port checks slots); sets at and len; returns its len|flags. */
  private slot(k: Kring, i: number): number {
    let bi: number;
    let lf: number;
    let off: number;
    if (k.checks === 'slots') {
      bi = k.vBuf[i]!;
      lf = k.vLenFlags[i]!;
      off = k.offMask === 0 ? 0 : k.vOff[i]!;
    } else {
      bi = this.u32[k.bufs + i]!;
      lf = this.u32[k.lfs + i]!;
      off = k.offMask === 0 ? 0 : this.u32[k.ptrs + i]! & k.offMask;
      if (off > this.bufSize || !k.region.validBuf(bi)) {
        this.at = 0;
        this.len = 0;
        return lf;
      }
    }
    const len = lf & SLOT_LEN_MAX;
    this.at = this.bufBase + bi * this.bufSize + off;
    this.len = len + off > this.bufSize ? this.bufSize - off : len;
    return lf;
  }
}
