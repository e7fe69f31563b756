/**
 * One open end of a pipe: its rings, txsync / rxsync / poll, and the friendly
 * send / recv / async-iteration layer on top.
 */
import {
  attachRegion,
  MAX_FRAGS,
  Notifier,
  NS_MOREFRAG,
  OptionError,
  RING_CUR_I32,
  RING_HEAD_I32,
  RING_TAIL_I32,
  RingView,
  type Region,
} from '@pktfabric/core';
import {
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  type EndpointDescriptor,
  type OpenOptions,
} from './api.js';
import { ClosedError, PeerClosedError } from './errors.js';
import {
  END_CLOSED,
  END_DEAD,
  END_DOORBELL_I32,
  END_EXTRA_HEAD_I32,
  END_KICKS_I32,
  END_MASTER,
  END_STATE_I32,
  END_WAITERS_I32,
  endI32,
  PIPE_RING_ENTRY_I32,
  PIPE_RING_TABLE_I32,
  RT_M2S_RX,
  RT_M2S_TX,
  RT_S2M_RX,
  RT_S2M_TX,
} from './layout/pipe-layout.js';
import { closeEnd, ifWord, openEnd, type DestroyReport } from './pipe.js';
import { RxLink, TxLink } from './sync.js';
import { pipeEndName } from './pipe-name.js';

/** Iterations of cheap peeks at the peer's words before a blocking poll parks. */
export const POLL_SPIN = 20000;
/** Longest single sleep inside poll; it re-checks the peer's state after each. */
const SLEEP_SLICE_MS = 250;

const MOREFRAG_HI = NS_MOREFRAG << 16;

/**
 * Opens `pipe{N` (master) or `pipe}N` (slave), optionally `/x` (exclusive),
 * in a region this thread holds. Creates the pipe with default options when
 * it does not exist yet. Throws PortNameError, BusyError, ExhaustedError,
 * OptionError. Allocates.
 */
export function openPort(region: Region, name: string, opts: OpenOptions = {}): PipeEndpoint {
  return new PipeEndpoint(region, name, opts);
}

/** Re-opens an end from a descriptor received from another thread (`endpoint.descriptor()` or `{ sab, name }`). */
export function openDescriptor(desc: EndpointDescriptor, opts: OpenOptions = {}): PipeEndpoint {
  return openPort(attachRegion(desc.sab), desc.name, opts);
}

export class PipeEndpoint {
  readonly region: Region;
  /** The name it was opened with, e.g. `pipe{3`. */
  readonly name: string;
  readonly pipeId: number;
  /** 0 master, 1 slave. */
  readonly end: number;
  /** This end's TX rings (it writes), as netmap_ring views. */
  readonly txRings: RingView[];
  /** This end's RX rings (it reads). */
  readonly rxRings: RingView[];
  /** The last error a poll() swallowed into POLLERR (sync errors are thrown by txsync/rxsync). */
  lastError: Error | null = null;
  private readonly tx: TxLink[];
  private readonly rx: RxLink[];
  private readonly ifIdx: number;
  private readonly bell: Notifier;
  private readonly peerBell: Notifier;
  private readonly peerStateI32: number;
  private closed = false;
  private txRr = 0;
  /** Peeks a blocking poll makes before parking (OpenOptions.spin). */
  private readonly spin: number;
  private rxRr = 0;

  constructor(region: Region, name: string, opts: OpenOptions) {
    const spin = opts.spin ?? POLL_SPIN;
    if (!Number.isInteger(spin) || spin < 0 || spin > 1e7) {
      throw new OptionError('spin', 'an integer from 0 to 10000000', spin);
    }
    this.spin = spin;
    const o = openEnd(region, name, opts);
    this.region = region;
    this.name = name;
    this.pipeId = o.id;
    this.end = o.end;
    this.ifIdx = o.ifIdx;
    const ring = (r: number, k: number): number =>
      region.i32[ifWord(region, o.ifIdx, PIPE_RING_TABLE_I32 + r * PIPE_RING_ENTRY_I32 + k)]!;
    const master = o.end === END_MASTER;
    this.tx = [];
    this.rx = [];
    for (let r = 0; r < o.rings; r++) {
      // The TX ring and the peer's RX ring share slots; likewise our RX ring and the peer's TX ring.
      const [myTx, peerRx, myRx, peerTx] = master
        ? [RT_M2S_TX, RT_M2S_RX, RT_S2M_RX, RT_S2M_TX]
        : [RT_S2M_TX, RT_S2M_RX, RT_M2S_RX, RT_M2S_TX];
      this.tx.push(new TxLink(region, ring(r, myTx), ring(r, peerRx), `${name} tx${r}`));
      this.rx.push(new RxLink(region, ring(r, myRx), ring(r, peerTx), `${name} rx${r}`));
    }
    this.txRings = this.tx.map((l) => l.view);
    this.rxRings = this.rx.map((l) => l.view);
    const e = (end: number, f: number): number => ifWord(region, o.ifIdx, endI32(end, f));
    this.bell = new Notifier(
      region.i32,
      e(o.end, END_DOORBELL_I32),
      e(o.end, END_WAITERS_I32),
      e(o.end, END_KICKS_I32),
    );
    const peer = 1 - o.end;
    this.peerBell = new Notifier(
      region.i32,
      e(peer, END_DOORBELL_I32),
      e(peer, END_WAITERS_I32),
      e(peer, END_KICKS_I32),
    );
    this.peerStateI32 = e(peer, END_STATE_I32);
  }

  /** Name of the other end, e.g. `pipe}3` for `pipe{3`. */
  get peerName(): string {
    return pipeEndName(this.pipeId, 1 - this.end);
  }

  /** True once the peer end has closed or its worker exited (after it had been open). */
  get peerClosed(): boolean {
    const s = Atomics.load(this.region.i32, this.peerStateI32);
    return s === END_CLOSED || s === END_DEAD;
  }

  /** True when the peer end is open now. */
  get peerOpen(): boolean {
    return Atomics.load(this.region.i32, this.peerStateI32) === 1;
  }

  /** `Atomics.notify` calls made to wake this end (by the peer or a closer). */
  get kicks(): number {
    return this.bell.kicksI32 >= 0 ? Atomics.load(this.region.i32, this.bell.kicksI32) >>> 0 : 0;
  }

  /** A cloneable description to postMessage to a worker, which calls `openDescriptor` (use the other end's name to hand over the peer). */
  descriptor(name = this.name): EndpointDescriptor {
    return { sab: this.region.sab, name };
  }

  // ---- sync ------------------------------------------------------------

  /**
   * txsync on every TX ring (or ring `ring`): publishes [hwcur, head) up to
   * the last complete packet with one Atomics.store per ring, reclaims what
   * the peer released (tail moves), then wakes the peer once if it sleeps.
   * Throws RingStateError / SlotError / PeerCorruptError. Does not allocate.
   */
  txsync(ring = -1): void {
    this.live();
    let any = false;
    try {
      if (ring >= 0) any = this.tx[ring]!.sync();
      else for (let r = 0; r < this.tx.length; r++) any = this.tx[r]!.sync() || any;
    } finally {
      if (any) this.peerBell.ring();
    }
  }

  /**
   * rxsync on every RX ring (or ring `ring`): releases [hwcur, head) back to
   * the sender, imports up to the peer's published tail (tail moves), then
   * wakes the peer once if it sleeps. Throws RingStateError / SlotError /
   * PeerCorruptError. Does not allocate.
   */
  rxsync(ring = -1): void {
    this.live();
    let any = false;
    try {
      if (ring >= 0) any = this.rx[ring]!.sync();
      else for (let r = 0; r < this.rx.length; r++) any = this.rx[r]!.sync() || any;
    } finally {
      if (any) this.peerBell.ring();
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
      for (const l of this.rx) if (l.ready()) rev |= POLLIN;
    }
    if ((events & POLLOUT) !== 0) {
      try {
        this.txsync();
      } catch (e) {
        this.lastError = e as Error;
        rev |= POLLERR;
      }
      for (const l of this.tx) if (l.ready()) rev |= POLLOUT;
    }
    if (this.peerClosed) rev |= POLLHUP;
    return rev;
  }

  private peek(events: number): boolean {
    if ((events & POLLIN) !== 0) for (const l of this.rx) if (l.pending()) return true;
    if ((events & POLLOUT) !== 0) for (const l of this.tx) if (l.pending()) return true;
    return false;
  }

  /**
   * Blocks until a ring moved past `cur` (POLLIN: an RX ring has slots from
   * cur to tail; POLLOUT: a TX ring has room from cur to tail), the peer
   * closed (POLLHUP), a sync failed (POLLERR, see `lastError`), or the
   * timeout (returns 0). Runs the syncs itself. Spins briefly, then announces
   * itself, re-checks and parks with Atomics.wait. Worker threads only (the
   * main thread may block too in Node, but should prefer pollAsync).
   * Does not allocate.
   */
  poll(events: number, timeoutMs = Infinity): number {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let rev = this.check(events);
      if (rev !== 0) return rev;
      let spun = false;
      for (let s = this.spin; s > 0; s--) {
        if (this.peek(events) || this.peerClosed) {
          spun = true;
          break;
        }
      }
      if (spun) continue;
      const v = this.bell.announce();
      rev = this.check(events);
      const left = deadline - performance.now();
      if (rev !== 0 || left <= 0) {
        this.bell.cancel();
        return rev;
      }
      this.bell.sleep(v, Math.min(left, SLEEP_SLICE_MS));
    }
  }

  /** Like poll() but waits with Atomics.waitAsync, keeping the event loop free. Allocates a promise. */
  async pollAsync(events: number, timeoutMs = Infinity): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const v = this.bell.announce();
      const rev = this.check(events);
      const left = deadline - performance.now();
      if (rev !== 0 || left <= 0) {
        this.bell.cancel();
        return rev;
      }
      await this.bell.sleepAsync(v, Math.min(left, SLEEP_SLICE_MS));
    }
  }

  // ---- extra buffers -------------------------------------------------------

  /** Head of this end's extra-buffer list (linked through each buffer's first u32, 0 ends it). */
  get extraHead(): number {
    return this.region.i32[ifWord(this.region, this.ifIdx, endI32(this.end, END_EXTRA_HEAD_I32))]!;
  }

  set extraHead(v: number) {
    this.region.i32[ifWord(this.region, this.ifIdx, endI32(this.end, END_EXTRA_HEAD_I32))] = v;
  }

  /** Takes one buffer off the extra list; 0 when it is empty. Does not allocate. */
  takeExtra(): number {
    const h = this.extraHead;
    if (h !== 0) this.extraHead = this.region.u32[this.region.bufOffset(h) >>> 2]!;
    return h;
  }

  /** Puts buffer `idx` on the extra list (it is freed with the list when the end closes). */
  giveExtra(idx: number): void {
    this.region.u32[this.region.bufOffset(idx) >>> 2] = this.extraHead;
    this.extraHead = idx;
  }

  // ---- friendly layer ------------------------------------------------------

  /**
   * Copies `bytes` into the next free slot(s) of a TX ring (split over several
   * slots with NS_MOREFRAG when longer than a buffer) and publishes. Returns
   * false, sending nothing, when there is no room (backpressure: poll for
   * POLLOUT and retry). Throws OptionError for a packet that can never fit
   * (more than 64 slots, or more than a ring holds: see `maxPacketBytes`).
   * Does not allocate.
   */
  send(bytes: Uint8Array): boolean {
    this.live();
    this.checkFits(bytes);
    const ok = this.put(bytes);
    if (ok) this.txsync();
    return ok;
  }

  /**
   * Copies as many packets of `list` as fit, in order, and publishes them
   * with one sync. Returns how many were accepted; the rest were not sent.
   * Throws OptionError, sending none, if any packet can never fit.
   */
  sendBatch(list: readonly Uint8Array[]): number {
    this.live();
    // Refuse the whole batch before queuing any of it if one packet can never fit.
    for (let i = 0; i < list.length; i++) this.checkFits(list[i]!);
    let k = 0;
    while (k < list.length && this.put(list[k]!)) k++;
    if (k > 0) this.txsync();
    return k;
  }

  /** Largest packet send() can take: min(64, slots - 1) buffers. */
  get maxPacketBytes(): number {
    return Math.min(MAX_FRAGS, this.tx[0]!.view.numSlots - 1) * this.region.bufSize;
  }

  private checkFits(bytes: Uint8Array): void {
    const most = this.maxPacketBytes;
    if (bytes.length > most)
      throw new OptionError(
        'packet length',
        `at most ${most} bytes (min(${MAX_FRAGS}, slots - 1) buffers of ${this.region.bufSize})`,
        bytes.length,
      );
  }

  private put(bytes: Uint8Array): boolean {
    const { region } = this;
    const bufSize = region.bufSize;
    const frags = bytes.length === 0 ? 1 : Math.ceil(bytes.length / bufSize);
    const nr = this.tx.length;
    for (let t = 0; t < nr; t++) {
      const l = this.tx[(this.txRr + t) % nr]!;
      const v = l.view;
      const i32 = region.i32;
      const b = v.base;
      let head = i32[b + RING_HEAD_I32]!;
      let room = i32[b + RING_TAIL_I32]! - head;
      if (room < 0) room += v.numSlots;
      if (room < frags) {
        this.txsync(l.view.ringId);
        room = i32[b + RING_TAIL_I32]! - head;
        if (room < 0) room += v.numSlots;
        if (room < frags) {
          // Not enough room: make the tail the wake-up point, so that
          // poll(POLLOUT) sleeps until the peer frees slots (netmap's
          // cur = tail) instead of reporting the too-small room as ready.
          i32[b + RING_CUR_I32] = i32[b + RING_TAIL_I32]!;
          continue;
        }
      }
      const u32 = region.u32;
      for (let f = 0; f < frags; f++) {
        const from = f * bufSize;
        const len = Math.min(bufSize, bytes.length - from);
        const off = region.bufBase + u32[v.bufIdxBase + head]! * bufSize;
        region.u8.set(
          from === 0 && len === bytes.length ? bytes : bytes.subarray(from, from + len),
          off,
        );
        u32[v.lenFlagsBase + head] = len | (f + 1 < frags ? MOREFRAG_HI : 0);
        u32[v.ptrLoBase + head] = u32[v.ptrLoBase + head]! & ~v.offsetMask;
        head = head + 1 === v.numSlots ? 0 : head + 1;
      }
      i32[b + RING_HEAD_I32] = head;
      i32[b + RING_CUR_I32] = head;
      this.txRr = (this.txRr + t) % nr;
      return true;
    }
    return false;
  }

  /**
   * Returns the next packet, or null when none is ready. Releases the packets
   * returned before (views of them become invalid at the next rxsync). A
   * single-slot packet is a view of its buffer (allocates the view object
   * only); a packet spanning slots (NS_MOREFRAG) is copied into a new array.
   */
  recv(): Uint8Array | null {
    this.live();
    this.releaseAll();
    const r = this.readyRx();
    return r < 0 ? null : this.take(r);
  }

  /** Up to `max` packets at once (views, as recv()). Allocates the array. */
  recvBatch(max = 512): Uint8Array[] {
    this.live();
    this.releaseAll();
    const out: Uint8Array[] = [];
    while (out.length < max) {
      const r = this.readyRx(out.length === 0);
      if (r < 0) break;
      out.push(this.take(r));
    }
    return out;
  }

  /** Releases every packet received so far back to the sender now. */
  release(): void {
    this.live();
    this.releaseAll();
    this.rxsync();
  }

  /** Sends any packets written with the low-level API (a txsync). */
  flush(): void {
    this.txsync();
  }

  private releaseAll(): void {
    const i32 = this.region.i32;
    for (const l of this.rx) {
      const b = l.view.base;
      i32[b + RING_HEAD_I32] = i32[b + RING_CUR_I32]!;
    }
  }

  /** Index of an RX ring with a packet at cur (syncing once if all look empty), or -1. */
  private readyRx(sync = true): number {
    const nr = this.rx.length;
    for (let pass = 0; pass < 2; pass++) {
      for (let t = 0; t < nr; t++) {
        const r = (this.rxRr + t) % nr;
        if (this.rx[r]!.ready()) {
          this.rxRr = r;
          return r;
        }
      }
      if (pass === 0 && sync) this.rxsync();
      else break;
    }
    return -1;
  }

  private take(r: number): Uint8Array {
    const v = this.rx[r]!.view;
    const { region } = this;
    const u32 = region.u32;
    const i32 = region.i32;
    const n = v.numSlots;
    let cur = i32[v.base + RING_CUR_I32]!;
    const lf0 = u32[v.lenFlagsBase + cur]!;
    let out: Uint8Array;
    if ((lf0 & MOREFRAG_HI) === 0) {
      const off =
        region.bufBase +
        u32[v.bufIdxBase + cur]! * region.bufSize +
        (u32[v.ptrLoBase + cur]! & v.offsetMask);
      out = region.u8.subarray(off, off + (lf0 & 0xffff));
      cur = cur + 1 === n ? 0 : cur + 1;
    } else {
      let total = 0;
      let k = cur;
      for (;;) {
        const lf = u32[v.lenFlagsBase + k]!;
        total += lf & 0xffff;
        k = k + 1 === n ? 0 : k + 1;
        if ((lf & MOREFRAG_HI) === 0) break;
      }
      out = new Uint8Array(total);
      let at = 0;
      for (;;) {
        const lf = u32[v.lenFlagsBase + cur]!;
        const off =
          region.bufBase +
          u32[v.bufIdxBase + cur]! * region.bufSize +
          (u32[v.ptrLoBase + cur]! & v.offsetMask);
        out.set(region.u8.subarray(off, off + (lf & 0xffff)), at);
        at += lf & 0xffff;
        cur = cur + 1 === n ? 0 : cur + 1;
        if ((lf & MOREFRAG_HI) === 0) break;
      }
    }
    i32[v.base + RING_CUR_I32] = cur;
    return out;
  }

  /**
   * Async iteration: yields each packet (a view valid until the next step) and
   * ends when the peer has closed and everything it sent was read.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for (;;) {
        const p = this.recv();
        if (p !== null) {
          yield p;
          continue;
        }
        if (this.peerClosed) {
          const last = this.recv();
          if (last === null) return;
          yield last;
          continue;
        }
        await this.pollAsync(POLLIN, SLEEP_SLICE_MS * 4);
      }
    } finally {
      if (!this.closed) this.release();
    }
  }

  /** A ReadableStream of packets (each chunk a copy, since stream consumers may keep chunks). Closes when the peer has closed and all was read. */
  readable(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: async (ctrl) => {
          for (;;) {
            const p = this.recv();
            if (p !== null) {
              ctrl.enqueue(p.slice());
              return;
            }
            if (this.peerClosed) {
              const last = this.recv();
              if (last === null) {
                this.release();
                ctrl.close();
              } else ctrl.enqueue(last.slice());
              return;
            }
            await this.pollAsync(POLLIN, SLEEP_SLICE_MS * 4);
          }
        },
      },
      { highWaterMark: 16 },
    );
  }

  /** A WritableStream: each chunk is one packet; a full ring holds the writer back (backpressure). Errors with PeerClosedError if the peer closes. */
  writable(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>({
      write: async (chunk) => {
        while (!this.send(chunk)) {
          if (this.peerClosed) throw new PeerClosedError(this.name);
          await this.pollAsync(POLLOUT, SLEEP_SLICE_MS * 4);
        }
      },
    });
  }

  // ---- close ---------------------------------------------------------------

  /**
   * Closes this end: packets already sent stay readable by the peer; this
   * end's extra buffers go back; the peer wakes with POLLHUP. When no
   * reference to the pipe is left, every buffer returns to the pool exactly
   * once; the report says what was freed. Idempotent.
   */
  close(): DestroyReport | null {
    if (this.closed) return null;
    this.closed = true;
    const r = closeEnd(this.region, this.ifIdx, this.end);
    if (r.listError !== null) this.lastError = r.listError;
    return r.destroyed;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private live(): void {
    if (this.closed) throw new ClosedError(this.name);
  }
}
