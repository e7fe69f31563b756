/**
 * A bridge between two ports (netmap's apps/bridge): every packet one port
 * receives is transmitted on the other, both ways. Ports of one region
 * swap buffers (zero copy: the received buffer goes into the TX slot, the
 * TX slot's free buffer into the RX slot, both flagged NS_BUF_CHANGED, and
 * the syncs move ownership); ports of different regions copy. A port that
 * carries packets one way only (a monitor, a network port `@in` / `@out`)
 * is bridged that way only.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { NS_BUF_CHANGED, NS_MOREFRAG, POLLIN, POLLOUT, type Port } from '@pktfabric/core';
import { BridgeDirectionError } from './errors.js';

/** Whether two ports can swap buffers: the same region memory. */
export function sameRegion(a: Port, b: Port): boolean {
  return a.region.sab === b.region.sab;
}

/**
 * Which ways a port carries packets: `rx` it receives (the bridge may take
 * from it), `tx` it transmits (the bridge may put onto it). A port without
 * RX or TX rings does not; a port that says its direction (a network port's
 * `direction`: `in` only receives, `out` only transmits, `both`) does only
 * that way, whatever rings it has (a network port is a pipe end, with both).
 */
export function portWays(p: Port): { rx: boolean; tx: boolean } {
  const d = (p as { direction?: unknown }).direction;
  return {
    rx: p.rxRings.length > 0 && d !== 'out',
    tx: p.txRings.length > 0 && d !== 'in',
  };
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

/** How long a waiting bridge sleeps on one port before it looks at the other way, in ms. */
const WAIT_SLICE_MS = 5;
/** A bridge that keeps moving packets still lets its event loop turn this often (timers, the abort signal), in ms. */
const YIELD_MS = 10;

/** True when some RX ring of `p` holds packets not yet taken. */
function holdsReceived(p: Port): boolean {
  for (let r = 0; r < p.rxRings.length; r++) if (p.rxRings[r]!.space() > 0) return true;
  return false;
}

/**
 * The ways `a` and `b` can be bridged (see portWays): a to b when a
 * receives and b transmits, and b to a likewise. Throws
 * BridgeDirectionError when there is neither.
 */
export function bridgeWays(a: Port, b: Port): { aToB: boolean; bToA: boolean } {
  const wa = portWays(a);
  const wb = portWays(b);
  const ways = { aToB: wa.rx && wb.tx, bToA: wb.rx && wa.tx };
  if (!ways.aToB && !ways.bToA) throw new BridgeDirectionError(a.name, b.name);
  return ways;
}

/**
 * Runs the bridge until `signal` aborts: passes each way the ports allow
 * (bridgeWays; throws BridgeDirectionError when none), and when nothing
 * moved waits briefly on what would let a way move: its source's POLLIN,
 * or, when the source holds packets, its destination's POLLOUT (a full
 * destination, e.g. a network port whose peer holds it back). Resolves
 * with the slots moved each way.
 */
export async function runBridge(
  a: Port,
  b: Port,
  opts: BridgeOptions = {},
): Promise<{ aToB: number; bToA: number }> {
  const burst = opts.burst ?? 512;
  const reportMs = opts.reportMs ?? 1000;
  const ways = bridgeWays(a, b);
  let aToB = 0;
  let bToA = 0;
  let now = performance.now();
  let next = now + reportMs;
  let turn = now + YIELD_MS;
  while (opts.signal?.aborted !== true) {
    const x = ways.aToB ? bridgePass(a, b, burst) : 0;
    const y = ways.bToA ? bridgePass(b, a, burst) : 0;
    aToB += x;
    bToA += y;
    if (x + y === 0) {
      if (ways.aToB)
        await (holdsReceived(a)
          ? b.pollAsync(POLLOUT, WAIT_SLICE_MS)
          : a.pollAsync(POLLIN, WAIT_SLICE_MS));
      if (ways.bToA)
        await (holdsReceived(b)
          ? a.pollAsync(POLLOUT, WAIT_SLICE_MS)
          : b.pollAsync(POLLIN, WAIT_SLICE_MS));
    }
    now = performance.now();
    if (now >= turn) {
      // pollAsync resolves without a turn of the event loop when it is ready
      // at once: a bridge kept busy would never see its timers otherwise.
      await nextTurn();
      turn = performance.now() + YIELD_MS;
    }
    if (opts.onReport !== undefined && now >= next) {
      opts.onReport(aToB, bToA);
      next += reportMs;
    }
  }
  return { aToB, bToA };
}
