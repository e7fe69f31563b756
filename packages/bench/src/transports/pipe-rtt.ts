/**
 * Round trips through a pipe between two threads (cases pipe-rtt-spin and
 * pipe-rtt-park): one packet in flight, ping-pong, the latency rather than
 * the rate. The same region and pipe as the pipe cases (setupPipe); the
 * per-packet work is the index work (packet-work.ts: the len is the packet,
 * the payload untouched), so the round trip is the transport's alone.
 *
 * - **ping** (the engine's receiver side: it owns the measuring window)
 *   writes one packet into its TX ring, notes the time, `txsync`s, and waits
 *   for the echo with `poll(POLLIN)`; the round trip ends when the echo is
 *   in its RX ring. Round trips completed while the window is open go into a
 *   histogram (rtt.ts); its rate is round trips per second.
 * - **pong** (the engine's sender side) waits with `poll(POLLIN)`, reads
 *   each packet (the same work's read) and puts one of the same length in
 *   its TX ring, then `txsync`s.
 *
 * How a side waits is the case: `spin` opens both ends with core's default
 * spin (POLL_SPIN peeks, some tens of microseconds: the answer comes back
 * well within it, so a waiting side catches it spinning and parks only when
 * its peer lost its CPU; the notify count shows how often), `park` with no
 * spin (a waiting side sleeps on the doorbell at once and is woken by the
 * other's sync: two wake-ups per round trip). A longer spin would not be
 * faster, only worse when the two sides share a CPU: a side that spins
 * there holds the CPU its peer needs to answer. Ping's and pong's checksums are the folds of the packets each
 * read, so a lost, duplicated or resized echo fails the run.
 *
 * The run ends when ping, after the window closed and its last echo came
 * back, marks itself done (control RECEIVER_DONE) and closes its end; pong
 * sees the mark (or the close) with nothing in flight and ends.
 */
import { attachRegion, type ChecksMode, type Port, type RegionMemory } from '@pktfabric/core';
import { openPort, POLL_SPIN, POLLHUP, POLLIN, POLLOUT } from '@pktfabric/pipes';
import { CONTROL_POLL_MS, MeasureWindow, type Control } from '../control.js';
import { CTL_RECEIVER_DONE_I32, PHASE_MEASURE } from '../layout/control-layout.js';
import type { SideResult } from '../protocol.js';
import { RttHistogram } from '../rtt.js';
import {
  defineTransport,
  type RttWait,
  type SideContext,
  type TransportCase,
} from '../transport.js';
import { setupPipe } from './pipe.js';

const LEN_MASK = 0xffff;

/**
 * Peeks a waiting poll makes before it parks: core's default (POLL_SPIN,
 * 20 000 peeks, some tens of microseconds, far longer than a round trip) or
 * none (it parks at once).
 */
export const RTT_SPIN: Readonly<Record<RttWait, number>> = { spin: POLL_SPIN, park: 0 };

/** What each side gets: the region, its end, the checks mode and the spin both ends open with. */
export interface RttSide {
  sab: SharedArrayBuffer | RegionMemory;
  portName: string;
  checks: ChecksMode;
  spin: number;
}

/** The spin both ends of a round-trip case open with (its TransportCase.rtt). */
export function rttSpin(cases: readonly TransportCase[], caseName: string): number {
  const wait = cases.find((c) => c.name === caseName)?.rtt;
  if (wait === undefined) throw new RangeError(`${caseName} is not a round-trip case`);
  return RTT_SPIN[wait];
}

export const pipeRttTransport = defineTransport({
  name: 'pipe-rtt',
  family: { label: 'pktfabric pipe', color: '#1f77b4' },
  cases: [
    { name: 'pipe-rtt-spin', work: 'index', mode: 'slots', rtt: 'spin' },
    { name: 'pipe-rtt-park', work: 'index', mode: 'slots', rtt: 'park' },
  ],
  setup(ctx) {
    const shared = setupPipe(ctx);
    const spin = rttSpin(pipeRttTransport.cases, ctx.caseName);
    return {
      ...shared,
      sender: { data: { ...shared.sender.data, spin } },
      receiver: { data: { ...shared.receiver.data, spin } },
    };
  },
  run: (ctx) => (ctx.role === 'sender' ? rttPong(ctx) : rttPing(ctx)),
});

/** True once ping marked itself done (it sends nothing more). One Atomics.load. */
export function pingDone(control: Control): boolean {
  return Atomics.load(control.i32, CTL_RECEIVER_DONE_I32) === 1;
}

/**
 * Ping: one packet, wait for its echo, again, until STOP. Returns the round
 * trips (as packets), the fold of the echoes' checksums, its window and the
 * round-trip times of the window.
 */
export function rttPing(ctx: SideContext<RttSide>): SideResult {
  return onPipeEnd(ctx, pingOn);
}

/** Opens the side's pipe end, runs `loop` on it and closes it. */
function onPipeEnd(
  ctx: SideContext<RttSide>,
  loop: (ctx: SideContext<RttSide>, ep: Port) => SideResult,
): SideResult {
  const { sab, portName, checks, spin } = ctx.data;
  const ep = openPort(attachRegion(sab), portName, { checks, spin });
  try {
    return loop(ctx, ep);
  } finally {
    ep.close();
  }
}

/**
 * Ping's loop on an open port `ep` (a pipe end, a network port, ...): calls
 * ctx.ready(), then pings until STOP (see rttPing). Blocks in poll; does
 * not allocate per round trip. Throws when the peer closes mid-run.
 */
export function pingOn<D>(ctx: SideContext<D>, ep: Port): SideResult {
  const { control } = ctx;
  const portName = ep.name;
  const region = ep.region;
  ctx.ready();
  const work = ctx.makeWork(region.u8);
  const tx = ep.txRings[0]!;
  const rx = ep.rxRings[0]!;
  const u32 = region.u32;
  const bufBase = region.bufBase;
  const bufSize = region.bufSize;
  const nt = tx.numSlots;
  const nr = rx.numSlots;
  const len = work.len;
  const hist = new RttHistogram();
  const win = new MeasureWindow(control);
  let seq = 0;
  let sum = 0;
  let trips = 0;
  while (!control.stopped()) {
    const head = tx.head;
    if (head === tx.tail) {
      // No room (pong has not released its slots yet): wait, as the pipe sender does.
      tx.cur = head;
      const ev = ep.poll(POLLOUT, CONTROL_POLL_MS);
      if ((ev & POLLHUP) !== 0) throw new Error(`${portName}: pong closed mid-run`);
      continue;
    }
    work.write(bufBase + u32[tx.bufIdxBase + head]! * bufSize, seq);
    u32[tx.lenFlagsBase + head] = len;
    tx.head = tx.cur = head + 1 === nt ? 0 : head + 1;
    const t0 = performance.now();
    ep.txsync();
    const h = rx.head;
    // poll runs rxsync itself; it returns once the echo is past cur (= head).
    while (rx.tail === h) {
      const ev = ep.poll(POLLIN, CONTROL_POLL_MS);
      if (rx.tail === h && (ev & POLLHUP) !== 0)
        throw new Error(`${portName}: pong closed mid-run`);
    }
    const t1 = performance.now();
    const b = u32[rx.bufIdxBase + h]!;
    sum = (sum + work.read(bufBase + b * bufSize, u32[rx.lenFlagsBase + h]! & LEN_MASK, b)) | 0;
    rx.head = rx.cur = h + 1 === nr ? 0 : h + 1;
    seq = (seq + 1) | 0;
    trips++;
    if (control.phase() === PHASE_MEASURE) hist.add((t1 - t0) * 1e6);
    win.check(trips);
  }
  win.close(trips);
  ep.rxsync(); // gives the last echo's slot back
  control.markReceiverDone();
  return {
    role: 'receiver',
    packets: trips,
    checksum: sum,
    kicks: ep.kicks,
    windowPackets: win.packets,
    windowSeconds: win.seconds,
    rtt: hist.summary(),
  };
}

/** Pong: echoes every packet (same length) until ping is done. */
export function rttPong(ctx: SideContext<RttSide>): SideResult {
  return onPipeEnd(ctx, pongOn);
}

/**
 * Pong's loop on an open port `ep`: calls ctx.ready(), then echoes until
 * ping is done (see rttPong). Blocks in poll; does not allocate per packet.
 */
export function pongOn<D>(ctx: SideContext<D>, ep: Port): SideResult {
  const { control } = ctx;
  const portName = ep.name;
  const region = ep.region;
  ctx.ready();
  const work = ctx.makeWork(region.u8);
  const tx = ep.txRings[0]!;
  const rx = ep.rxRings[0]!;
  const u32 = region.u32;
  const bufBase = region.bufBase;
  const bufSize = region.bufSize;
  const nt = tx.numSlots;
  const nr = rx.numSlots;
  let sum = 0;
  let echoed = 0;
  for (;;) {
    let h = rx.head;
    const t = rx.tail;
    if (h === t) {
      // Ping marks itself done only once its last echo is back: nothing is in flight.
      if (pingDone(control)) break;
      rx.cur = h;
      const ev = ep.poll(POLLIN, CONTROL_POLL_MS);
      if (rx.tail === h && (ev & POLLHUP) !== 0) {
        if (pingDone(control)) break;
        throw new Error(`${portName}: ping closed mid-run`);
      }
      continue;
    }
    let th = tx.head;
    if (th === tx.tail) {
      tx.cur = th;
      const ev = ep.poll(POLLOUT, CONTROL_POLL_MS);
      if ((ev & POLLHUP) !== 0) throw new Error(`${portName}: ping closed mid-run`);
      continue;
    }
    const tt = tx.tail;
    let n = 0;
    while (h !== t && th !== tt) {
      const b = u32[rx.bufIdxBase + h]!;
      const l = u32[rx.lenFlagsBase + h]! & LEN_MASK;
      sum = (sum + work.read(bufBase + b * bufSize, l, b)) | 0;
      u32[tx.lenFlagsBase + th] = l;
      h = h + 1 === nr ? 0 : h + 1;
      th = th + 1 === nt ? 0 : th + 1;
      n++;
    }
    rx.head = rx.cur = h;
    tx.head = tx.cur = th;
    // The echo first; the RX slots go back with the next poll's rxsync.
    ep.txsync();
    echoed += n;
  }
  return {
    role: 'sender',
    packets: echoed,
    checksum: sum,
    kicks: ep.kicks,
    windowPackets: 0,
    windowSeconds: 0,
  };
}
