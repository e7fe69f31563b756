/**
 * txsync and rxsync of a switch port: its `PortSync` strategy (core's
 * port.ts).
 *
 * txsync checks what the user queued (core's kring checks), forwards the
 * whole packets through the switch (forward.ts) and hands every forwarded
 * slot straight back: the data was copied, so, as in netmap, tail moves to
 * one before the first slot not yet forwarded (a packet whose last
 * fragment is not queued yet waits for it).
 *
 * rxsync gives back [hwcur, head) (one Atomics.store of the lease block's
 * RX_HWCUR) and imports up to the tail the senders published (the RX
 * ring's PIPE_TAIL word), checking each slot as a pipe receiver does.
 */
import {
  IF_MONITORS_I32,
  ifWord,
  PeerCorruptError,
  RING_PIPE_TAIL_I32,
  ringSpace,
  type DestroyReport,
  type Kring,
  type PortSync,
  type Region,
  type SlotError,
} from '@pktfabric/core';
import { Forwarder } from './forward.js';
import { LeaseRing } from './lease.js';
import { closeValeEnd } from './switch.js';

/**
 * Zero-copy monitors of a switch port take its forwarded TX slots right
 * after forwarding (monitor.ts installs this; vale-sync cannot import it).
 */
export type ZeroCopyTx = (
  region: Region,
  ifIdx: number,
  k: Kring,
  r: number,
  from: number,
  to: number,
) => void;
let zeroCopyTx: ZeroCopyTx | null = null;
export function setZeroCopyTx(fn: ZeroCopyTx): void {
  zeroCopyTx = fn;
}

export class ValeSync implements PortSync {
  protected readonly region: Region;
  private readonly i32: Int32Array;
  /** The forwarder of a switch port; null for a monitor (no TX rings). */
  readonly fwd: Forwarder | null;
  private readonly ifIdx: number;
  private readonly name: string;
  /** Per TX ring: the first slot not forwarded yet. */
  private readonly fwdStart: Int32Array;
  /** Per RX ring: its lease view. */
  private readonly leases: LeaseRing[];
  private readonly txIndex = new Map<Kring, number>();
  private readonly monI32: number;
  private readonly rxIndex = new Map<Kring, number>();

  constructor(
    region: Region,
    ifIdx: number,
    name: string,
    fwd: Forwarder | null,
    tx: readonly Kring[],
    rx: readonly Kring[],
    leaseOff: number,
  ) {
    this.region = region;
    this.i32 = region.i32;
    this.ifIdx = ifIdx;
    this.name = name;
    this.fwd = fwd;
    this.monI32 = ifWord(region, ifIdx, IF_MONITORS_I32);
    this.fwdStart = new Int32Array(tx.length);
    tx.forEach((k, r) => {
      this.txIndex.set(k, r);
      // Re-opened: whatever was handed over before is forwarded.
      this.fwdStart[r] = k.hwcur;
    });
    this.leases = rx.map((k, r) => {
      this.rxIndex.set(k, r);
      return new LeaseRing(region, leaseOff, r, k.ring);
    });
  }

  /**
   * Checks [hwcur, head), forwards its whole packets, and reclaims them at
   * once. Throws RingStateError / SlotError (ring reset, nothing forwarded)
   * or LookupError (a user lookup threw: that pass was dropped and counted;
   * the ring moves on). Never wakes anyone itself: each destination is woken
   * as its packets are published. Does not allocate per packet.
   */
  txsync(k: Kring): boolean {
    const head = k.checkHeadCur();
    const r = this.txIndex.get(k)!;
    let err = null;
    if (head !== k.hwcur) {
      const complete = k.checkTx(head);
      k.setHwcur(head);
      const from = this.fwdStart[r]!;
      if (complete >= 0 && complete !== from && this.fwd !== null) {
        err = this.fwd.forward(k, from, complete);
        this.fwdStart[r] = complete;
        if (this.i32[this.monI32] !== 0)
          zeroCopyTx?.(this.region, this.ifIdx, k, r, from, complete);
      }
    }
    const f = this.fwdStart[r]!;
    const tail = f === 0 ? k.n - 1 : f - 1;
    if (tail !== k.hwtail) k.setHwtail(tail);
    if (err !== null) throw err;
    return false;
  }

  /**
   * Gives [hwcur, head) back (claiming buffers swapped in with
   * NS_BUF_CHANGED) and imports what the senders published. When nothing is
   * new and the oldest lease's sender is gone, pads over it first. Throws
   * RingStateError, SlotError or PeerCorruptError. Does not allocate when
   * all is well.
   */
  rxsync(k: Kring): boolean {
    const head = k.checkHeadCur();
    const lr = this.leases[this.rxIndex.get(k)!]!;
    let bad: SlotError | null = null;
    if (head !== k.hwcur) {
      bad = k.checkRelease(head);
      k.setHwcur(head);
      lr.release(head);
    }
    let pt = Atomics.load(this.i32, k.b + RING_PIPE_TAIL_I32);
    if (pt === k.hwtail && lr.stalled()) {
      lr.recover();
      pt = Atomics.load(this.i32, k.b + RING_PIPE_TAIL_I32);
    }
    if (pt !== k.hwtail) {
      const n = k.n;
      const lim = head === 0 ? n - 1 : head - 1;
      if (pt >>> 0 >= n || ringSpace(k.hwtail, pt, n) > ringSpace(k.hwtail, lim, n)) {
        k.errors++;
        throw new PeerCorruptError(k.label, pt, `[${k.hwtail}, ${lim}] (circular, of ${n})`);
      }
      const e = k.checkImport(k.hwtail, pt);
      if (bad === null) bad = e;
      k.setHwtail(pt);
    }
    if (bad !== null) throw bad;
    return false;
  }

  pending(k: Kring): boolean {
    if (!this.rxIndex.has(k)) return false;
    return Atomics.load(this.i32, k.b + RING_PIPE_TAIL_I32) !== k.hwtail;
  }

  wakePeer(): void {}

  hungUp(): boolean {
    return false;
  }

  peerOpen(): boolean {
    return true;
  }

  close(): DestroyReport | null {
    return closeValeEnd(this.region, this.ifIdx, this.name);
  }
}
