/**
 * A kring (netmap's name): the library's own state for one ring of one open
 * port, and the checks every port kind runs on what the user wrote.
 *
 * The user writes the ring's head, cur and the slots it owns, in shared
 * memory. The kring keeps what the library must be able to trust in fields
 * of this object, in the memory of the thread that owns the port: hwcur,
 * hwtail, the slots of an unfinished packet, and (for a receiver that uses
 * recv/recvBatch) the descriptors it validated. A store into the ring cannot
 * change them. They are mirrored into the ring's (k) line for observers,
 * never read back.
 *
 * The shadow column (ring-layout.ts) holds the last validated buffer of each
 * slot. Only library code writes it: a sync, or a claim that moved the
 * buffer away (buf-owner.ts). A slot whose buffer equals its shadow is the
 * common case and costs one compare; any other buffer is claimed through the
 * buffer-owner map, which refuses a buffer that is still somewhere else.
 */
import {
  MAX_FRAGS,
  NR_TIMESTAMP,
  NS_BUF_CHANGED,
  NS_MOREFRAG,
  RING_CUR_I32,
  RING_DROP_BAD_SLOT,
  RING_DROPS_I32,
  RING_ERRORS_I32,
  RING_FLAGS_I32,
  RING_HEAD_I32,
  RING_HEADER_BYTES,
  RING_HWCUR_I32,
  RING_HWTAIL_I32,
  RING_MAX_OFFSET_I32,
  RING_PKTS_F64_BYTE,
  RING_SLOTS_OFF_I32,
  RING_TAIL_I32,
  RING_TS_F64_BYTE,
  SLOT_LEN_MAX,
} from '../layout/ring-layout.js';
import { CLAIM_OK, CLAIM_REASONS, claimBuf, ringIndexOf, slotCode } from '../buf-owner.js';
import { RingStateError, SlotError } from '../errors.js';
import type { Region } from '../region.js';
import { RingView, ringSpace } from '../ring.js';

const MOREFRAG_HI = NS_MOREFRAG << 16;
const BUF_CHANGED_HI = NS_BUF_CHANGED << 16;

/**
 * OR of `u32[base + k]` over the circular range [from, to) of a ring of `n`
 * slots, in at most two straight runs (no wrap test per slot). A whole batch
 * is checked with this first; only a batch where something is set is looked
 * at slot by slot. Does not allocate.
 */
function orRange(u32: Uint32Array, base: number, from: number, to: number, n: number): number {
  let acc = 0;
  const end1 = from <= to ? to : n;
  for (let k = base + from, e = base + end1; k < e; k++) acc |= u32[k]!;
  if (from > to) for (let k = base, e = base + to; k < e; k++) acc |= u32[k]!;
  return acc;
}

/** The sum of the low 16 bits (len) of the words the last orLenRange went over. */
let orLenRangeSum = 0;

/**
 * orRange over a len column that also sums the lens into `orLenRangeSum`
 * (the byte counter's, in the same pass): a trusted ('ring') txsync's whole
 * batch check. Does not allocate.
 */
function orLenRange(u32: Uint32Array, base: number, from: number, to: number, n: number): number {
  let acc = 0;
  let sum = 0;
  const end1 = from <= to ? to : n;
  for (let k = base + from, e = base + end1; k < e; k++) {
    acc |= u32[k]!;
    sum += u32[k]! & SLOT_LEN_MAX;
  }
  if (from > to)
    for (let k = base, e = base + to; k < e; k++) {
      acc |= u32[k]!;
      sum += u32[k]! & SLOT_LEN_MAX;
    }
  orLenRangeSum = sum;
  return acc;
}

/** How much a port checks at each sync (OpenOptions.checks). */
export type ChecksMode = 'slots' | 'ring';

export class Kring {
  /** The user's view of the ring. */
  readonly ring: RingView;
  /** For messages: port name, direction and ring number (`pipe{1 tx0`). */
  readonly label: string;
  readonly region: Region;
  /** 'slots' (default): every slot the user changed is checked; 'ring': head, cur and tails only. */
  readonly checks: ChecksMode;
  /** Index of the ring's first word in region.i32. */
  readonly b: number;
  readonly n: number;
  /** Column bases in region.u32: bufIdx[k], lenFlags[k], ptrLo[k], shadow[k]. */
  readonly bufs: number;
  readonly lfs: number;
  readonly ptrs: number;
  readonly shadow: number;
  readonly bufSize: number;
  readonly offMask: number;
  readonly maxOff: number;
  /** Ring object that owns the slot array (the owner code of slot k names it). */
  readonly slotRing: number;
  protected readonly i32: Int32Array;
  protected readonly u32: Uint32Array;
  /** Index in region.f64 of the ring's PKTS counter (BYTES follows it). */
  private readonly ctrF64: number;
  /** Bytes summed by the run that checked the current batch (txRun, importRun). */
  private runBytes = 0;

  /** First slot the library has not yet handed on (transmit) or given back (receive). */
  hwcur = 0;
  /** Last slot the user may use, exclusive (netmap's hwtail). */
  hwtail = 0;
  /** NS_MOREFRAG slots synced since the last complete packet. */
  openFrags = 0;
  /** Index in region.i32 of the ring linked to this one (a pipe's other end), 0 if none. Set by the port kind. */
  peer = 0;
  /** Syncs of this kring that found an error. */
  errors = 0;
  /**
   * The len | flags << 16 that rxsync validated for each imported slot
   * (checks 'slots'): what recv and recvBatch hand out, so that a slot
   * rewritten after the import cannot change a view's bounds.
   */
  readonly vLenFlags: Uint32Array;
  /** The per-slot offset rxsync validated for each imported slot (rings with offsets only). */
  readonly vOff: Uint32Array;
  /** The buffer index rxsync validated for each imported slot (checks 'slots'). */
  readonly vBuf: Uint32Array;

  constructor(region: Region, ringOff: number, label: string, checks: ChecksMode = 'slots') {
    this.region = region;
    this.ring = new RingView(region, ringOff);
    this.label = label;
    this.checks = checks;
    this.i32 = region.i32;
    this.u32 = region.u32;
    const v = this.ring;
    this.b = v.base;
    this.n = v.numSlots;
    this.bufs = v.bufIdxBase;
    this.lfs = v.lenFlagsBase;
    this.ptrs = v.ptrLoBase;
    this.shadow = v.shadowBase;
    this.bufSize = region.bufSize;
    this.offMask = v.offsetMask;
    this.maxOff = region.i32[this.b + RING_MAX_OFFSET_I32]!;
    this.slotRing = ringIndexOf(
      region,
      region.i32[this.b + RING_SLOTS_OFF_I32]! - RING_HEADER_BYTES,
    );
    this.vLenFlags = new Uint32Array(this.n);
    this.vBuf = new Uint32Array(this.n);
    this.vOff = new Uint32Array(this.offMask === 0 ? 0 : this.n);
    this.ctrF64 = ((this.b << 2) + RING_PKTS_F64_BYTE) >>> 3;
    // Start from the mirror: a fresh ring, or where an earlier open of this end left it.
    this.hwcur = region.i32[this.b + RING_HWCUR_I32]!;
    this.hwtail = region.i32[this.b + RING_HWTAIL_I32]!;
  }

  /** Counts a sync error here and in the ring's ERRORS word (for observers). */
  countError(): void {
    this.errors++;
    this.i32[this.b + RING_ERRORS_I32] = this.errors;
  }

  /**
   * Adds one sync's slots and bytes to the ring's PKTS and BYTES counters
   * (ring-layout.ts): plain stores, this end's sync is their only writer.
   * Does not allocate.
   */
  count(slots: number, bytes: number): void {
    const f = this.region.f64;
    f[this.ctrF64] += slots;
    f[this.ctrF64 + 1] += bytes;
  }

  /** Counts a packet dropped for `reason` (RING_DROP_*) in the ring's DROPS words. */
  countDrop(reason: number): void {
    this.i32[this.b + RING_DROPS_I32 + reason]++;
  }

  /** The owner code of slot `k` (buf-owner-layout.ts). */
  slotCode(k: number): number {
    return slotCode(this.slotRing, k);
  }

  /**
   * Reads head and cur and checks them against [hwcur, hwtail]; on a bad
   * value puts both back to hwcur and throws RingStateError. Returns head.
   */
  checkHeadCur(): number {
    const { i32, b, n, hwcur, hwtail } = this;
    const head = i32[b + RING_HEAD_I32]!;
    const cur = i32[b + RING_CUR_I32]!;
    if (head >>> 0 >= n || ringSpace(hwcur, head, n) > ringSpace(hwcur, hwtail, n)) {
      this.resetHead();
      throw new RingStateError(
        this.label,
        'head',
        head,
        `[${hwcur}, ${hwtail}] (circular, of ${n})`,
      );
    }
    if (cur >>> 0 >= n || ringSpace(head, cur, n) > ringSpace(head, hwtail, n)) {
      this.resetHead();
      throw new RingStateError(this.label, 'cur', cur, `[${head}, ${hwtail}] (circular, of ${n})`);
    }
    return head;
  }

  /** Puts head and cur back to hwcur (netmap's ring reinit) and counts the error. */
  resetHead(): void {
    this.countError();
    this.i32[this.b + RING_HEAD_I32] = this.hwcur;
    this.i32[this.b + RING_CUR_I32] = this.hwcur;
  }

  /** Moves hwcur and mirrors it. */
  setHwcur(v: number): void {
    this.hwcur = v;
    this.i32[this.b + RING_HWCUR_I32] = v;
  }

  /** Moves hwtail and the user-visible tail. */
  setHwtail(v: number): void {
    this.hwtail = v;
    this.i32[this.b + RING_HWTAIL_I32] = v;
    this.i32[this.b + RING_TAIL_I32] = v;
  }

  /**
   * Makes slot `k` harmless: its last validated buffer if that buffer is
   * still recorded at this slot, else buffer 0; len 0, no flags.
   */
  restoreSlot(k: number): void {
    let sh = this.u32[this.shadow + k]!;
    if (sh !== 0 && this.region.bufOwner(sh) !== this.slotCode(k)) {
      sh = 0;
      this.u32[this.shadow + k] = 0;
    }
    this.u32[this.bufs + k] = sh;
    this.u32[this.lfs + k] = 0;
  }

  /**
   * Checks the slots [hwcur, head) the user filled for sending, claiming
   * every buffer that changed. Returns the slot after the last complete
   * packet (no NS_MOREFRAG), or -1 when the range ends inside a packet. On a
   * bad slot, makes it harmless, resets the ring and throws SlotError
   * (nothing is published). Clears NS_BUF_CHANGED. Does not allocate.
   */
  checkTx(head: number): number {
    const { u32, n, bufs, lfs, shadow, offMask } = this;
    const bufSize = this.bufSize;
    let k = this.hwcur;
    let complete = -1;
    let frags = this.openFrags;
    let bytes = 0;
    if (offMask === 0 && frags === 0 && k !== head) {
      // The whole batch at once: no flags anywhere (they sit above len, so
      // any flag makes the OR larger than the limit) and, unless the ring is
      // trusted, every len within the buffer (the OR bounds each len) and
      // every buffer the one its slot had.
      this.runBytes = 0;
      const ok =
        this.checks === 'ring'
          ? orLenRange(u32, lfs, k, head, n) >>> 0 <= SLOT_LEN_MAX
          : k < head
            ? this.txRun(k, head)
            : this.txRun(k, n) && this.txRun(0, head);
      if (ok) {
        k = head;
        complete = head;
        bytes = this.checks === 'ring' ? orLenRangeSum : this.runBytes;
      }
    }
    while (k !== head) {
      const bi = u32[bufs + k]!;
      const lf = u32[lfs + k]!;
      bytes += lf & SLOT_LEN_MAX;
      if (bi !== u32[shadow + k] && (this.checks === 'slots' || (lf & BUF_CHANGED_HI) !== 0)) {
        const r = claimBuf(this.region, bi, this.slotCode(k));
        if (r !== CLAIM_OK)
          this.badTxSlot(k, 'bufIdx', bi, `a buffer this slot may hold: ${CLAIM_REASONS[r]}`);
        u32[shadow + k] = bi;
      }
      if (this.checks === 'slots') {
        const off = offMask === 0 ? 0 : u32[this.ptrs + k]! & offMask;
        if (off > this.maxOff)
          this.badTxSlot(k, 'offset', off, `at most ${this.maxOff} (maxOffset)`);
        if ((lf & SLOT_LEN_MAX) + off > bufSize)
          this.badTxSlot(
            k,
            'len',
            lf & SLOT_LEN_MAX,
            off === 0 ? `at most ${bufSize}` : `len + offset <= ${bufSize}`,
          );
      }
      if ((lf & MOREFRAG_HI) !== 0) {
        if (++frags >= MAX_FRAGS)
          this.badTxSlot(k, 'frags', frags + 1, `at most ${MAX_FRAGS} slots per packet`);
      } else frags = 0;
      if ((lf & BUF_CHANGED_HI) !== 0) u32[lfs + k] = lf & ~BUF_CHANGED_HI;
      k = k + 1 === n ? 0 : k + 1;
      if (frags === 0) complete = k;
    }
    this.openFrags = frags;
    this.count(ringSpace(this.hwcur, head, n), bytes);
    return complete;
  }

  /**
   * One straight run [start, end) of a validated txsync, in one pass over
   * the three columns: true when no slot has a flag, every len is within the
   * buffer (the OR bounds each len; flags sit above it) and every buffer is
   * the one its slot had (its shadow). Does not allocate.
   */
  private txRun(start: number, end: number): boolean {
    const { u32, bufs, lfs, shadow } = this;
    let lfOr = 0;
    let diff = 0;
    let bytes = 0;
    for (let j = start; j < end; j++) {
      const lf = u32[lfs + j]!;
      lfOr |= lf;
      bytes += lf & SLOT_LEN_MAX;
      diff |= u32[bufs + j]! ^ u32[shadow + j]!;
    }
    this.runBytes += bytes;
    const lim = this.bufSize < SLOT_LEN_MAX ? this.bufSize : SLOT_LEN_MAX;
    return diff === 0 && lfOr >>> 0 <= lim;
  }

  private badTxSlot(
    k: number,
    field: 'bufIdx' | 'len' | 'frags' | 'offset',
    value: number,
    limit: string,
  ): never {
    this.restoreSlot(k);
    this.resetHead();
    throw new SlotError(this.label, k, field, value, limit, false);
  }

  /**
   * Receive side, giving slots back: checks [hwcur, head) for buffers the
   * user swapped in (NS_BUF_CHANGED) and claims them. A buffer that may not
   * move here (still in another slot, on an extra list, free, or no buffer)
   * leaves the slot its last good buffer. Returns the first such error, or
   * null. Does not allocate when all is well.
   */
  checkRelease(head: number): SlotError | null {
    const { u32, n, bufs, lfs, shadow } = this;
    let bad: SlotError | null = null;
    // Most releases swap nothing: one OR over the batch's flags says so.
    if ((orRange(u32, lfs, this.hwcur, head, n) & BUF_CHANGED_HI) === 0) return null;
    for (let k = this.hwcur; k !== head; k = k + 1 === n ? 0 : k + 1) {
      if ((u32[lfs + k]! & BUF_CHANGED_HI) === 0) continue;
      const bi = u32[bufs + k]!;
      if (bi === u32[shadow + k]) continue;
      const r = claimBuf(this.region, bi, this.slotCode(k));
      if (r === CLAIM_OK) u32[shadow + k] = bi;
      else
        bad = this.repair(
          bad,
          k,
          'bufIdx',
          bi,
          `a buffer this slot may hold: ${CLAIM_REASONS[r]}`,
          false,
        );
    }
    return bad;
  }

  /**
   * Receive side, taking in [from, to) that the sender published: each slot
   * must hold the buffer the sender validated (its shadow) and a len (plus
   * offset) within the buffer; a bad slot is made harmless. The validated
   * buffer, len, flags and offset are copied into this kring (vBuf,
   * vLenFlags, vOff). With checks 'ring' nothing is checked or copied.
   * Returns the first error, or null. Stamps the ring when it asks for
   * timestamps. Does not allocate when all is well.
   */
  checkImport(from: number, to: number): SlotError | null {
    const { u32, n, bufs, lfs, shadow, offMask, bufSize } = this;
    const vlf = this.vLenFlags;
    const vbuf = this.vBuf;
    let bad: SlotError | null = null;
    let k = from;
    let bytes = 0;
    if (this.checks === 'ring') {
      // netmap's trust model: nothing to check or copy; recv reads the slots
      // as written, clamped to the buffer (packet-io.ts).
      k = to;
    } else if (offMask === 0) {
      // The whole batch in straight runs: copy each slot's buffer and
      // len|flags, and check afterwards that every buffer is its shadow and
      // every len within the buffer (the OR of the lens bounds each). A batch
      // that fails is gone over again slot by slot below.
      this.runBytes = 0;
      const ok =
        from <= to ? this.importRun(from, to) : this.importRun(from, n) && this.importRun(0, to);
      if (ok) {
        k = to;
        bytes = this.runBytes;
      }
    }
    const voff = this.vOff;
    const ptrs = this.ptrs;
    while (k !== to) {
      const bi = u32[bufs + k]!;
      const lf = u32[lfs + k]!;
      const off = offMask === 0 ? 0 : u32[ptrs + k]! & offMask;
      vbuf[k] = bi;
      if (bi !== u32[shadow + k]) {
        bad = this.repair(bad, k, 'bufIdx', bi, 'the buffer the sender validated', true);
        vlf[k] = 0;
        vbuf[k] = u32[bufs + k]!; // what repair put back (its last good buffer, or 0)
      } else if ((lf & SLOT_LEN_MAX) + off > bufSize) {
        bad = this.repair(bad, k, 'len', lf & SLOT_LEN_MAX, `len + offset <= ${bufSize}`, true);
        vlf[k] = 0;
      } else {
        vlf[k] = lf;
        bytes += lf & SLOT_LEN_MAX;
      }
      if (offMask !== 0) voff[k] = off;
      k = k + 1 === n ? 0 : k + 1;
    }
    this.count(ringSpace(from, to, n), bytes);
    if ((this.i32[this.b + RING_FLAGS_I32]! & NR_TIMESTAMP) !== 0) {
      this.region.f64[((this.b << 2) + RING_TS_F64_BYTE) >>> 3] =
        performance.timeOrigin + performance.now();
    }
    return bad;
  }

  /**
   * One straight run [start, end) of an import: copies each slot's buffer
   * and len|flags into the kring and returns true when every buffer is its
   * shadow and every len within the buffer (the OR of the lens bounds each).
   * Does not allocate.
   */
  private importRun(start: number, end: number): boolean {
    const { u32, bufs, lfs, shadow } = this;
    const vbuf = this.vBuf;
    const vlf = this.vLenFlags;
    let diff = 0;
    let lens = 0;
    let bytes = 0;
    for (let j = start; j < end; j++) {
      const bi = u32[bufs + j]!;
      const lf = u32[lfs + j]!;
      vbuf[j] = bi;
      vlf[j] = lf;
      diff |= bi ^ u32[shadow + j]!;
      lens |= lf & SLOT_LEN_MAX;
      bytes += lf & SLOT_LEN_MAX;
    }
    this.runBytes += bytes;
    return diff === 0 && lens <= this.bufSize;
  }

  /** Makes slot `k` harmless after a bad value found on receive, counts it, and keeps the first error. */
  private repair(
    first: SlotError | null,
    k: number,
    field: 'bufIdx' | 'len',
    value: number,
    limit: string,
    fromPeer: boolean,
  ): SlotError {
    this.restoreSlot(k);
    this.countError();
    if (fromPeer) this.countDrop(RING_DROP_BAD_SLOT);
    return first ?? new SlotError(this.label, k, field, value, limit, fromPeer);
  }

  /** Slots between cur and tail (what poll calls ready). */
  ready(): boolean {
    return this.i32[this.b + RING_CUR_I32] !== this.i32[this.b + RING_TAIL_I32];
  }
}
