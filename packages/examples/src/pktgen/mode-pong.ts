/** pong: echo every received frame back with the MAC addresses swapped (copying it into a TX buffer). */
import { copyRegionBytes, lfLen, ringNext } from '@pktfabric/core';
import { POLLHUP, POLLOUT } from '@pktfabric/pipes';
import { ETH_DST_OFF, ETH_SRC_OFF } from '../frames/frame-layout.js';
import type { PktgenSummary } from './events.js';
import { Meter } from './meter.js';
import { pollTimeout, rxTurn, type ModeEnv } from './mode-env.js';

export function runPong(env: ModeEnv): PktgenSummary {
  const { region, ep, o } = env;
  const tx = ep.txRings[0]!;
  const rx = ep.rxRings[0]!;
  const nt = tx.numSlots;
  const nr = rx.numSlots;
  const u32 = region.u32;
  const u8 = region.u8;
  const bufBase = region.bufBase;
  const bufSize = region.bufSize;
  const meter = new Meter(o.mode, o.port, o.reportMs, env.emit);
  let sent = 0;
  let received = 0;
  let ended: PktgenSummary['ended'] | null = null;
  while (ended === null) {
    const turn = rxTurn(env, meter, sent);
    if (turn === 'empty') continue;
    if (turn !== 'ready') {
      ended = turn;
      break;
    }
    let h = rx.head;
    const t = rx.tail;
    let th = tx.head;
    let tt = tx.tail;
    if (th === tt) {
      ep.txsync();
      tt = tx.tail;
      if (th === tt) {
        tx.cur = tt;
        const ev = ep.poll(POLLOUT, pollTimeout(meter.untilReport(performance.now())));
        if ((ev & POLLHUP) !== 0 && (ev & POLLOUT) === 0) ended = 'peer-closed';
        continue;
      }
    }
    let m = 0;
    let bytes = 0;
    let limit = o.burst;
    if (o.count > 0 && o.count - sent < limit) limit = o.count - sent;
    while (h !== t && th !== tt && m < limit) {
      const len = lfLen(u32[rx.lenFlagsBase + h]!);
      const src = bufBase + u32[rx.bufIdxBase + h]! * bufSize;
      const dst = bufBase + u32[tx.bufIdxBase + th]! * bufSize;
      copyRegionBytes(u8, u32, dst, src, len);
      if (len >= 12) {
        for (let k = 0; k < 6; k++) {
          u8[dst + ETH_DST_OFF + k] = u8[src + ETH_SRC_OFF + k]!;
          u8[dst + ETH_SRC_OFF + k] = u8[src + ETH_DST_OFF + k]!;
        }
      }
      u32[tx.lenFlagsBase + th] = len;
      h = ringNext(h, nr);
      th = ringNext(th, nt);
      m++;
      bytes += len;
    }
    rx.head = rx.cur = h;
    tx.head = tx.cur = th;
    ep.txsync();
    received += m;
    sent += m;
    meter.add(m, bytes, performance.now());
  }
  ep.rxsync();
  const sum = meter.summary(ended);
  sum.received = received;
  return sum;
}
