/**
 * netmap's lease protocol for one RX ring of a switch port (REFERENCE.md
 * 1.4; layout in layout/vale-port-layout.ts): several senders reserve
 * disjoint, consecutive slot ranges under a short lock, copy into them
 * without the lock, and publish completed ranges in reservation order, so
 * the receiver sees each sender's packets in order and never a slot still
 * being written.
 *
 * A sender that dies between reserve and complete would hold back the
 * published tail forever. Each record names its sender (owner id and the
 * id's generation); whoever walks the records (a completing sender, the
 * receiver's rxsync when it finds nothing new while a lease is out, or the
 * reaper when the owner's death is reported) pads a dead sender's slots
 * with empty (len 0) slots and completes the lease on its behalf.
 */
import {
  HDR_OWNERS_OFF_I32,
  OWNER_ENTRY_BYTES,
  OWNER_GEN_I32,
  OWNER_LIVE,
  OWNER_STATE_I32,
  IF_NRX_I32,
  IF_NTX_I32,
  IF_RING_TABLE_I32,
  ifWord,
  portDoorbell,
  RING_PIPE_TAIL_I32,
  ringIndexOf,
  RingView,
  SharedLock,
  type Region,
} from '@pktfabric/core';
import {
  LB_HWLEASE_I32,
  LB_LOCK_I32,
  LB_NEXT_I32,
  LB_OLDEST_I32,
  LB_RECORDS_I32,
  LB_RX_HWCUR_I32,
  LEASE_BLOCK_BYTES,
  LEASE_MASK,
  LEASE_PENDING,
  LEASES,
  LR_END,
  LR_GEN,
  LR_OWNER,
  LR_START,
  LR_WORDS,
  VP_LEASE_OFF_I32,
} from './layout/vale-port-layout.js';

/** The lease state of one RX ring, as one thread sees it. Creating it allocates; its methods do not. */
export class LeaseRing {
  readonly region: Region;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  /** Index in i32 of the lease block. */
  readonly lb: number;
  /** Index in i32 of the RX ring. */
  readonly rb: number;
  readonly n: number;
  readonly bufs: number;
  readonly lfs: number;
  readonly shadow: number;
  readonly lock: SharedLock;
  /** Ring object owning the slots (for buffer-owner codes). */
  readonly slotRing: number;
  private readonly ownersBase: number;
  /** Results of reserve() (no allocation): first slot, slots granted. */
  start = 0;
  count = 0;
  private rec = 0;
  private want = 0;
  private used = 0;
  private readonly doReserve: () => number;
  private readonly doComplete: () => boolean;
  private readonly doWalk: () => boolean;

  constructor(region: Region, leaseOff: number, ring: number, view: RingView) {
    this.region = region;
    this.i32 = region.i32;
    this.u32 = region.u32;
    this.lb = (leaseOff + ring * LEASE_BLOCK_BYTES) >>> 2;
    this.rb = view.base;
    this.n = view.numSlots;
    this.bufs = view.bufIdxBase;
    this.lfs = view.lenFlagsBase;
    this.shadow = view.shadowBase;
    this.slotRing = ringIndexOf(region, view.off);
    this.ownersBase = region.i32[HDR_OWNERS_OFF_I32]! >>> 2;
    this.lock = new SharedLock(
      this.i32,
      this.lb + LB_LOCK_I32,
      region.waiter,
      () => region.ownerId,
    );
    this.doReserve = () => this.reserveLocked();
    this.doComplete = () => this.completeLocked();
    this.doWalk = () => this.walk();
  }

  /**
   * Reserves up to `needed` slots; sets `start` and `count` (0 when the ring
   * is full or LEASES leases are out). Takes the lock. Does not allocate.
   */
  reserve(needed: number): number {
    this.want = needed;
    return this.lock.withLock(this.doReserve);
  }

  /**
   * Completes the last reservation with `used` of its slots filled (the
   * rest become empty slots, or are given back when no later lease exists)
   * and publishes what is complete. True when the published tail moved.
   * Takes the lock. Does not allocate.
   */
  complete(used: number): boolean {
    this.used = used;
    return this.lock.withLock(this.doComplete);
  }

  /** Publishes what is complete, padding over dead senders' leases. True when the tail moved. */
  recover(): boolean {
    return this.lock.withLock(this.doWalk);
  }

  /**
   * A hint read without the lock: true when the oldest lease is pending and
   * its sender is gone (then `recover()` pads over it). Does not allocate.
   */
  stalled(): boolean {
    const { i32, lb } = this;
    const oldest = Atomics.load(i32, lb + LB_OLDEST_I32);
    if (oldest === Atomics.load(i32, lb + LB_NEXT_I32)) return false;
    const r = lb + LB_RECORDS_I32 + (oldest & LEASE_MASK) * LR_WORDS;
    return i32[r + LR_END] === LEASE_PENDING && this.dead(r);
  }

  private reserveLocked(): number {
    const { i32, lb, n } = this;
    this.count = 0;
    let next = i32[lb + LB_NEXT_I32]!;
    if (((next - i32[lb + LB_OLDEST_I32]!) | 0) >= LEASES) {
      this.walk();
      if (((next - i32[lb + LB_OLDEST_I32]!) | 0) >= LEASES) return 0;
    }
    // Words of shared memory are masked into the ring before use: a stray
    // store can make the receiver see wrong data, never make us write outside the ring.
    const hwlease = i32[lb + LB_HWLEASE_I32]! & (n - 1);
    const rxh = Atomics.load(i32, lb + LB_RX_HWCUR_I32) & (n - 1);
    const space = n - 1 - ((hwlease - rxh + n) & (n - 1));
    const cnt = this.want < space ? this.want : space;
    if (cnt <= 0) return 0;
    const r = lb + LB_RECORDS_I32 + (next & LEASE_MASK) * LR_WORDS;
    const me = this.region.ownerId;
    i32[r + LR_START] = hwlease;
    i32[r + LR_END] = LEASE_PENDING;
    i32[r + LR_OWNER] = me;
    i32[r + LR_GEN] = i32[this.ownersBase + (me - 1) * (OWNER_ENTRY_BYTES >>> 2) + OWNER_GEN_I32]!;
    this.rec = next;
    next = (next + 1) | 0;
    i32[lb + LB_NEXT_I32] = next;
    Atomics.store(i32, lb + LB_HWLEASE_I32, (hwlease + cnt) & (n - 1));
    this.start = hwlease;
    this.count = cnt;
    return cnt;
  }

  private completeLocked(): boolean {
    const { i32, lb, n } = this;
    const mask = n - 1;
    const r = lb + LB_RECORDS_I32 + (this.rec & LEASE_MASK) * LR_WORDS;
    let end = (this.start + this.used) & mask;
    if (this.used < this.count) {
      const leaseEnd = (this.start + this.count) & mask;
      if (
        (i32[lb + LB_HWLEASE_I32]! & mask) === leaseEnd &&
        ((i32[lb + LB_NEXT_I32]! - 1) | 0) === this.rec
      ) {
        Atomics.store(i32, lb + LB_HWLEASE_I32, end); // the newest lease: give the rest back
      } else {
        this.pad(end, leaseEnd);
        end = leaseEnd;
      }
    }
    i32[r + LR_END] = end;
    return this.walk();
  }

  /** Fills [from, to) with empty slots (the slot's own buffer, len 0, no flags). */
  private pad(from: number, to: number): void {
    const { u32, n } = this;
    from &= n - 1;
    to &= n - 1;
    for (let k = from; k !== to; k = k + 1 === n ? 0 : k + 1) {
      u32[this.bufs + k] = u32[this.shadow + k]!;
      u32[this.lfs + k] = 0;
    }
  }

  /** True when the sender of record `r` is gone (its owner id died, or was freed and reused). */
  private dead(r: number): boolean {
    const { i32 } = this;
    const o = i32[r + LR_OWNER]!;
    if (!(o >= 1 && o <= this.region.owners.capacity)) return true;
    const e = this.ownersBase + (o - 1) * (OWNER_ENTRY_BYTES >>> 2);
    return (
      Atomics.load(i32, e + OWNER_STATE_I32) !== OWNER_LIVE ||
      i32[e + OWNER_GEN_I32] !== i32[r + LR_GEN]
    );
  }

  /** Under the lock: moves the published tail over every completed lease from the oldest on. */
  private walk(): boolean {
    const { i32, lb } = this;
    let oldest = i32[lb + LB_OLDEST_I32]!;
    const next = i32[lb + LB_NEXT_I32]!;
    // More than LEASES outstanding can only be a stray store: forget them all.
    if (((next - oldest) | 0) > LEASES || ((next - oldest) | 0) < 0) oldest = next;
    const tail0 = Atomics.load(i32, this.rb + RING_PIPE_TAIL_I32);
    let tail = tail0;
    while (oldest !== next) {
      const r = lb + LB_RECORDS_I32 + (oldest & LEASE_MASK) * LR_WORDS;
      let end = i32[r + LR_END]!;
      if (end === LEASE_PENDING) {
        if (!this.dead(r)) break;
        // The dead sender's range runs to the next lease's start (or hwlease).
        const nx = (oldest + 1) | 0;
        end =
          nx === next
            ? i32[lb + LB_HWLEASE_I32]!
            : i32[lb + LB_RECORDS_I32 + (nx & LEASE_MASK) * LR_WORDS + LR_START]!;
        this.pad(i32[r + LR_START]!, end);
        i32[r + LR_END] = end;
      }
      tail = end & (this.n - 1);
      oldest = (oldest + 1) | 0;
    }
    i32[lb + LB_OLDEST_I32] = oldest;
    if (tail === tail0) return false;
    Atomics.store(i32, this.rb + RING_PIPE_TAIL_I32, tail);
    return true;
  }

  /** The receiver gives slots back up to `hwcur` (one Atomics.store). */
  release(hwcur: number): void {
    Atomics.store(this.i32, this.lb + LB_RX_HWCUR_I32, hwcur);
  }
}

/**
 * For the reaper: breaks the lease locks dead owner `ownerId` holds on port
 * `ifIdx`'s RX rings and pads over its pending leases (and any other dead
 * sender's), publishing what is complete and waking the port's sleepers.
 * Under the region lock. Allocates.
 */
export function padDeadLeases(region: Region, ifIdx: number, ownerId: number): void {
  const w = (i: number): number => region.i32[ifWord(region, ifIdx, i)]!;
  const nrx = w(IF_NRX_I32);
  const leaseOff = w(VP_LEASE_OFF_I32);
  let moved = false;
  for (let r = 0; r < nrx; r++) {
    const view = new RingView(region, w(IF_RING_TABLE_I32 + w(IF_NTX_I32) + r));
    const lr = new LeaseRing(region, leaseOff, r, view);
    lr.lock.breakIfHeldBy(ownerId);
    if (lr.recover()) moved = true;
  }
  if (moved) portDoorbell(region, ifIdx).ring();
}
