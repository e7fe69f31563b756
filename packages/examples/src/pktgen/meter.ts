/**
 * Counts packets, bytes and batches of one pktgen end, emits an interval
 * event every `reportMs`, and builds the summary numbers. `add` and `tick`
 * do not allocate unless a report is due.
 */
import { WIRE_OVERHEAD_BYTES } from '../frames/frame-layout.js';
import type { IntervalEvent, PktgenSummary } from './events.js';
import type { PktgenMode } from './options.js';

export class Meter {
  packets = 0;
  bytes = 0;
  batches = 0;
  /** When the clock started (ms, performance.now), -1 before. */
  startMs = -1;
  /** Time of the last batch. */
  lastMs = 0;
  private nextReport = Infinity;
  private repMs = 0;
  private repPackets = 0;
  private repBytes = 0;
  private repBatches = 0;

  constructor(
    readonly mode: PktgenMode,
    readonly port: string,
    readonly reportMs: number,
    private readonly emit: (ev: IntervalEvent) => void,
    private readonly intervalRtt?: () => IntervalEvent['rtt'],
  ) {}

  start(now: number): void {
    this.startMs = this.repMs = this.lastMs = now;
    if (this.reportMs > 0) this.nextReport = now + this.reportMs;
  }

  get started(): boolean {
    return this.startMs >= 0;
  }

  add(packets: number, bytes: number, now: number): void {
    this.packets += packets;
    this.bytes += bytes;
    this.batches++;
    this.lastMs = now;
  }

  /** ms until the next report is due (Infinity when none). */
  untilReport(now: number): number {
    return this.nextReport - now;
  }

  /** Emits an interval event when one is due. */
  tick(now: number): void {
    if (now < this.nextReport) return;
    const dt = now - this.repMs;
    const p = this.packets - this.repPackets;
    const b = this.bytes - this.repBytes;
    const k = this.batches - this.repBatches;
    this.emit({
      type: 'interval',
      mode: this.mode,
      port: this.port,
      atMs: now - this.startMs,
      intervalMs: dt,
      packets: p,
      bytes: b,
      batches: k,
      pps: dt > 0 ? (p * 1000) / dt : 0,
      bps: dt > 0 ? (b * 8000) / dt : 0,
      avgBatch: k > 0 ? p / k : 0,
      rtt: this.intervalRtt?.(),
    });
    this.repMs = now;
    this.repPackets = this.packets;
    this.repBytes = this.bytes;
    this.repBatches = this.batches;
    this.nextReport = now + this.reportMs;
    if (this.nextReport < now) this.nextReport = now + this.reportMs;
  }

  summary(ended: PktgenSummary['ended']): PktgenSummary {
    const ms = this.startMs < 0 ? 0 : this.lastMs - this.startMs;
    const sec = ms / 1000;
    return {
      mode: this.mode,
      port: this.port,
      packets: this.packets,
      bytes: this.bytes,
      batches: this.batches,
      elapsedMs: ms,
      pps: sec > 0 ? this.packets / sec : 0,
      bps: sec > 0 ? (this.bytes * 8) / sec : 0,
      rawBps: sec > 0 ? ((this.bytes + this.packets * WIRE_OVERHEAD_BYTES) * 8) / sec : 0,
      avgBatch: this.batches > 0 ? this.packets / this.batches : 0,
      ended,
    };
  }
}
