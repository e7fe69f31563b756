/**
 * The data path of one stage replica, run in its worker in time slices:
 * `step(deadline)` moves batches until the deadline and returns, so that
 * the worker can answer control calls (comlink) in between. Blocking waits
 * inside a step are polls bounded by the deadline.
 *
 * Packets move zero-copy: a packet that goes on swaps buffers between the
 * input's RX slot and the output's TX slot (both with NS_BUF_CHANGED), as
 * netmap's bridge does for ports that share memory. Dropped packets just go
 * back to the input ring.
 *
 * End of stream: an input is done when its peer has closed and its ring is
 * drained; a stage whose inputs are all done finishes, and closing its
 * outputs tells the next stage the same.
 */
import {
  atomicsWaiter,
  lfLen,
  NS_BUF_CHANGED,
  packLenFlags,
  ringNext,
  type Region,
  type RingView,
} from '@pktfabric/core';
import { POLLIN, POLLOUT, type Port } from '@pktfabric/core';
import { FrameWriter } from '../frames/frame-writer.js';
import { RateLimiter } from '../stats/rate-limiter.js';
import { FrameSizes } from '../stats/frame-sizes.js';
import { SlotBatch } from './packet-batch.js';
import type { StageStats } from './stage-stats.js';
import type { BatchFn, StageContext } from './stages/context.js';
import type { GenConfig } from './stages/gen.js';

/** Longest single poll when there is only one ring to wait on, and when there are several (rotating). */
const POLL_ONE_MS = 50;
const POLL_MANY_MS = 2;

/** 0 run, 1 drain (sources stop making packets; the rest drains), 2 now (everyone stops at once). */
export type StopMode = 0 | 1 | 2;

abstract class Runtime {
  packets = 0;
  bytes = 0;
  drops = 0;
  out = 0;
  batches = 0;
  firstMs = -1;
  lastMs = 0;
  stopMode: StopMode = 0;
  protected readonly u32: Uint32Array;
  protected readonly bufBase: number;
  protected readonly bufSize: number;
  protected readonly txr: RingView[];
  protected readonly outDead: Uint8Array;
  protected nOutDead = 0;
  protected outRr = 0;
  protected readonly oHead: Int32Array;
  protected readonly oTail: Int32Array;
  protected readonly oTouched: Uint8Array;

  constructor(
    protected readonly region: Region,
    readonly ctx: StageContext & { kind: string },
    protected readonly inputs: Port[],
    protected readonly outputs: Port[],
    protected readonly burst: number,
  ) {
    this.u32 = region.u32;
    this.bufBase = region.bufBase;
    this.bufSize = region.bufSize;
    this.txr = outputs.map((e) => e.txRings[0]!);
    this.outDead = new Uint8Array(outputs.length);
    this.oHead = new Int32Array(outputs.length);
    this.oTail = new Int32Array(outputs.length);
    this.oTouched = new Uint8Array(outputs.length);
  }

  /** Runs until `deadline` (performance.now ms). Returns true when the stage has finished. */
  abstract step(deadline: number): boolean;

  stats(): StageStats {
    return {
      name: this.ctx.name,
      kind: this.ctx.kind,
      index: this.ctx.index,
      replica: this.ctx.replica,
      packets: this.packets,
      bytes: this.bytes,
      drops: this.drops,
      out: this.out,
      batches: this.batches,
      counters: { ...this.ctx.counters },
      activeMs: this.firstMs < 0 ? 0 : this.lastMs - this.firstMs,
    };
  }

  /** Closes every end (peers see POLLHUP after draining). Never throws. */
  closeAll(): void {
    for (const ep of [...this.inputs, ...this.outputs]) {
      try {
        if (!ep.isClosed) ep.close();
      } catch {
        // closing is best effort: the pipe is destroyed by its last reference anyway
      }
    }
  }

  /** Marks outputs whose next stage has gone. Returns true when all have. */
  protected checkOutputs(): boolean {
    for (let o = 0; o < this.outputs.length; o++) {
      if (this.outDead[o] === 0 && this.outputs[o]!.peerClosed) {
        this.outDead[o] = 1;
        this.nOutDead++;
      }
    }
    return this.outputs.length > 0 && this.nOutDead === this.outputs.length;
  }

  /** Loads every live output's head and tail into the cache. */
  protected loadOutputs(): void {
    for (let o = 0; o < this.txr.length; o++) {
      this.oHead[o] = this.txr[o]!.head;
      this.oTail[o] = this.txr[o]!.tail;
      this.oTouched[o] = 0;
    }
  }

  /** The next live output with a free slot (round-robin), reclaiming with txsync when all look full; -1 if none. */
  protected pickOutput(): number {
    const n = this.txr.length;
    for (let pass = 0; pass < 2; pass++) {
      for (let t = 0; t < n; t++) {
        const o = this.outRr;
        this.outRr = o + 1 === n ? 0 : o + 1;
        if (this.outDead[o] === 0 && this.oHead[o] !== this.oTail[o]) return o;
      }
      if (pass === 0) {
        // Everything looked full: publish what we wrote and reclaim what the next stages released.
        for (let o = 0; o < n; o++) {
          if (this.outDead[o] !== 0) continue;
          const r = this.txr[o]!;
          r.head = r.cur = this.oHead[o]!;
          this.outputs[o]!.txsync();
          this.oTouched[o] = 0;
          this.oTail[o] = r.tail;
        }
      }
    }
    return -1;
  }

  /** Publishes the cached heads of the outputs written since loadOutputs. */
  protected publishOutputs(): void {
    for (let o = 0; o < this.txr.length; o++) {
      if (this.oTouched[o] === 0) continue;
      const r = this.txr[o]!;
      r.head = r.cur = this.oHead[o]!;
      this.outputs[o]!.txsync();
      this.oTouched[o] = 0;
    }
  }

  /** Waits (bounded) for room on some full live output. */
  protected waitOutput(ms: number): void {
    const n = this.outputs.length;
    for (let t = 0; t < n; t++) {
      const o = this.outRr;
      this.outRr = o + 1 === n ? 0 : o + 1;
      if (this.outDead[o] !== 0) continue;
      const r = this.txr[o]!;
      r.cur = r.tail;
      const live = n - this.nOutDead;
      this.outputs[o]!.poll(POLLOUT, Math.min(ms, live > 1 ? POLL_MANY_MS : POLL_ONE_MS));
      return;
    }
  }
}

/** gen: makes frames straight into the TX slots of its outputs, spread round-robin packet by packet. */
export class SourceRuntime extends Runtime {
  private readonly writer: FrameWriter;
  private readonly sizes: FrameSizes;
  private readonly limiter: RateLimiter | null;
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;

  constructor(
    region: Region,
    ctx: StageContext & { kind: string },
    outputs: Port[],
    burst: number,
    private readonly cfg: GenConfig,
  ) {
    super(region, ctx, [], outputs, cfg.burst > 0 ? cfg.burst : burst);
    this.writer = new FrameWriter(cfg.frame);
    this.sizes = new FrameSizes(cfg.sizeMin, cfg.sizeMax, cfg.seed + ctx.replica);
    this.limiter = cfg.rate > 0 ? new RateLimiter(cfg.rate, this.burst) : null;
  }

  step(deadline: number): boolean {
    const { u32, bufBase, bufSize, cfg } = this;
    const u8 = this.region.u8;
    for (;;) {
      if (this.stopMode !== 0) return true;
      if (cfg.count > 0 && this.packets >= cfg.count) return true;
      if (this.checkOutputs()) return true;
      const now = performance.now();
      if (now >= deadline) return false;
      if (this.firstMs < 0) this.firstMs = now;
      let want = this.burst;
      if (cfg.count > 0 && cfg.count - this.packets < want) want = cfg.count - this.packets;
      if (this.limiter !== null) {
        const a = this.limiter.allowance(now);
        if (a === 0) {
          atomicsWaiter.wait(
            this.sleeper,
            0,
            0,
            Math.min(this.limiter.waitMs(now), deadline - now),
          );
          continue;
        }
        if (a < want) want = a;
      }
      this.loadOutputs();
      let m = 0;
      let bytes = 0;
      while (m < want) {
        const o = this.pickOutput();
        if (o < 0) break;
        const r = this.txr[o]!;
        const h = this.oHead[o]!;
        const len = this.sizes.next();
        this.writer.write(
          u8,
          bufBase + u32[r.bufIdxBase + h]! * bufSize + (u32[r.ptrLoBase + h]! & r.offsetMask),
          len,
          this.seq,
        );
        this.seq = (this.seq + 1) >>> 0;
        u32[r.lenFlagsBase + h] = len;
        this.oHead[o] = ringNext(h, r.numSlots);
        this.oTouched[o] = 1;
        m++;
        bytes += len;
      }
      this.publishOutputs();
      if (m === 0) {
        this.waitOutput(deadline - now);
        continue;
      }
      this.limiter?.consume(m);
      this.packets += m;
      this.out += m;
      this.bytes += bytes;
      this.batches++;
      this.lastMs = performance.now();
    }
  }
}

/** Every other stage: read a batch from an input, run the stage function, pass the survivors on. */
export class StageRuntime extends Runtime {
  private readonly batch: SlotBatch;
  private readonly rxr: RingView[];
  private readonly inDone: Uint8Array;
  private nInDone = 0;
  private inRr = 0;
  private active = false;
  private fwdPos = 0;
  private batchInput = -1;
  private batchEnd = 0;

  constructor(
    region: Region,
    ctx: StageContext & { kind: string },
    inputs: Port[],
    outputs: Port[],
    burst: number,
    private readonly fn: BatchFn | null,
  ) {
    super(region, ctx, inputs, outputs, burst);
    this.batch = new SlotBatch(region.u8, burst);
    this.rxr = inputs.map((e) => e.rxRings[0]!);
    this.inDone = new Uint8Array(inputs.length);
  }

  step(deadline: number): boolean {
    for (;;) {
      if (this.stopMode === 2) return true;
      const now = performance.now();
      if (now >= deadline) return false;
      if (this.active) {
        const allGone = this.checkOutputs();
        if (this.forward()) {
          this.finishBatch();
          continue;
        }
        if (allGone) {
          // Nobody downstream any more: what is left of the batch is dropped, and the stage ends.
          for (let i = this.fwdPos; i < this.batch.length; i++)
            if (!this.batch.dropped(i)) this.drops++;
          this.finishBatch();
          return true;
        }
        this.waitOutput(deadline - now);
        continue;
      }
      if (!this.fetch()) {
        if (this.nInDone === this.inputs.length) return true;
        this.waitInput(deadline - now);
        continue;
      }
      if (this.firstMs < 0) this.firstMs = now;
      if (this.fn !== null) this.fn(this.batch, this.ctx);
      this.drops += this.batch.dropCount();
      this.active = true;
      this.fwdPos = 0;
    }
  }

  /** Fills the batch from the next input that has packets. False when none has. */
  private fetch(): boolean {
    const n = this.inputs.length;
    for (let j = 0; j < n; j++) {
      const k = this.inRr;
      this.inRr = k + 1 === n ? 0 : k + 1;
      if (this.inDone[k] !== 0) continue;
      const ep = this.inputs[k]!;
      // Read the peer's state before syncing: all it sent before closing is then visible.
      const closed = ep.peerClosed;
      ep.rxsync();
      const rx = this.rxr[k]!;
      let h = rx.head;
      const t = rx.tail;
      if (h === t) {
        if (closed) {
          this.inDone[k] = 1;
          this.nInDone++;
        }
        continue;
      }
      const { u32, bufBase, bufSize, batch } = this;
      const mask = rx.offsetMask;
      const ns = rx.numSlots;
      batch.reset();
      let bytes = 0;
      while (h !== t && batch.length < this.burst) {
        const base = bufBase + u32[rx.bufIdxBase + h]! * bufSize;
        const off = u32[rx.ptrLoBase + h]! & mask;
        const len = lfLen(u32[rx.lenFlagsBase + h]!);
        batch.push(h, base + off, len, bufSize - off);
        bytes += len;
        h = ringNext(h, ns);
      }
      this.packets += batch.length;
      this.bytes += bytes;
      this.batchInput = k;
      this.batchEnd = h;
      return true;
    }
    return false;
  }

  /** Passes the batch's survivors on from fwdPos. True when all went; false when the outputs are full. */
  private forward(): boolean {
    const { batch, u32 } = this;
    if (this.outputs.length === 0) {
      for (let i = this.fwdPos; i < batch.length; i++) if (!batch.dropped(i)) this.out++;
      this.fwdPos = batch.length;
      return true;
    }
    const rx = this.rxr[this.batchInput]!;
    this.loadOutputs();
    let i = this.fwdPos;
    for (; i < batch.length; i++) {
      if (batch.dropped(i)) continue;
      const o = this.pickOutput();
      if (o < 0) break;
      const r = this.txr[o]!;
      const h = this.oHead[o]!;
      const rk = batch.slots[i]!;
      // Swap buffers: the packet's buffer goes out, the TX slot's empty one takes its place in the RX slot.
      const pkt = u32[rx.bufIdxBase + rk]!;
      u32[rx.bufIdxBase + rk] = u32[r.bufIdxBase + h]!;
      u32[rx.lenFlagsBase + rk] = packLenFlags(lfLen(u32[rx.lenFlagsBase + rk]!), NS_BUF_CHANGED);
      u32[r.bufIdxBase + h] = pkt;
      u32[r.lenFlagsBase + h] = packLenFlags(batch.len(i), NS_BUF_CHANGED);
      u32[r.ptrLoBase + h] =
        (u32[r.ptrLoBase + h]! & ~r.offsetMask) |
        ((batch.offset(i) - this.bufBase - pkt * this.bufSize) & r.offsetMask);
      this.oHead[o] = ringNext(h, r.numSlots);
      this.oTouched[o] = 1;
      this.out++;
    }
    this.publishOutputs();
    this.fwdPos = i;
    return i === batch.length;
  }

  private finishBatch(): void {
    const rx = this.rxr[this.batchInput]!;
    rx.head = rx.cur = this.batchEnd;
    this.active = false;
    this.batches++;
    this.lastMs = performance.now();
  }

  /** Waits (bounded) for packets on some input that is not done. */
  private waitInput(ms: number): void {
    const n = this.inputs.length;
    const live = n - this.nInDone;
    for (let t = 0; t < n; t++) {
      const k = this.inRr;
      this.inRr = k + 1 === n ? 0 : k + 1;
      if (this.inDone[k] !== 0) continue;
      this.inputs[k]!.poll(POLLIN, Math.min(ms, live > 1 ? POLL_MANY_MS : POLL_ONE_MS));
      return;
    }
  }
}
