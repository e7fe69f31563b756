/**
 * Forwarding, run in the sender's txsync (netmap's nm_vale_preflush /
 * nm_vale_flush): take up to VALE_BATCH slots of whole packets, look each
 * packet up, thread the packets onto one list per destination port (and
 * one broadcast list), then for each destination reserve room in its RX
 * ring (lease.ts), copy outside the lock, and publish. Unicast and
 * broadcast packets for one destination are merged in the order they were
 * sent. No room means drop, counted on the destination (RX_DROPS).
 *
 * One Forwarder per open switch port per thread. It caches what it knows
 * of the other ports and re-reads the switch's port table when the switch's
 * generation word changes. Nothing here allocates per packet; a change of
 * the switch's ports allocates the new ports' lease views once.
 */
import {
  ifWord,
  IF_KIND_I32,
  IF_MAGIC_I32,
  PORT_KIND_VALE,
  PORT_MAGIC,
  RING_OWNER_IF_I32,
  IF_NRX_I32,
  IF_NTX_I32,
  IF_RING_TABLE_I32,
  type Kring,
  type Notifier,
  NS_MOREFRAG,
  portDoorbell,
  type Region,
  RingView,
  copyRegionBytes,
} from '@pktfabric/core';
import { BROADCAST, DROP, MAX_VALE_RINGS, VALE_BATCH, type Frame, type LookupFn } from './api.js';
import { LookupError } from './errors.js';
import { LeaseRing } from './lease.js';
import { learn, localLookup } from './lookup.js';
import {
  SWITCH_MAX_PORTS,
  SWITCH_PORTS,
  SW_GEN_I32,
  SW_LOOKUP_CUSTOM_I32,
  SW_PORT_TABLE_I32,
} from './layout/switch-layout.js';
import {
  VP_ACTIVE_I32,
  VP_ATTACHED,
  VP_LEASE_OFF_I32,
  VP_PORT_NO_I32,
  VP_SWITCH_OFF_I32,
  VP_RX_BYTES_I32,
  VP_RX_DROPS_I32,
  VP_RX_PKTS_I32,
  VP_STATE_I32,
  VP_TX_BYTES_I32,
  VP_TX_DROPS_I32,
  VP_TX_PKTS_I32,
} from './layout/vale-port-layout.js';

const ETH_HDR_BYTES = 14;
const MOREFRAG_HI = NS_MOREFRAG << 16;
/** Packets (and slots) of one pass: a batch plus one packet of up to 64 fragments. */
const SCRATCH = VALE_BATCH + 64;

export class Forwarder {
  private readonly region: Region;
  private readonly i32: Int32Array;
  private readonly u32: Uint32Array;
  private readonly u8: Uint8Array;
  private readonly sb: number;
  private readonly src: number;
  private readonly srcIf: number;
  readonly switchName: string;
  private gen = -1;
  /** Per port number: the if index seen at the last refresh (0 none), its RX lease views and doorbell. */
  private readonly dstIf = new Int32Array(SWITCH_PORTS);
  private readonly dstRings: LeaseRing[][] = [];
  private readonly dstBell: (Notifier | null)[] = [];
  private readonly active = new Int32Array(SWITCH_PORTS);
  private nActive = 0;
  // Scratch of one pass.
  private readonly pSlot = new Int32Array(SCRATCH);
  private readonly pFrags = new Int32Array(SCRATCH);
  private readonly pBytes = new Int32Array(SCRATCH);
  private readonly pNext = new Int32Array(SCRATCH);
  private readonly uHead = new Int32Array(SWITCH_PORTS).fill(-1);
  private readonly uTail = new Int32Array(SWITCH_PORTS);
  private readonly uSlots = new Int32Array(SWITCH_PORTS);
  private readonly uPkts = new Int32Array(SWITCH_PORTS);
  private readonly touched = new Int32Array(SWITCH_PORTS);
  private readonly frame: Frame;
  private lookupFn: LookupFn | undefined;

  constructor(region: Region, swOff: number, switchName: string, src: number, srcIf: number) {
    this.region = region;
    this.i32 = region.i32;
    this.u32 = region.u32;
    this.u8 = region.u8;
    this.sb = swOff >>> 2;
    this.src = src;
    this.srcIf = srcIf;
    this.switchName = switchName;
    for (let p = 0; p < SWITCH_PORTS; p++) {
      this.dstRings.push([]);
      this.dstBell.push(null);
    }
    this.frame = { data: region.u8, offset: 0, length: 0 };
  }

  /** Re-reads the port table when the switch's ports changed. Allocates only then. */
  private refresh(): void {
    const g = Atomics.load(this.i32, this.sb + SW_GEN_I32);
    if (g === this.gen) return;
    this.gen = g;
    const region = this.region;
    let na = 0;
    for (let p = 0; p < SWITCH_MAX_PORTS; p++) {
      let ifIdx = Atomics.load(this.i32, this.sb + SW_PORT_TABLE_I32 + p);
      if (ifIdx !== 0 && !this.validPort(ifIdx, p)) ifIdx = 0;
      if (ifIdx !== this.dstIf[p]) {
        this.dstIf[p] = ifIdx;
        const rings: LeaseRing[] = [];
        if (ifIdx !== 0) {
          const w = (i: number): number => this.i32[ifWord(region, ifIdx, i)]!;
          const ntx = w(IF_NTX_I32);
          for (let r = 0; r < w(IF_NRX_I32); r++)
            rings.push(
              new LeaseRing(
                region,
                w(VP_LEASE_OFF_I32),
                r,
                new RingView(region, w(IF_RING_TABLE_I32 + ntx + r)),
              ),
            );
        }
        this.dstRings[p] = rings;
        this.dstBell[p] = ifIdx === 0 ? null : portDoorbell(region, ifIdx, this.srcIf);
      }
      if (ifIdx !== 0) this.active[na++] = p;
    }
    this.nActive = na;
  }

  /**
   * True when if object `ifIdx` is a switch port of this switch numbered
   * `p` whose rings are ring objects of the region: a port-table entry
   * overwritten by a stray store is ignored rather than written through.
   */
  private validPort(ifIdx: number, p: number): boolean {
    const region = this.region;
    if (!(ifIdx >= 1 && ifIdx < region.ifCount) || region.ifPool.isFree(ifIdx)) return false;
    const w = (i: number): number => this.i32[ifWord(region, ifIdx, i)]!;
    if (w(IF_MAGIC_I32) !== PORT_MAGIC || w(IF_KIND_I32) !== PORT_KIND_VALE) return false;
    if (w(VP_SWITCH_OFF_I32) !== this.sb << 2 || w(VP_PORT_NO_I32) !== p) return false;
    const nrx = w(IF_NRX_I32);
    const ntx = w(IF_NTX_I32);
    if (!(nrx >= 1 && nrx <= MAX_VALE_RINGS && ntx === nrx)) return false;
    const ok = (off: number): boolean => {
      const k = (off - region.ringBase) / region.ringSize;
      return Number.isInteger(k) && k >= 1 && k < region.ringCount && !region.ringPool.isFree(k);
    };
    if (!ok(w(VP_LEASE_OFF_I32))) return false;
    for (let r = 0; r < nrx; r++) {
      const off = w(IF_RING_TABLE_I32 + ntx + r);
      if (!ok(off) || this.i32[(off >>> 2) + RING_OWNER_IF_I32] !== ifIdx) return false;
    }
    return true;
  }

  /** Enters port `p` for delivery: false when it left the switch (then nothing is written to it). */
  private enter(p: number): boolean {
    const i32 = this.i32;
    const ifIdx = this.dstIf[p]!;
    if (Atomics.load(i32, this.sb + SW_PORT_TABLE_I32 + p) !== ifIdx) return false;
    const a = ifWord(this.region, ifIdx, VP_ACTIVE_I32);
    Atomics.add(i32, a, 1);
    if (
      Atomics.load(i32, this.sb + SW_PORT_TABLE_I32 + p) !== ifIdx ||
      Atomics.load(i32, ifWord(this.region, ifIdx, VP_STATE_I32)) !== VP_ATTACHED
    ) {
      Atomics.sub(i32, a, 1);
      return false;
    }
    return true;
  }

  private leave(p: number): void {
    const a = ifWord(this.region, this.dstIf[p]!, VP_ACTIVE_I32);
    if (Atomics.sub(this.i32, a, 1) === 1) this.region.waiter.wake(this.i32, a);
  }

  /**
   * Forwards the whole packets in [from, to) of TX kring `k` (checked by
   * the caller's checkTx). Returns null, or the LookupError of a user lookup
   * that threw (the rest of that pass was dropped and counted). Does not
   * allocate per packet.
   */
  forward(k: Kring, from: number, to: number): LookupError | null {
    this.refresh();
    if (Atomics.load(this.i32, this.sb + SW_LOOKUP_CUSTOM_I32) === 1) {
      this.lookupFn = localLookup(this.region, this.switchName);
      if (this.lookupFn === undefined) {
        // Nothing can be forwarded correctly in this thread: drop and say why.
        let pk = 0;
        for (let s = from; s !== to; s = s + 1 === k.n ? 0 : s + 1)
          if ((this.u32[k.lfs + s]! & MOREFRAG_HI) === 0) pk++;
        this.count(VP_TX_PKTS_I32, pk, VP_TX_DROPS_I32, pk, 0);
        return new LookupError(
          this.switchName,
          'is a user function on this switch; call setLookup in this thread before sending',
        );
      }
    } else this.lookupFn = undefined;
    let err: LookupError | null = null;
    let s = from;
    while (s !== to) {
      s = this.pass(k, s, to);
      if (this.passError !== null) err ??= this.passError;
    }
    return err;
  }

  private passError: LookupError | null = null;

  /** One pass over up to VALE_BATCH slots from `s`; returns where it stopped. */
  private pass(k: Kring, s: number, to: number): number {
    this.passError = null;
    const { u32, u8 } = this;
    const region = this.region;
    const n = k.n;
    const lfs = k.lfs;
    const bufs = k.bufs;
    const bufBase = region.bufBase;
    const bufSize = region.bufSize;
    const bufCount = region.bufCount;
    const offMask = k.offMask;
    // Gather whole packets.
    let np = 0;
    let slots = 0;
    while (s !== to && slots < VALE_BATCH) {
      const first = s;
      let frags = 1;
      let bytes = u32[lfs + s]! & 0xffff;
      while ((u32[lfs + s]! & MOREFRAG_HI) !== 0) {
        s = s + 1 === n ? 0 : s + 1;
        frags++;
        bytes += u32[lfs + s]! & 0xffff;
      }
      s = s + 1 === n ? 0 : s + 1;
      this.pSlot[np] = first;
      this.pFrags[np] = frags;
      this.pBytes[np] = bytes;
      np++;
      slots += frags;
    }
    // Look up and thread onto per-destination lists.
    const src = this.src;
    let nt = 0;
    let bHead = -1;
    let bTail = -1;
    let bSlots = 0;
    let bPkts = 0;
    let txDrops = 0;
    let txBytes = 0;
    const fn = this.lookupFn;
    const frame = this.frame;
    for (let p = 0; p < np; p++) {
      const fs = this.pSlot[p]!;
      txBytes += this.pBytes[p]!;
      let bi = u32[bufs + fs]!;
      if (bi >= bufCount) bi = 0;
      const off = offMask === 0 ? 0 : u32[k.ptrs + fs]! & offMask;
      const len = u32[lfs + fs]! & 0xffff;
      let dst: number = DROP;
      if (len >= ETH_HDR_BYTES && len + off <= bufSize) {
        const at = bufBase + bi * bufSize + off;
        if (fn === undefined) dst = learn(this.i32, u8, this.sb, at, src);
        else {
          frame.offset = at;
          frame.length = len;
          try {
            dst = fn(frame, src);
          } catch (e) {
            this.passError = new LookupError(this.switchName, 'threw', e);
            txDrops += np - p;
            break;
          }
          if (!(
            dst === BROADCAST ||
            dst === DROP ||
            (Number.isInteger(dst) && dst >= 0 && dst < SWITCH_MAX_PORTS)
          )) {
            this.passError ??= new LookupError(
              this.switchName,
              `returned ${String(dst)}: a port number 0 .. ${SWITCH_MAX_PORTS - 1}, BROADCAST or DROP`,
            );
            dst = DROP;
          }
        }
      }
      this.pNext[p] = -1;
      if (dst === BROADCAST) {
        if (bTail < 0) bHead = p;
        else this.pNext[bTail] = p;
        bTail = p;
        bSlots += this.pFrags[p]!;
        bPkts++;
      } else if (dst !== DROP && dst !== src && this.dstIf[dst] !== 0) {
        if (this.uHead[dst]! < 0) {
          this.uHead[dst] = p;
          this.uSlots[dst] = 0;
          this.uPkts[dst] = 0;
          this.touched[nt++] = dst;
        } else this.pNext[this.uTail[dst]!] = p;
        this.uTail[dst] = p;
        this.uSlots[dst]! += this.pFrags[p]!;
        this.uPkts[dst]!++;
      } else txDrops++;
    }
    this.count(VP_TX_PKTS_I32, np, VP_TX_DROPS_I32, txDrops, txBytes);
    // Deliver: every other port when something floods, else the ports touched.
    const srcRing = k.ring.ringId;
    if (bHead >= 0) {
      for (let a = 0; a < this.nActive; a++) {
        const d = this.active[a]!;
        if (d !== src) this.deliver(k, d, srcRing, bHead, bSlots, bPkts);
      }
      for (let t = 0; t < nt; t++) {
        const d = this.touched[t]!;
        if (this.uHead[d]! >= 0) this.deliver(k, d, srcRing, -1, 0, 0); // not active any more
      }
    } else {
      for (let t = 0; t < nt; t++) this.deliver(k, this.touched[t]!, srcRing, -1, 0, 0);
    }
    return s;
  }

  /** Delivers port `d`'s unicast list merged with the broadcast list (from `bHead`). */
  private deliver(
    k: Kring,
    d: number,
    srcRing: number,
    bHead: number,
    bSlots: number,
    bPkts: number,
  ): void {
    let iu = this.uHead[d]!;
    const uSlots = iu >= 0 ? this.uSlots[d]! : 0;
    const total = (iu >= 0 ? this.uPkts[d]! : 0) + bPkts;
    this.uHead[d] = -1;
    if (total === 0) return;
    const rings = this.dstRings[d]!;
    if (rings.length === 0 || !this.enter(d)) {
      this.countPort(this.srcIf, VP_TX_DROPS_I32, total);
      return;
    }
    const lr = rings[srcRing < rings.length ? srcRing : srcRing % rings.length]!;
    const cnt = lr.reserve(uSlots + bSlots);
    let delivered = 0;
    let bytes = 0;
    let left = cnt;
    if (cnt > 0) {
      const { u32, u8 } = this;
      const region = this.region;
      const bufBase = region.bufBase;
      const bufSize = region.bufSize;
      const bufCount = region.bufCount;
      const sn = k.n;
      const sBufs = k.bufs;
      const sLfs = k.lfs;
      const offMask = k.offMask;
      const dn = lr.n;
      const dBufs = lr.bufs;
      const dLfs = lr.lfs;
      const dShadow = lr.shadow;
      let slot = lr.start;
      let ib = bHead;
      while (iu >= 0 || ib >= 0) {
        let p: number;
        if (ib < 0 || (iu >= 0 && iu < ib)) {
          p = iu;
          iu = this.pNext[iu]!;
        } else {
          p = ib;
          ib = this.pNext[ib]!;
        }
        const frags = this.pFrags[p]!;
        if (frags > left) break;
        let ss = this.pSlot[p]!;
        for (let f = 0; f < frags; f++) {
          let sbi = u32[sBufs + ss]!;
          if (sbi >= bufCount) sbi = 0;
          const lf = u32[sLfs + ss]!;
          const soff = offMask === 0 ? 0 : u32[k.ptrs + ss]! & offMask;
          let len = lf & 0xffff;
          const dbi = u32[dShadow + slot]!;
          if (len + soff > bufSize || dbi === 0) len = 0;
          else {
            const from = bufBase + sbi * bufSize + soff;
            copyRegionBytes(u8, u32, bufBase + dbi * bufSize, from, len);
          }
          u32[dBufs + slot] = dbi;
          u32[dLfs + slot] = f + 1 < frags ? len | MOREFRAG_HI : len;
          slot = slot + 1 === dn ? 0 : slot + 1;
          ss = ss + 1 === sn ? 0 : ss + 1;
        }
        left -= frags;
        delivered++;
        bytes += this.pBytes[p]!;
      }
      if (lr.complete(cnt - left)) this.dstBell[d]!.ring();
    }
    const ifIdx = this.dstIf[d]!;
    this.countPortTo(ifIdx, delivered, total - delivered, bytes);
    this.leave(d);
  }

  private count(pk: number, npk: number, dr: number, ndr: number, bytes: number): void {
    const w = ifWord(this.region, this.srcIf, 0);
    if (npk !== 0) Atomics.add(this.i32, w + pk, npk);
    if (ndr !== 0) Atomics.add(this.i32, w + dr, ndr);
    if (bytes !== 0) Atomics.add(this.i32, w + VP_TX_BYTES_I32, bytes);
  }

  private countPort(ifIdx: number, field: number, v: number): void {
    if (v !== 0) Atomics.add(this.i32, ifWord(this.region, ifIdx, field), v);
  }

  private countPortTo(ifIdx: number, pkts: number, drops: number, bytes: number): void {
    const w = ifWord(this.region, ifIdx, 0);
    if (pkts !== 0) {
      Atomics.add(this.i32, w + VP_RX_PKTS_I32, pkts);
      Atomics.add(this.i32, w + VP_RX_BYTES_I32, bytes);
    }
    if (drops !== 0) Atomics.add(this.i32, w + VP_RX_DROPS_I32, drops);
  }
}
