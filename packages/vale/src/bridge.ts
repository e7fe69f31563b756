/**
 * A bridge between two ports (netmap's apps/bridge): every packet one port
 * receives is transmitted on the other, both ways. Ports of one region
 * swap buffers (zero copy: the received buffer goes into the TX slot, the
 * TX slot's free buffer into the RX slot, both flagged NS_BUF_CHANGED, and
 * the syncs move ownership); ports of different regions copy.
 */
import { NS_BUF_CHANGED, NS_MOREFRAG, POLLIN, type Port } from '@pktfabric/core';

/** Whether two ports can swap buffers: the same region memory. */
export function sameRegion(a: Port, b: Port): boolean {
  return a.region.sab === b.region.sab;
}

const bufferViews = new WeakMap<SharedArrayBuffer, Buffer>();
function bytes(p: Port): Buffer {
  let b = bufferViews.get(p.region.sab);
  if (b === undefined) bufferViews.set(p.region.sab, (b = Buffer.from(p.region.sab)));
  return b;
}

/**
 * Moves what `src` has received (up to `burst` slots per ring pair) onto
 * `dst`'s TX rings, swapping buffers when both share a region and copying
 * otherwise. Syncs both. Returns the number of slots moved. Does not
 * allocate.
 */
export function bridgePass(src: Port, dst: Port, burst = 512): number {
  src.rxsync();
  const swap = sameRegion(src, dst);
  const sb = bytes(src);
  const db = bytes(dst);
  let moved = 0;
  const nt = dst.txRings.length;
  if (nt === 0) return 0;
  for (let r = 0; r < src.rxRings.length; r++) {
    const rx = src.rxRings[r]!;
    const tx = dst.txRings[r % nt]!;
    let n = rx.space() < tx.space() ? rx.space() : tx.space();
    if (n > burst) n = burst;
    let s = rx.head;
    let d = tx.head;
    for (let i = 0; i < n; i++) {
      const len = rx.len(s);
      const more = rx.slotFlags(s) & NS_MOREFRAG;
      if (swap && rx.offset(s) === 0 && tx.offset(d) === 0) {
        const tmp = tx.bufIdx(d);
        tx.setBufIdx(d, rx.bufIdx(s));
        rx.setBufIdx(s, tmp);
        rx.setSlotFlags(s, NS_BUF_CHANGED);
        tx.setSlotFlags(d, NS_BUF_CHANGED | more);
        tx.setLen(d, len);
      } else {
        // Different regions (or offsets in the way): copy, cut to the TX buffer.
        const from = rx.payloadOffset(s);
        const room = dst.region.bufSize - tx.offset(d);
        const n2 = len < room ? len : room;
        sb.copy(db, tx.payloadOffset(d), from, from + n2);
        tx.setSlotFlags(d, more);
        tx.setLen(d, n2);
      }
      s = rx.next(s);
      d = tx.next(d);
    }
    rx.head = rx.cur = s;
    tx.head = tx.cur = d;
    moved += n;
  }
  if (moved > 0) {
    dst.txsync();
    src.rxsync();
  }
  return moved;
}

export interface BridgeOptions {
  /** Slots per ring pair per pass. @defaultValue 512 */
  burst?: number;
  /** Stops the bridge. */
  signal?: AbortSignal;
  /** Called about every `reportMs` with the packets moved each way so far. */
  onReport?: (aToB: number, bToA: number) => void;
  /** @defaultValue 1000 */
  reportMs?: number;
}

/**
 * Runs the bridge until `signal` aborts: passes both ways, and when
 * nothing moved waits briefly on each port. Resolves with the slots moved
 * each way.
 */
export async function runBridge(
  a: Port,
  b: Port,
  opts: BridgeOptions = {},
): Promise<{ aToB: number; bToA: number }> {
  const burst = opts.burst ?? 512;
  const reportMs = opts.reportMs ?? 1000;
  let aToB = 0;
  let bToA = 0;
  let next = performance.now() + reportMs;
  while (opts.signal?.aborted !== true) {
    const x = bridgePass(a, b, burst);
    const y = bridgePass(b, a, burst);
    aToB += x;
    bToA += y;
    if (x + y === 0) {
      await a.pollAsync(POLLIN, 5);
      await b.pollAsync(POLLIN, 5);
    }
    if (opts.onReport !== undefined && performance.now() >= next) {
      opts.onReport(aToB, bToA);
      next += reportMs;
    }
  }
  return { aToB, bToA };
}
