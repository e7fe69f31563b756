/**
 * ping: send a burst of frames carrying a sequence number and the send time,
 * wait for the pong end to echo them, and record round-trip times. `-R`
 * paces the pings.
 */
import { ringNext } from '@pktfabric/core';
import { POLLHUP, POLLIN, POLLOUT } from '@pktfabric/pipes';
import { PING_TS_OFF } from '../frames/frame-layout.js';
import { FrameWriter, readSeq } from '../frames/frame-writer.js';
import { RateLimiter } from '../stats/rate-limiter.js';
import { RttStats } from '../stats/rtt-histogram.js';
import { FrameSizes } from '../stats/frame-sizes.js';
import { stopRequested } from './control.js';
import type { PktgenSummary } from './events.js';
import { Meter } from './meter.js';
import { burstBudget, limitReached, pollTimeout, type ModeEnv } from './mode-env.js';

const tsF64 = new Float64Array(1);
const tsU8 = new Uint8Array(tsF64.buffer);

function putTime(u8: Uint8Array, off: number, ms: number): void {
  tsF64[0] = ms;
  for (let k = 0; k < 8; k++) u8[off + k] = tsU8[k]!;
}

function getTime(u8: Uint8Array, off: number): number {
  for (let k = 0; k < 8; k++) tsU8[k] = u8[off + k]!;
  return tsF64[0]!;
}

export function runPing(env: ModeEnv): PktgenSummary {
  const { region, ep, o, ctrl } = env;
  const tx = ep.txRings[0]!;
  const rx = ep.rxRings[0]!;
  const nt = tx.numSlots;
  const nr = rx.numSlots;
  const u32 = region.u32;
  const u8 = region.u8;
  const bufBase = region.bufBase;
  const bufSize = region.bufSize;
  const writer = new FrameWriter(o.frame);
  const sizes = new FrameSizes(o.sizeMin, o.sizeMax, o.seed);
  const limiter = o.rate > 0 ? new RateLimiter(o.rate, o.burst) : null;
  const all = new RttStats(1 << 20, o.seed);
  const interval = new RttStats(1 << 16, o.seed);
  const meter = new Meter(o.mode, o.port, o.reportMs, env.emit, () => {
    const r = {
      count: interval.count,
      minUs: interval.count > 0 ? interval.minUs : 0,
      avgUs: interval.avgUs,
      p99Us: interval.quantileUs(0.99),
    };
    interval.reset();
    return r;
  });
  let seq = 0;
  let sent = 0;
  let received = 0;
  let lost = 0;
  let ended: PktgenSummary['ended'] | null = null;
  meter.start(performance.now());
  while (ended === null) {
    const stop = limitReached(env, sent);
    if (stop !== null) {
      ended = stop;
      break;
    }
    let now = performance.now();
    meter.tick(now);
    const want = burstBudget(env, sent, limiter, meter, now);
    if (want === 0) continue;
    ep.txsync();
    let head = tx.head;
    const tail = tx.tail;
    if (head === tail) {
      tx.cur = tail;
      const ev = ep.poll(POLLOUT, pollTimeout(meter.untilReport(now)));
      if ((ev & POLLHUP) !== 0 && (ev & POLLOUT) === 0) ended = 'peer-closed';
      continue;
    }
    const first = seq;
    let m = 0;
    let bytes = 0;
    now = performance.now();
    while (head !== tail && m < want) {
      const off = bufBase + u32[tx.bufIdxBase + head]! * bufSize;
      const len = sizes.next();
      writer.write(u8, off, len, seq >>> 0);
      putTime(u8, off + PING_TS_OFF, now);
      u32[tx.lenFlagsBase + head] = len;
      seq++;
      head = ringNext(head, nt);
      m++;
      bytes += len;
    }
    tx.head = tx.cur = head;
    ep.txsync();
    sent += m;
    limiter?.consume(m);
    meter.add(m, bytes, performance.now());
    // Wait for the replies of this burst.
    const deadline = now + o.pingTimeoutMs;
    let got = 0;
    while (got < m) {
      const closed = ep.peerClosed;
      ep.rxsync();
      let h = rx.head;
      const t = rx.tail;
      if (h === t) {
        const left = deadline - performance.now();
        if (closed) ended = 'peer-closed';
        else if (stopRequested(ctrl)) ended = 'stopped';
        if (ended !== null || left <= 0) {
          lost += m - got;
          break;
        }
        ep.poll(POLLIN, pollTimeout(left < meter.untilReport(now) ? left : meter.untilReport(now)));
        meter.tick(performance.now());
        continue;
      }
      const at = performance.now();
      while (h !== t) {
        const off = bufBase + u32[rx.bufIdxBase + h]! * bufSize;
        const d = (readSeq(u8, off) - first) >>> 0;
        if (d < m) {
          const us = (at - getTime(u8, off + PING_TS_OFF)) * 1000;
          all.add(us);
          interval.add(us);
          got++;
        }
        received++;
        h = ringNext(h, nr);
      }
      rx.head = rx.cur = h;
    }
  }
  ep.rxsync();
  const sum = meter.summary(ended);
  sum.received = received;
  sum.rtt = {
    count: all.count,
    minUs: all.count > 0 ? all.minUs : 0,
    avgUs: all.avgUs,
    p50Us: all.quantileUs(0.5),
    p99Us: all.quantileUs(0.99),
    maxUs: all.maxUs,
    lost,
    histogram: all.histogram(),
  };
  return sum;
}
