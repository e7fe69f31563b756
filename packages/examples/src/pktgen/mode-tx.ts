/** tx and txseq: fill the TX ring with frames, one txsync per burst. */
import { ringNext } from '@pktfabric/core';
import { POLLHUP, POLLOUT } from '@pktfabric/pipes';
import { FrameWriter } from '../frames/frame-writer.js';
import { RateLimiter } from '../stats/rate-limiter.js';
import { FrameSizes } from '../stats/frame-sizes.js';
import type { PktgenSummary } from './events.js';
import { Meter } from './meter.js';
import { burstBudget, limitReached, pollTimeout, type ModeEnv } from './mode-env.js';

export function runTx(env: ModeEnv): PktgenSummary {
  const { region, ep, o } = env;
  const seqMode = o.mode === 'txseq';
  const tx = ep.txRings[0]!;
  const n = tx.numSlots;
  const mask = tx.offsetMask;
  const u32 = region.u32;
  const u8 = region.u8;
  const bufBase = region.bufBase;
  const bufSize = region.bufSize;
  const writer = new FrameWriter(o.frame);
  const sizes = new FrameSizes(o.sizeMin, o.sizeMax, o.seed);
  const limiter = o.rate > 0 ? new RateLimiter(o.rate, o.burst) : null;
  const meter = new Meter(o.mode, o.port, o.reportMs, env.emit);
  const gap = o.injectGap;
  let seq = 0;
  let sent = 0;
  let ended: PktgenSummary['ended'];
  meter.start(performance.now());
  for (;;) {
    const stop = limitReached(env, sent);
    if (stop !== null) {
      ended = stop;
      break;
    }
    if (ep.peerClosed) {
      ended = 'peer-closed';
      break;
    }
    const now = performance.now();
    meter.tick(now);
    const want = burstBudget(env, sent, limiter, meter, now);
    if (want === 0) continue;
    let head = tx.head;
    let tail = tx.tail;
    if (head === tail) {
      ep.txsync();
      tail = tx.tail;
      if (head === tail) {
        // Full: wake up when the ring moves past cur (netmap: cur = tail, then poll).
        tx.cur = tail;
        ep.poll(POLLOUT | POLLHUP, pollTimeout(meter.untilReport(now)));
        continue;
      }
    }
    let m = 0;
    let bytes = 0;
    while (head !== tail && m < want) {
      const off =
        bufBase + u32[tx.bufIdxBase + head]! * bufSize + (u32[tx.ptrLoBase + head]! & mask);
      const len = sizes.next();
      let sq = -1;
      if (seqMode) {
        if (seq === gap) seq++;
        sq = seq >>> 0;
        seq++;
      }
      writer.write(u8, off, len, sq);
      u32[tx.lenFlagsBase + head] = len;
      head = ringNext(head, n);
      m++;
      bytes += len;
    }
    tx.head = tx.cur = head;
    ep.txsync();
    sent += m;
    limiter?.consume(m);
    meter.add(m, bytes, performance.now());
  }
  return meter.summary(ended);
}
