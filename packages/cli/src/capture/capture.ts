/**
 * Capture: reads every packet that reaches a port (a copy monitor `NAME/t`,
 * `/r`, `/tr` of a pipe end or a switch port, which sees the traffic without
 * taking it, or a pipe end opened as the consumer) and writes it to a pcap or
 * pcapng file.
 *
 * One clock read and one batch per wake-up: all packets of a batch carry the
 * batch's timestamp (ns since the epoch). The loop waits with pollAsync, so
 * the event loop turns (Ctrl-C, timers) while no packet comes.
 */
import {
  IF_KIND_I32,
  ifWord,
  POLLHUP,
  POLLIN,
  readPortCounters,
  RING_DROP_RING_FULL,
  type Port,
} from '@pktfabric/core';
import { OptionError } from '@pktfabric/core';
import { monitorDrops, monitorUnserved, PORT_KIND_MONITOR } from '@pktfabric/vale';
import type { CaptureWriter } from '../pcap/write.js';
import { RxReader } from './rx-reader.js';

/** The time source of a capture: ns since the epoch, as a BigInt. */
export type CaptureClock = () => bigint;

/** Wall clock with a monotonic ns fraction: Date.now() once, hrtime after that. */
export function wallClockNs(): CaptureClock {
  const epoch0 = BigInt(Date.now()) * 1_000_000n;
  const hr0 = process.hrtime.bigint();
  return () => epoch0 + (process.hrtime.bigint() - hr0);
}

export interface CaptureOptions {
  /** Stop after this many packets, 0 for no limit. @defaultValue 0 */
  count?: number;
  /** Stop after this many ms, 0 for no limit. @defaultValue 0 */
  durationMs?: number;
  /** Aborting ends the capture cleanly (the file is completed). */
  signal?: AbortSignal;
  /** Packets taken per batch. @defaultValue 512 */
  batch?: number;
  /** Time source (a test passes a fixed or virtual clock). @defaultValue wallClockNs() */
  clock?: CaptureClock;
  /** Called every `intervalMs` with the running totals. */
  onInterval?: (p: CaptureProgress) => void;
  /** @defaultValue 1000 */
  intervalMs?: number;
}

export interface CaptureProgress {
  captured: number;
  bytes: number;
  elapsedMs: number;
}

export interface CaptureSummary extends CaptureProgress {
  /** Packets cut to the snap length. */
  snapped: number;
  /** Packets the port dropped for lack of room while we captured (a monitor's ring-full drops). */
  dropped: number;
  ended: 'count' | 'duration' | 'stopped' | 'peer-closed';
  /**
   * A monitor only: the monitored port was synced by a thread without the
   * monitor hook (its process never loaded `@pktfabric/vale`), so frames
   * were missed that no count shows.
   */
  unserved: boolean;
}

function nonNegInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new OptionError(name, 'a non-negative integer', v);
  return v;
}

/** Packets the port missed for lack of room: its RX rings' ring-full drops, and a monitor's own count. */
function ringFullDrops(port: Port): number {
  const c = readPortCounters(port.region, port.ifIdx);
  let d = 0;
  for (const r of c.rings) if (r.dir === 'rx') d += r.drops[RING_DROP_RING_FULL]!;
  if (port.region.i32[ifWord(port.region, port.ifIdx, IF_KIND_I32)] === PORT_KIND_MONITOR)
    d += monitorDrops(port);
  return d;
}

/**
 * Captures from `port` into `writer` until the count, the duration, an abort
 * or the other side closing; then finishes the file (complete and valid)
 * and returns what it did. Reads the slots the port's rxsync validated and
 * copies them straight into the file buffer (rx-reader.ts): no allocation
 * per packet (a BigInt per batch, for the time).
 */
export async function capturePort(
  port: Port,
  writer: CaptureWriter,
  opts: CaptureOptions = {},
): Promise<CaptureSummary> {
  const count = nonNegInt('count', opts.count ?? 0);
  const durationMs = nonNegInt('durationMs', opts.durationMs ?? 0);
  const batch = nonNegInt('batch', opts.batch ?? 512);
  if (batch < 1) throw new OptionError('batch', 'an integer >= 1', batch);
  const intervalMs = nonNegInt('intervalMs', opts.intervalMs ?? 1000);
  const clock = opts.clock ?? wallClockNs();
  const drops0 = ringFullDrops(port);
  const t0 = performance.now();
  const deadline = durationMs > 0 ? t0 + durationMs : Infinity;
  let nextReport = t0 + intervalMs;
  let captured = 0;
  let bytes = 0;
  let snapped = 0;
  let ended: CaptureSummary['ended'] = 'stopped';
  const reader = new RxReader(port);
  for (;;) {
    if (opts.signal?.aborted === true) break;
    const now = performance.now();
    if (now >= deadline) {
      ended = 'duration';
      break;
    }
    if (opts.onInterval !== undefined && intervalMs > 0 && now >= nextReport) {
      opts.onInterval({ captured, bytes, elapsedMs: now - t0 });
      nextReport = now + intervalMs;
    }
    const ev = await port.pollAsync(POLLIN, Math.min(100, deadline - now));
    const want = count > 0 ? Math.min(batch, count - captured) : batch;
    if (reader.ready()) {
      const t = clock();
      writer.setTime(Number(t / 1_000_000_000n), Number(t % 1_000_000_000n));
      const got = reader.drain(writer, want);
      captured += got;
      bytes += reader.bytes;
      snapped += reader.snapped;
      if (count > 0 && captured >= count) {
        ended = 'count';
        break;
      }
    } else if ((ev & POLLHUP) !== 0) {
      ended = 'peer-closed';
      break;
    }
  }
  port.rxsync(); // gives the last packets back
  const dropped = ringFullDrops(port) - drops0;
  writer.finish({ received: captured, dropped });
  return {
    captured,
    bytes,
    snapped,
    dropped,
    ended,
    unserved: monitorUnserved(port),
    elapsedMs: performance.now() - t0,
  };
}
