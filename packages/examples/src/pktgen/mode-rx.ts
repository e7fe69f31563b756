/** rx and rxseq: drain the RX ring, counting (and checking sequence numbers). */
import { lfLen, ringNext } from '@pktfabric/core';
import { readSeq } from '../frames/frame-writer.js';
import { SeqTracker } from '../stats/seq-tracker.js';
import type { PktgenSummary } from './events.js';
import { Meter } from './meter.js';
import { rxTurn, type ModeEnv } from './mode-env.js';

export function runRx(env: ModeEnv): PktgenSummary {
  const { region, ep, o } = env;
  const rx = ep.rxRings[0]!;
  const n = rx.numSlots;
  const mask = rx.offsetMask;
  const u32 = region.u32;
  const u8 = region.u8;
  const bufBase = region.bufBase;
  const bufSize = region.bufSize;
  const tracker = o.mode === 'rxseq' ? new SeqTracker(0) : null;
  const meter = new Meter(o.mode, o.port, o.reportMs, env.emit);
  let got = 0;
  let ended: PktgenSummary['ended'];
  for (;;) {
    const turn = rxTurn(env, meter, got);
    if (turn === 'empty') continue;
    if (turn !== 'ready') {
      ended = turn;
      break;
    }
    let h = rx.head;
    const t = rx.tail;
    let m = 0;
    let bytes = 0;
    const limit = o.count > 0 ? o.count - got : Infinity;
    while (h !== t && m < limit) {
      const len = lfLen(u32[rx.lenFlagsBase + h]!);
      if (tracker !== null)
        tracker.add(
          readSeq(
            u8,
            bufBase + u32[rx.bufIdxBase + h]! * bufSize + (u32[rx.ptrLoBase + h]! & mask),
          ),
        );
      bytes += len;
      m++;
      h = ringNext(h, n);
    }
    rx.head = rx.cur = h;
    got += m;
    meter.add(m, bytes, performance.now());
  }
  ep.rxsync();
  const sum = meter.summary(ended);
  if (tracker !== null) {
    sum.seq = {
      received: tracker.received,
      gaps: tracker.gaps,
      missing: tracker.missing,
      duplicates: tracker.duplicates,
      reordered: tracker.reordered,
      stale: tracker.stale,
      gapRecords: tracker.gapRecords.slice(),
    };
  }
  return sum;
}
