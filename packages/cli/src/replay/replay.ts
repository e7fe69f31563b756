/**
 * Replay (nmreplay): sends the packets of a capture file into a port at the
 * times the models give (models.ts), in order, in batches of what is due.
 *
 * The file is read and checked whole before the first packet goes (a bad
 * file sends nothing), as nmreplay builds its whole schedule first. Time
 * comes from a ReplayClock: the real one waits with timers for long gaps and
 * yields to the event loop for short ones; tests pass a virtual clock whose
 * sleep just moves time, so the models are checked against their
 * definition, not against the machine's timing.
 */
import { OptionError, POLLOUT, type Port } from '@pktfabric/core';
import { XorShift32 } from '@pktfabric/examples';
import type { CaptureFile } from '../pcap/read.js';
import { type Bandwidth, type Delay, type Loss, Schedule, type TracePacket } from './models.js';

/** A time source: ns from an arbitrary start, and a way to let time pass. */
export interface ReplayClock {
  nowNs(): number;
  sleepNs(ns: number): Promise<void>;
}

/** The machine's monotonic clock: timers for waits over 2 ms, an event-loop turn for shorter. */
export const realClock: ReplayClock = {
  nowNs: () => performance.now() * 1e6,
  sleepNs: (ns) =>
    new Promise((resolve) => {
      if (ns > 2e6) setTimeout(resolve, Math.floor(ns / 1e6) - 1);
      else setImmediate(resolve);
    }),
};

/** A clock that only moves when slept on (tests). */
export class VirtualClock implements ReplayClock {
  now = 0;
  nowNs(): number {
    return this.now;
  }
  sleepNs(ns: number): Promise<void> {
    this.now += ns;
    return Promise.resolve();
  }
}

/** What replay sends into: a port (portTarget) or a recorder in tests. */
export interface ReplayTarget {
  /** Sends up to `count` packets of `list` from `from`, in order; returns how many went. */
  sendBatch(list: readonly Uint8Array[], from: number, count: number): number;
  /** Resolves when there may be room again. */
  waitWritable(): Promise<void>;
  /** Largest packet it takes. */
  readonly maxPacketBytes: number;
}

export function portTarget(port: Port): ReplayTarget {
  return {
    sendBatch: (list, from, count) => port.sendBatch(list, from, count),
    waitWritable: async () => {
      await port.pollAsync(POLLOUT, 100);
    },
    maxPacketBytes: port.maxPacketBytes,
  };
}

/** A capture file ready to play: each frame at its wire length (snapped packets zero-padded, as nmreplay). */
export interface PreparedTrace {
  trace: TracePacket[];
  frames: Uint8Array[];
}

/**
 * Turns a checked capture file into frames and model input. Throws
 * OptionError when a frame is longer than `maxPacketBytes`. Allocates
 * (a padded copy of each snapped packet).
 */
export function prepareTrace(file: CaptureFile, maxPacketBytes = Infinity): PreparedTrace {
  const ps = file.packets;
  const t0 = ps.length > 0 ? ps[0]!.tsNs : 0n;
  const trace: TracePacket[] = [];
  const frames: Uint8Array[] = [];
  let prev = 0;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    if (p.origLen > maxPacketBytes)
      throw new OptionError(
        `packet ${i + 1} of the file`,
        `at most ${maxPacketBytes} bytes (what the port takes)`,
        p.origLen,
      );
    let f = p.data;
    if (p.origLen > f.length) {
      f = new Uint8Array(p.origLen);
      f.set(p.data);
    }
    // Time never runs backwards in the schedule (nmreplay only warns; its arithmetic assumes it).
    const ts = Number(p.tsNs - t0);
    prev = ts > prev ? ts : prev;
    trace.push({ len: p.origLen, tsNs: prev });
    frames.push(f);
  }
  return { trace, frames };
}

export interface ReplayOptions {
  /** @defaultValue { kind: 'real', speedup: 1 } */
  bandwidth?: Bandwidth;
  /** @defaultValue none */
  delay?: Delay;
  /** @defaultValue none */
  loss?: Loss;
  /** Times the trace is played (`-n`). @defaultValue 1 */
  rounds?: number;
  /** Most packets per send (`-b`). @defaultValue 128 */
  burst?: number;
  /** Seed of the delay and loss draws. @defaultValue 1 */
  seed?: number;
  /** @defaultValue realClock */
  clock?: ReplayClock;
  signal?: AbortSignal;
  /** Called every intervalMs of the clock with the last interval's numbers. */
  onInterval?: (p: ReplayProgress) => void;
  /** @defaultValue 1000 */
  intervalMs?: number;
}

export interface ReplayProgress {
  atMs: number;
  intervalMs: number;
  packets: number;
  bytes: number;
  batches: number;
}

export interface ReplaySummary {
  sent: number;
  bytes: number;
  batches: number;
  lost: number;
  bursts: number;
  rounds: number;
  elapsedNs: number;
  ended: 'done' | 'stopped';
}

function posInt(name: string, v: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
    throw new OptionError(name, `an integer from 1 to ${max}`, v);
  return v;
}

/**
 * Plays `prepared` into `target`. Resolves with the summary when the
 * schedule ends or `signal` aborts. Does not allocate per packet.
 */
export async function replay(
  target: ReplayTarget,
  prepared: PreparedTrace,
  opts: ReplayOptions = {},
): Promise<ReplaySummary> {
  const rounds = posInt('rounds', opts.rounds ?? 1);
  const burst = posInt('burst', opts.burst ?? 128, 8192);
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new OptionError('seed', 'an integer from 0 to 2^32-1', seed);
  const intervalNs = posInt('intervalMs', opts.intervalMs ?? 1000) * 1e6;
  const clock = opts.clock ?? realClock;
  const frames = prepared.frames;
  for (let i = 0; i < frames.length; i++)
    if (frames[i]!.length > target.maxPacketBytes)
      throw new OptionError(
        `packet ${i + 1} of the file`,
        `at most ${target.maxPacketBytes} bytes (what the port takes)`,
        frames[i]!.length,
      );
  const sched = new Schedule(
    prepared.trace,
    rounds,
    opts.bandwidth ?? { kind: 'real', speedup: 1 },
    opts.delay ?? { kind: 'none' },
    opts.loss ?? { kind: 'none' },
    new XorShift32(seed),
  );
  const list = new Array<Uint8Array>(burst);
  const t0 = clock.nowNs();
  let sent = 0;
  let bytes = 0;
  let batches = 0;
  let last = { at: 0, sent: 0, bytes: 0, batches: 0 };
  let nextReport = intervalNs;
  let ended: ReplaySummary['ended'] = 'done';
  const aborted = (): boolean => opts.signal?.aborted === true;
  let have = sched.next();
  while (have) {
    if (aborted()) {
      ended = 'stopped';
      break;
    }
    const now = clock.nowNs() - t0;
    if (now >= nextReport) {
      opts.onInterval?.({
        atMs: now / 1e6,
        intervalMs: (now - last.at) / 1e6,
        packets: sent - last.sent,
        bytes: bytes - last.bytes,
        batches: batches - last.batches,
      });
      last = { at: now, sent, bytes, batches };
      nextReport = now + intervalNs;
    }
    if (sched.dueNs > now) {
      await clock.sleepNs(Math.min(sched.dueNs - now, nextReport - now));
      continue;
    }
    let n = 0;
    while (have && n < burst && sched.dueNs <= now) {
      const f = frames[sched.index]!;
      list[n++] = f;
      bytes += f.length;
      have = sched.next();
    }
    let off = 0;
    while (off < n) {
      off += target.sendBatch(list, off, n - off);
      if (off < n) {
        if (aborted()) break;
        await target.waitWritable();
      }
    }
    sent += off;
    batches++;
  }
  return {
    sent,
    bytes,
    batches,
    lost: sched.lost,
    bursts: sched.bursts,
    rounds,
    elapsedNs: clock.nowNs() - t0,
    ended,
  };
}
