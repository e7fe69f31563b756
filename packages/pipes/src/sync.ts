/**
 * txsync and rxsync of one linked ring pair (netmap_pipe.c's semantics over a
 * slot array shared by both ends).
 *
 * The sender's ring T and the receiver's ring X use the same slots. Each keeps
 * its own head/cur (user) and tail/hwcur/hwtail (sync). The only words one
 * end writes for the other are PIPE_TAIL fields:
 *   - X.PIPE_TAIL, stored by the sender's txsync: how far X may import, always
 *     at a complete-packet boundary (after a slot without NS_MOREFRAG);
 *   - T.PIPE_TAIL, stored by the receiver's rxsync: the sender's new tail,
 *     one before the receiver's head (released slots go back).
 * Each is one `Atomics.store` after the plain slot stores, per sync.
 *
 * Validation (netmap's ring reinit): head/cur outside the owned range, a
 * buffer index that is not a held buffer of this region, or len + offset over
 * the buffer size are detected here. The shadow array keeps each slot's last
 * good buffer so a bad slot can be made harmless without losing a buffer.
 */
import {
  MAX_FRAGS,
  NR_TIMESTAMP,
  NS_BUF_CHANGED,
  NS_MOREFRAG,
  RING_CUR_I32,
  RING_FLAGS_I32,
  RING_HEAD_I32,
  RING_HWCUR_I32,
  RING_HWTAIL_I32,
  RING_MAX_OFFSET_I32,
  RING_PIPE_TAIL_I32,
  RING_TAIL_I32,
  RING_TS_F64_BYTE,
  RingView,
  type Region,
} from '@pktfabric/core';
import { PeerCorruptError, RingStateError, SlotError } from './errors.js';

const MOREFRAG_HI = NS_MOREFRAG << 16;
const BUF_CHANGED_HI = NS_BUF_CHANGED << 16;
const LEN_MAX = 0xffff;

function space(from: number, to: number, n: number): number {
  const d = to - from;
  return d < 0 ? d + n : d;
}

/** Shared parts of both link kinds: cached views and limits. */
abstract class Link {
  readonly view: RingView;
  readonly label: string;
  protected readonly region: Region;
  protected readonly i32: Int32Array;
  protected readonly u32: Uint32Array;
  protected readonly b: number;
  protected readonly peer: number;
  protected readonly n: number;
  /** Column bases in u32 (ring-layout.ts): bufIdx[k], lenFlags[k], ptrLo[k], shadow[k]. */
  protected readonly bufs: number;
  protected readonly lfs: number;
  protected readonly ptrs: number;
  protected readonly shadow: number;
  protected readonly bufCount: number;
  protected readonly bufSize: number;
  protected readonly offMask: number;
  protected readonly maxOff: number;
  /** Syncs that found an error (this object only). */
  errors = 0;

  constructor(region: Region, ringOff: number, peerOff: number, label: string) {
    this.region = region;
    this.view = new RingView(region, ringOff);
    this.label = label;
    this.i32 = region.i32;
    this.u32 = region.u32;
    this.b = ringOff >>> 2;
    this.peer = peerOff >>> 2;
    this.n = this.view.numSlots;
    this.bufs = this.view.bufIdxBase;
    this.lfs = this.view.lenFlagsBase;
    this.ptrs = this.view.ptrLoBase;
    this.shadow = this.view.shadowBase;
    this.bufCount = region.bufCount;
    this.bufSize = region.bufSize;
    this.offMask = this.view.offsetMask;
    this.maxOff = region.i32[this.b + RING_MAX_OFFSET_I32]!;
  }

  /** Checks head and cur against [hwcur, hwtail]; on a bad value resets both to hwcur and throws. */
  protected checkHeadCur(hwcur: number, hwtail: number): number {
    const { i32, b, n } = this;
    const head = i32[b + RING_HEAD_I32]!;
    const cur = i32[b + RING_CUR_I32]!;
    if (head >>> 0 >= n || space(hwcur, head, n) > space(hwcur, hwtail, n)) {
      this.reset(hwcur);
      throw new RingStateError(
        this.label,
        'head',
        head,
        `[${hwcur}, ${hwtail}] (circular, of ${n})`,
      );
    }
    if (cur >>> 0 >= n || space(head, cur, n) > space(head, hwtail, n)) {
      this.reset(hwcur);
      throw new RingStateError(this.label, 'cur', cur, `[${head}, ${hwtail}] (circular, of ${n})`);
    }
    return head;
  }

  /**
   * The tail the peer published for this ring (PIPE_TAIL), checked: it may
   * only move forward from `hwtail`, at most to one before `head` (one slot
   * stays empty). Throws PeerCorruptError, leaving the ring as it was.
   */
  protected peerTail(hwtail: number, head: number): number {
    const n = this.n;
    const pt = Atomics.load(this.i32, this.b + RING_PIPE_TAIL_I32);
    if (pt === hwtail) return pt;
    const lim = head === 0 ? n - 1 : head - 1;
    if (pt >>> 0 >= n || space(hwtail, pt, n) > space(hwtail, lim, n)) {
      this.errors++;
      throw new PeerCorruptError(this.label, pt, `[${hwtail}, ${lim}] (circular, of ${n})`);
    }
    return pt;
  }

  protected reset(hwcur: number): void {
    this.errors++;
    this.i32[this.b + RING_HEAD_I32] = hwcur;
    this.i32[this.b + RING_CUR_I32] = hwcur;
  }

  /** Makes slot `k` harmless: its last validated buffer, len 0, no flags. */
  protected restoreSlot(k: number): void {
    this.u32[this.bufs + k] = this.u32[this.shadow + k]!;
    this.u32[this.lfs + k] = 0;
  }

  /**
   * Makes slot `k` harmless after a bad value found by rxsync, counts it, and
   * returns the error to throw once the sync is done (the first one found).
   */
  protected repair(
    first: SlotError | null,
    k: number,
    field: 'bufIdx' | 'len',
    value: number,
    limit: string,
    fromPeer: boolean,
  ): SlotError {
    this.restoreSlot(k);
    this.errors++;
    return first ?? new SlotError(this.label, k, field, value, limit, fromPeer);
  }

  /** True when `bi` can be put in a slot: a valid, currently allocated buffer. */
  protected held(bi: number): boolean {
    return bi >= 2 && bi < this.bufCount && !this.region.bufPool.isFree(bi);
  }

  /** True when the peer has published something this end has not synced yet (cheap peek for spinning). */
  pending(): boolean {
    return (
      Atomics.load(this.i32, this.b + RING_PIPE_TAIL_I32) !== this.i32[this.b + RING_HWTAIL_I32]
    );
  }

  /** Slots between cur and tail (what poll calls ready). */
  ready(): boolean {
    return this.i32[this.b + RING_CUR_I32] !== this.i32[this.b + RING_TAIL_I32];
  }
}

/** The sending side of a linked pair: this end's TX ring, the peer's RX ring. */
export class TxLink extends Link {
  /** NS_MOREFRAG slots synced since the last complete packet (kept here, not in shared memory, so a peer cannot reset it). */
  private openFrags = 0;

  /**
   * Publishes [hwcur, head) to the peer (up to the last complete packet) and
   * reclaims what the peer released. Returns true when it published. Throws
   * RingStateError / SlotError (ring reset, nothing published) or
   * PeerCorruptError (bad released tail, ignored). Does not allocate on success.
   */
  sync(): boolean {
    const { i32, u32, b, n, bufs, lfs, shadow } = this;
    const hwcur = i32[b + RING_HWCUR_I32]!;
    const hwtail = i32[b + RING_HWTAIL_I32]!;
    const head = this.checkHeadCur(hwcur, hwtail);
    let published = false;
    if (head !== hwcur) {
      const bufCount = this.bufCount;
      const bufSize = this.bufSize;
      const offMask = this.offMask;
      let k = hwcur;
      let complete = -1;
      // Slots of a packet begun in an earlier sync count toward its limit too.
      let frags = this.openFrags;
      if (offMask === 0 && frags === 0) {
        // The common slot in one compare per column: no flags (they sit above
        // len, so any flag makes the word larger than the limit), len within
        // the buffer, the buffer the slot had. Anything else takes the full
        // check below, from that slot on.
        const lim = bufSize < LEN_MAX ? bufSize : LEN_MAX;
        while (k !== head && u32[lfs + k]! <= lim && u32[bufs + k] === u32[shadow + k]) {
          complete = k;
          k = k + 1 === n ? 0 : k + 1;
        }
      }
      while (k !== head) {
        const bi = u32[bufs + k]!;
        const lf = u32[lfs + k]!;
        if (bi !== u32[shadow + k]) {
          if (bi < 2 || bi >= bufCount || this.region.bufPool.isFree(bi)) {
            this.badSlot(k, hwcur, 'bufIdx', bi, `a held buffer 2..${bufCount - 1}`);
          }
          u32[shadow + k] = bi;
        }
        if (offMask === 0) {
          if ((lf & LEN_MAX) > bufSize)
            this.badSlot(k, hwcur, 'len', lf & LEN_MAX, `at most ${bufSize}`);
        } else {
          const off = u32[this.ptrs + k]! & offMask;
          if (off > this.maxOff)
            this.badSlot(k, hwcur, 'offset', off, `at most ${this.maxOff} (maxOffset)`);
          if ((lf & LEN_MAX) + off > bufSize) {
            this.badSlot(k, hwcur, 'len', lf & LEN_MAX, `len + offset <= ${bufSize}`);
          }
        }
        if ((lf & MOREFRAG_HI) !== 0) {
          if (++frags >= MAX_FRAGS)
            this.badSlot(k, hwcur, 'frags', frags + 1, `at most ${MAX_FRAGS} slots per packet`);
        } else {
          frags = 0;
          complete = k;
        }
        if ((lf & BUF_CHANGED_HI) !== 0) u32[lfs + k] = lf & ~BUF_CHANGED_HI;
        k = k + 1 === n ? 0 : k + 1;
      }
      i32[b + RING_HWCUR_I32] = head;
      this.openFrags = frags;
      if (complete >= 0) {
        Atomics.store(i32, this.peer + RING_PIPE_TAIL_I32, complete + 1 === n ? 0 : complete + 1);
        published = true;
      }
    }
    // Reclaim: the peer's rxsync stored our new tail.
    const pt = this.peerTail(hwtail, head);
    if (pt !== hwtail) {
      i32[b + RING_HWTAIL_I32] = pt;
      i32[b + RING_TAIL_I32] = pt;
    }
    return published;
  }

  private badSlot(
    k: number,
    hwcur: number,
    field: 'bufIdx' | 'len' | 'frags' | 'offset',
    value: number,
    limit: string,
  ): never {
    this.restoreSlot(k);
    this.reset(hwcur);
    throw new SlotError(this.label, k, field, value, limit, false);
  }
}

/** The receiving side of a linked pair: this end's RX ring, the peer's TX ring. */
export class RxLink extends Link {
  /**
   * Releases [hwcur, head) to the peer (validating buffers swapped in with
   * NS_BUF_CHANGED) and imports up to the peer's published tail (validating
   * each new slot). Returns true when it released slots. Throws
   * RingStateError (ring reset), SlotError (bad slots made harmless, the rest
   * done) or PeerCorruptError (bad tail, nothing imported). Does not allocate
   * on success.
   */
  sync(): boolean {
    const { i32, u32, b, n, bufs, lfs, shadow } = this;
    const hwcur = i32[b + RING_HWCUR_I32]!;
    const hwtail = i32[b + RING_HWTAIL_I32]!;
    const head = this.checkHeadCur(hwcur, hwtail);
    let bad: SlotError | null = null;
    let released = false;
    if (head !== hwcur) {
      let k = hwcur;
      while (k !== head) {
        if ((u32[lfs + k]! & BUF_CHANGED_HI) !== 0) {
          const bi = u32[bufs + k]!;
          if (bi !== u32[shadow + k]) {
            if (this.held(bi)) u32[shadow + k] = bi;
            else
              bad = this.repair(
                bad,
                k,
                'bufIdx',
                bi,
                `a held buffer 2..${this.bufCount - 1}`,
                false,
              );
          }
        }
        k = k + 1 === n ? 0 : k + 1;
      }
      i32[b + RING_HWCUR_I32] = head;
      Atomics.store(i32, this.peer + RING_PIPE_TAIL_I32, head === 0 ? n - 1 : head - 1);
      released = true;
    }
    const pt = this.peerTail(hwtail, head);
    if (pt !== hwtail) {
      const bufSize = this.bufSize;
      const offMask = this.offMask;
      let k = hwtail;
      if (offMask === 0) {
        // Fast path: the buffer the sender validated, len within it.
        while (
          k !== pt &&
          u32[bufs + k] === u32[shadow + k] &&
          (u32[lfs + k]! & LEN_MAX) <= bufSize
        )
          k = k + 1 === n ? 0 : k + 1;
      }
      const ptrs = this.ptrs;
      while (k !== pt) {
        const bi = u32[bufs + k]!;
        if (bi !== u32[shadow + k]) {
          bad = this.repair(bad, k, 'bufIdx', bi, 'the buffer the sender validated', true);
        } else if (
          (offMask === 0
            ? u32[lfs + k]! & LEN_MAX
            : (u32[lfs + k]! & LEN_MAX) + (u32[ptrs + k]! & offMask)) > bufSize
        ) {
          const len = u32[lfs + k]! & LEN_MAX;
          bad = this.repair(bad, k, 'len', len, `len + offset <= ${bufSize}`, true);
        }
        k = k + 1 === n ? 0 : k + 1;
      }
      i32[b + RING_HWTAIL_I32] = pt;
      i32[b + RING_TAIL_I32] = pt;
      if ((i32[b + RING_FLAGS_I32]! & NR_TIMESTAMP) !== 0) {
        this.region.f64[((b << 2) + RING_TS_F64_BYTE) >>> 3] =
          performance.timeOrigin + performance.now();
      }
    }
    if (bad !== null) throw bad;
    return released;
  }
}
