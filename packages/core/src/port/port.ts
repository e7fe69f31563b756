/**
 * One open port: its krings, txsync / rxsync / poll, its doorbell, extra
 * buffers and close, written once for every port kind. A kind supplies a
 * `PortSync` strategy (what "publish" and "import" mean for it: a pipe links
 * two rings; a switch port forwards) and everything else here works the same.
 * The packet layer (send / recv / batches / iteration / streams) is in
 * packet-io.ts, also written once against this class.
 */
import { ClosedError, OptionError } from '../errors.js';
import type { Notifier } from '../notify.js';
import type { Region } from '../region.js';
import type { RingView } from '../ring.js';
import {
  IF_EXTRA_COUNT_I32,
  IF_EXTRA_HEAD_I32,
  IF_MON_UNSERVED_I32,
  IF_MONITORS_I32,
} from '../layout/port-layout.js';
import {
  CLAIM_OK,
  CLAIM_REASONS,
  claimFromOwnSlot,
  extraOwnerCode,
  takenOwnerCode,
} from '../buf-owner.js';
import type { Kring } from './kring.js';
import {
  POLL_SPIN,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  checkOpenOptions,
  type DestroyReport,
  type PortDescriptor,
} from './port-api.js';
import { ifWord, portDoorbell } from './if-object.js';
import { reapDeadProcesses } from '../seams/owners.js';
import * as io from './packet-io.js';

/** Longest single sleep inside poll; it re-checks the other side's state after each. */
export const SLEEP_SLICE_MS = 250;

/** What a port kind supplies: its two syncs, a peek, a wake-up, hang-up and close. */
export interface PortSync {
  /** txsync of one TX kring: check, publish, reclaim. True when the other side should be woken. */
  txsync(k: Kring): boolean;
  /** rxsync of one RX kring: give back, check, import. True when the other side should be woken. */
  rxsync(k: Kring): boolean;
  /** True when the other side published something kring `k` has not synced (a cheap peek while spinning). */
  pending(k: Kring): boolean;
  /** Wakes the other side's sleepers, if any sleep (once per batch). */
  wakePeer(): void;
  /** True once the other side is gone for good (POLLHUP). */
  hungUp(): boolean;
  /** True while the other side is open. */
  peerOpen(): boolean;
  /** Closes this open of the port; returns the destroy report if the port's rings went back. */
  close(): DestroyReport | null;
}

/**
 * What a monitor kind runs around the syncs of a port that has monitors
 * (its if object's MONITORS word is not 0): `tx` before a txsync (the
 * slots about to be sent), `rxBefore` / `rxAfter` around an rxsync (the
 * slots it imported). `ring` is -1 for every ring.
 */
export interface MonitorHook {
  tx(port: Port, ring: number): void;
  rxBefore(port: Port, ring: number): void;
  rxAfter(port: Port, ring: number): void;
}

let monitorHook: MonitorHook | null = null;

/** The installed monitor hook, or null (a process that never loaded the monitor kind). */
export function getMonitorHook(): MonitorHook | null {
  return monitorHook;
}

/** Installs the monitor kind's hook (one per process; later calls replace it). */
export function setMonitorHook(hook: MonitorHook | null): void {
  monitorHook = hook;
}

export interface PortInit {
  region: Region;
  name: string;
  ifIdx: number;
  tx: Kring[];
  rx: Kring[];
  sync: PortSync;
  spin?: number;
}

export class Port {
  readonly region: Region;
  /** The name it was opened with, e.g. `pipe{3`. */
  readonly name: string;
  /** Index of the port's if object. */
  readonly ifIdx: number;
  /** TX krings (library state) and their rings (what the user writes). */
  readonly txKrings: readonly Kring[];
  readonly rxKrings: readonly Kring[];
  readonly txRings: readonly RingView[];
  readonly rxRings: readonly RingView[];
  /** The last error a poll() turned into POLLERR (sync errors are thrown by txsync/rxsync). */
  lastError: Error | null = null;
  /** The port's doorbell: its sleepers wait here; the other side rings it. */
  readonly doorbell: Notifier;
  protected readonly sync: PortSync;
  private closed = false;
  /** Peeks a blocking poll makes before sleeping. */
  readonly spin: number;
  /** Ring objects owning the slot arrays of this port's rings. */
  private readonly ownRings: number[];
  /** Index in region.i32 of the if object's MONITORS word. */
  private readonly monI32: number;
  /** Round-robin positions of the packet layer. */
  txRr = 0;
  rxRr = 0;

  constructor(init: PortInit) {
    this.spin = checkOpenOptions({ spin: init.spin ?? POLL_SPIN }).spin!;
    this.region = init.region;
    this.name = init.name;
    this.ifIdx = init.ifIdx;
    this.txKrings = init.tx;
    this.rxKrings = init.rx;
    this.txRings = init.tx.map((k) => k.ring);
    this.rxRings = init.rx.map((k) => k.ring);
    this.sync = init.sync;
    this.ownRings = [...init.tx, ...init.rx].map((k) => k.slotRing);
    this.doorbell = portDoorbell(init.region, init.ifIdx);
    this.monI32 = ifWord(init.region, init.ifIdx, IF_MONITORS_I32);
  }

  /**
   * A monitor watches this port but this thread has no monitor hook (it never
   * loaded `@pktfabric/vale`): flags it once in the if object, so the monitor
   * side can say that frames are being missed (IF_MON_UNSERVED_I32).
   */
  private monitorUnserved(): void {
    const w = this.monI32 + (IF_MON_UNSERVED_I32 - IF_MONITORS_I32);
    if (this.region.i32[w] === 0) Atomics.store(this.region.i32, w, 1);
  }

  /** True once the other side has closed or died (after it had been open). */
  get peerClosed(): boolean {
    return this.sync.hungUp();
  }

  /** True while the other side is open. */
  get peerOpen(): boolean {
    return this.sync.peerOpen();
  }

  /** Wake-ups of this port's sleepers (`Atomics.notify` calls on its doorbell). */
  get kicks(): number {
    return this.doorbell.kicks;
  }

  /** A cloneable description to postMessage to a worker, which opens it again by name. */
  descriptor(name = this.name): PortDescriptor {
    return { sab: this.region.sab, name };
  }

  // ---- sync ------------------------------------------------------------

  /**
   * txsync on every TX ring (or ring `ring`): publishes what the user put
   * in [hwcur, head), reclaims what the other side released (tail moves),
   * then wakes the other side once if it sleeps. Throws RingStateError /
   * SlotError / PeerCorruptError. Does not allocate.
   */
  txsync(ring = -1): void {
    this.live();
    const ks = this.txKrings;
    if (ring >= ks.length || !Number.isInteger(ring))
      throw new OptionError('ring', `-1 (all) or a ring index from 0 to ${ks.length - 1}`, ring);
    if (this.region.i32[this.monI32] !== 0) {
      if (monitorHook !== null) monitorHook.tx(this, ring);
      else this.monitorUnserved();
    }
    let any = false;
    try {
      if (ring >= 0) any = this.sync.txsync(ks[ring]!);
      else for (let r = 0; r < ks.length; r++) any = this.sync.txsync(ks[r]!) || any;
    } finally {
      if (any) this.sync.wakePeer();
    }
  }

  /**
   * rxsync on every RX ring (or ring `ring`): gives [hwcur, head) back,
   * imports what the other side published (tail moves), then wakes the
   * other side once if it sleeps. Throws RingStateError / SlotError /
   * PeerCorruptError. Does not allocate.
   */
  rxsync(ring = -1): void {
    this.live();
    const ks = this.rxKrings;
    if (ring >= ks.length || !Number.isInteger(ring))
      throw new OptionError('ring', `-1 (all) or a ring index from 0 to ${ks.length - 1}`, ring);
    let mon: MonitorHook | null = null;
    if (this.region.i32[this.monI32] !== 0) {
      mon = monitorHook;
      if (mon !== null) mon.rxBefore(this, ring);
      else this.monitorUnserved();
    }
    let any = false;
    try {
      if (ring >= 0) any = this.sync.rxsync(ks[ring]!);
      else for (let r = 0; r < ks.length; r++) any = this.sync.rxsync(ks[r]!) || any;
    } finally {
      if (any) this.sync.wakePeer();
      if (mon !== null) mon.rxAfter(this, ring);
    }
  }

  /** Runs the syncs poll needs and returns the ready events (no blocking). */
  private check(events: number): number {
    let rev = 0;
    if ((events & POLLIN) !== 0) {
      try {
        this.rxsync();
      } catch (e) {
        this.lastError = e as Error;
        rev |= POLLERR;
      }
      for (const k of this.rxKrings) if (k.ready()) rev |= POLLIN;
    }
    if ((events & POLLOUT) !== 0) {
      try {
        this.txsync();
      } catch (e) {
        this.lastError = e as Error;
        rev |= POLLERR;
      }
      for (const k of this.txKrings) if (k.ready()) rev |= POLLOUT;
    }
    if (this.sync.hungUp()) rev |= POLLHUP;
    return rev;
  }

  private peek(events: number): boolean {
    if ((events & POLLIN) !== 0)
      for (const k of this.rxKrings) if (this.sync.pending(k)) return true;
    if ((events & POLLOUT) !== 0)
      for (const k of this.txKrings) if (this.sync.pending(k)) return true;
    return this.sync.hungUp();
  }

  /**
   * Blocks until a ring moved past `cur` (POLLIN: an RX ring has slots from
   * cur to tail; POLLOUT: a TX ring has room from cur to tail), the other
   * side closed (POLLHUP), a sync failed (POLLERR, see `lastError`), or the
   * timeout (returns 0). Runs the syncs itself. Spins briefly, then
   * announces itself, re-checks and sleeps on the doorbell. Reads the clock
   * only when it is about to sleep; a timeout of 0 checks once and returns.
   * Does not allocate.
   */
  poll(events: number, timeoutMs = Infinity): number {
    let deadline = -1;
    for (;;) {
      let rev = this.check(events);
      if (rev !== 0 || timeoutMs <= 0) return rev;
      let spun = false;
      for (let s = this.spin; s > 0; s--) {
        if (this.peek(events)) {
          spun = true;
          break;
        }
      }
      if (spun) continue;
      const v = this.doorbell.announce();
      rev = this.check(events);
      if (deadline < 0) deadline = performance.now() + timeoutMs;
      const left = deadline - performance.now();
      if (rev !== 0 || left <= 0) {
        this.doorbell.cancel();
        return rev;
      }
      if (this.doorbell.sleep(v, Math.min(left, SLEEP_SLICE_MS)) === 'timed-out')
        this.lookForDeath();
    }
  }

  /**
   * After a sleep slice passed with no wake-up: in memory shared by
   * processes, a process that died cannot wake anyone, so look for dead
   * processes in the owner table and recover what they held (their ports
   * close, which wakes their peers with POLLHUP). Nothing for thread memory.
   */
  private lookForDeath(): void {
    if (this.region.memory.alive !== undefined) reapDeadProcesses(this.region);
  }

  /**
   * Like poll() but sleeps with the waiter's async wait, keeping the event
   * loop free. Before it sleeps it spins on the other side's words like
   * poll() (up to `spin` peeks, a few tens of microseconds by default): an
   * async wake-up goes through the event loop and costs far more than a
   * short spin when packets are about to arrive. Allocates a promise.
   */
  async pollAsync(events: number, timeoutMs = Infinity): Promise<number> {
    let rev = this.check(events);
    if (rev !== 0 || timeoutMs <= 0) return rev;
    for (let s = this.spin; s > 0; s--) {
      if (this.peek(events)) {
        rev = this.check(events);
        if (rev !== 0) return rev;
      }
    }
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const v = this.doorbell.announce();
      rev = this.check(events);
      const left = deadline - performance.now();
      if (rev !== 0 || left <= 0) {
        this.doorbell.cancel();
        return rev;
      }
      if ((await this.doorbell.sleepAsync(v, Math.min(left, SLEEP_SLICE_MS))) === 'timed-out')
        this.lookForDeath();
    }
  }

  // ---- extra buffers -------------------------------------------------------

  /** Head of this port's extra-buffer list (linked through each buffer's first u32, 0 ends it). */
  get extraHead(): number {
    return this.region.i32[ifWord(this.region, this.ifIdx, IF_EXTRA_HEAD_I32)]!;
  }

  /** Buffers on the extra list now. */
  get extraCount(): number {
    return this.region.i32[ifWord(this.region, this.ifIdx, IF_EXTRA_COUNT_I32)]!;
  }

  /**
   * Takes one buffer off the extra list; 0 when it is empty. The buffer is
   * the caller's until it is put in a slot (the next sync records it there)
   * or given back. Does not allocate.
   */
  takeExtra(): number {
    const { region } = this;
    const hi = ifWord(region, this.ifIdx, IF_EXTRA_HEAD_I32);
    const h = region.i32[hi]!;
    if (h === 0) return 0;
    if (!region.validBuf(h) || region.bufOwner(h) !== extraOwnerCode(this.ifIdx)) {
      // The list was overwritten: stop using it (close frees by ownership, not by the links).
      region.i32[hi] = 0;
      region.i32[ifWord(region, this.ifIdx, IF_EXTRA_COUNT_I32)] = 0;
      return 0;
    }
    region.i32[hi] = region.u32[region.bufOffset(h) >>> 2]!;
    region.i32[ifWord(region, this.ifIdx, IF_EXTRA_COUNT_I32)]! -= 1;
    Atomics.store(region.i32, region.bufOwnerBase + h, takenOwnerCode(this.ifIdx));
    return h;
  }

  /**
   * Puts buffer `idx` on the extra list (it is freed with the list when the
   * port closes). The buffer must be the caller's to give: taken off an
   * extra list, allocated and not placed, out of the slot it was in, or in a
   * slot of this port's own rings that the caller is about to fill with
   * another buffer (that slot is refused by the next sync if it still holds
   * this one). Throws OptionError otherwise (nothing changes).
   */
  giveExtra(idx: number): void {
    const { region } = this;
    const r = claimFromOwnSlot(region, idx, extraOwnerCode(this.ifIdx), this.ownRings);
    if (r !== CLAIM_OK)
      throw new OptionError('idx', `a buffer the caller holds: ${CLAIM_REASONS[r]}`, idx);
    const hi = ifWord(region, this.ifIdx, IF_EXTRA_HEAD_I32);
    region.u32[region.bufOffset(idx) >>> 2] = region.i32[hi]!;
    region.i32[hi] = idx;
    region.i32[ifWord(region, this.ifIdx, IF_EXTRA_COUNT_I32)]! += 1;
  }

  // ---- packets (packet-io.ts) ------------------------------------------------

  /**
   * Copies `bytes` into the next free slot(s) of a TX ring (split over
   * several slots with NS_MOREFRAG when longer than a buffer) and publishes.
   * Returns false, sending nothing, when there is no room (poll for POLLOUT
   * and retry). Throws OptionError for a packet that can never fit (see
   * `maxPacketBytes`). Does not allocate.
   */
  send(bytes: Uint8Array): boolean {
    return io.send(this, bytes);
  }

  /**
   * Copies as many packets of `list[from .. from + count)` as fit, in order,
   * and publishes them with one sync. Returns how many were accepted (the
   * rest can be sent later from `from + accepted`). Throws OptionError,
   * sending none, if any packet can never fit. Does not allocate.
   */
  sendBatch(list: readonly Uint8Array[], from = 0, count = list.length - from): number {
    return io.sendBatch(this, list, from, count);
  }

  /** Largest packet send() can take: min(64, slots - 1) buffers. */
  get maxPacketBytes(): number {
    return io.maxPacketBytes(this);
  }

  /**
   * The next packet, or null when none is ready. Gives back the packets
   * returned before (views of them become invalid). A single-slot packet is
   * a view of its buffer (allocates the view object only); a packet over
   * several slots (NS_MOREFRAG) is copied into a new array. Bounds come from
   * what rxsync validated, never from a second read of the ring.
   */
  recv(): Uint8Array | null {
    return io.recv(this);
  }

  /**
   * Up to `max` packets at once (views, as recv()), into `into` when given
   * (it is cleared first; no allocation but the views). Returns the array.
   */
  recvBatch(max = 512, into?: Uint8Array[]): Uint8Array[] {
    return io.recvBatch(this, max, into);
  }

  /** Gives every packet received so far back to the sender now (an rxsync after recv / recvBatch). */
  giveBack(): void {
    io.giveBack(this);
  }

  /** Sends what was written with the low-level API (a txsync). */
  flush(): void {
    this.txsync();
  }

  /**
   * Async iteration over batches: yields an array of packet views (valid
   * until the next step; one array reused), ending when the other side has
   * closed and everything it sent was read.
   */
  batches(max = 512): AsyncIterableIterator<Uint8Array[]> {
    return io.batches(this, max);
  }

  /** Async iteration over packets (views valid until the next step); ends when the other side closed and all was read. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return io.packets(this);
  }

  /**
   * A ReadableStream of packets (each chunk a copy, since stream consumers
   * may keep chunks). Convenient, but Web Streams cost about a microsecond
   * per chunk: for throughput use `readableBatches()`.
   */
  readable(): ReadableStream<Uint8Array> {
    return io.readable(this);
  }

  /** A ReadableStream of batches: each chunk an array of copies of up to `max` packets. */
  readableBatches(max = 512): ReadableStream<Uint8Array[]> {
    return io.readableBatches(this, max);
  }

  /** A WritableStream: each chunk is one packet; a full ring holds the writer back. */
  writable(): WritableStream<Uint8Array> {
    return io.writable(this);
  }

  // ---- close ---------------------------------------------------------------

  /**
   * Closes this open of the port: what it sent stays readable by the other
   * side; its extra buffers go back; the other side wakes with POLLHUP. When
   * nothing refers to the rings any more, every buffer returns to the pool
   * exactly once; the report says what was freed. Idempotent.
   */
  close(): DestroyReport | null {
    if (this.closed) return null;
    this.closed = true;
    return this.sync.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Throws ClosedError after close(). */
  live(): void {
    if (this.closed) throw new ClosedError(this.name);
  }
}
