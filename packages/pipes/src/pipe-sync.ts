/**
 * txsync and rxsync of a pipe end (netmap_pipe.c's semantics over a slot
 * array shared by both ends): the pipe's `PortSync` strategy.
 *
 * The sender's TX kring and the receiver's RX kring use the same slots. Each
 * keeps its own head/cur (user) and hwcur/hwtail (kring). The only words one
 * end writes for the other are PIPE_TAIL fields:
 *   - the receiver ring's PIPE_TAIL, stored by the sender's txsync: how far
 *     the receiver may import, always at a complete-packet boundary;
 *   - the sender ring's PIPE_TAIL, stored by the receiver's rxsync: the
 *     sender's new tail, one before the receiver's head (released slots go
 *     back).
 * Each is one `Atomics.store` after the plain slot stores, per sync. Every
 * check of what the user or the peer wrote is the kring's (core).
 */
import {
  IF_STATE_I32,
  ifWord,
  portDoorbell,
  type Notifier,
  PeerCorruptError,
  PORT_CLOSED,
  PORT_DEAD,
  PORT_OPEN,
  RING_PIPE_TAIL_I32,
  ringSpace,
  type DestroyReport,
  type Kring,
  type PortSync,
  type Region,
  type SlotError,
} from '@pktfabric/core';
import { closeEnd, endIf } from './pipe.js';

export class PipeSync implements PortSync {
  private readonly region: Region;
  private readonly i32: Int32Array;
  private readonly peerBell: Notifier;
  private readonly peerStateI32: number;
  private readonly masterIf: number;
  private readonly end: number;

  constructor(
    region: Region,
    masterIf: number,
    end: number,
    peerIf: number,
    links: ReadonlyArray<[Kring, number]>,
  ) {
    this.region = region;
    this.i32 = region.i32;
    this.masterIf = masterIf;
    this.end = end;
    // Each kring's linked ring: the other end's ring that shares its slots.
    for (const [k, peerOff] of links) k.peer = peerOff >>> 2;
    this.peerBell = portDoorbell(region, peerIf, endIf(region, masterIf, end));
    this.peerStateI32 = ifWord(region, peerIf, IF_STATE_I32);
  }

  /**
   * Publishes [hwcur, head) to the peer up to the last complete packet and
   * reclaims what the peer released. True when it published. Throws
   * RingStateError / SlotError (ring reset, nothing published) or
   * PeerCorruptError (bad released tail, ignored). Does not allocate.
   */
  txsync(k: Kring): boolean {
    const head = k.checkHeadCur();
    let published = false;
    if (head !== k.hwcur) {
      const complete = k.checkTx(head);
      k.setHwcur(head);
      if (complete >= 0) {
        Atomics.store(this.i32, k.peer + RING_PIPE_TAIL_I32, complete);
        published = true;
      }
    }
    const pt = this.peerTail(k, head);
    if (pt !== k.hwtail) k.setHwtail(pt);
    return published;
  }

  /**
   * Releases [hwcur, head) to the peer (claiming buffers swapped in with
   * NS_BUF_CHANGED) and imports up to the peer's published tail (checking
   * each new slot). True when it released. Throws RingStateError (ring
   * reset), SlotError (bad slots made harmless, the rest done) or
   * PeerCorruptError (bad tail, nothing imported). Does not allocate when
   * all is well.
   */
  rxsync(k: Kring): boolean {
    const head = k.checkHeadCur();
    let bad: SlotError | null = null;
    let released = false;
    if (head !== k.hwcur) {
      bad = k.checkRelease(head);
      k.setHwcur(head);
      Atomics.store(this.i32, k.peer + RING_PIPE_TAIL_I32, head === 0 ? k.n - 1 : head - 1);
      released = true;
    }
    const pt = this.peerTail(k, head);
    if (pt !== k.hwtail) {
      const e = k.checkImport(k.hwtail, pt);
      if (bad === null) bad = e;
      k.setHwtail(pt);
    }
    if (bad !== null) throw bad;
    return released;
  }

  /**
   * The tail the peer published for this ring (PIPE_TAIL), checked: it may
   * only move forward from hwtail, at most to one before head (one slot
   * stays empty). Throws PeerCorruptError, leaving the ring as it was.
   */
  private peerTail(k: Kring, head: number): number {
    const n = k.n;
    const hwtail = k.hwtail;
    const pt = Atomics.load(this.i32, k.b + RING_PIPE_TAIL_I32);
    if (pt === hwtail) return pt;
    const lim = head === 0 ? n - 1 : head - 1;
    if (pt >>> 0 >= n || ringSpace(hwtail, pt, n) > ringSpace(hwtail, lim, n)) {
      k.countError();
      throw new PeerCorruptError(k.label, pt, `[${hwtail}, ${lim}] (circular, of ${n})`);
    }
    return pt;
  }

  pending(k: Kring): boolean {
    return Atomics.load(this.i32, k.b + RING_PIPE_TAIL_I32) !== k.hwtail;
  }

  wakePeer(): void {
    this.peerBell.ring();
  }

  hungUp(): boolean {
    const s = Atomics.load(this.i32, this.peerStateI32);
    return s === PORT_CLOSED || s === PORT_DEAD;
  }

  peerOpen(): boolean {
    return Atomics.load(this.i32, this.peerStateI32) === PORT_OPEN;
  }

  close(): DestroyReport | null {
    return closeEnd(this.region, this.masterIf, this.end);
  }
}
