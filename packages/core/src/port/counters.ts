/**
 * Reading a port's counters (ring-layout.ts line 2, port-layout.ts KICKS)
 * from any thread or process that has the region, without stopping or
 * disturbing the data path: plain loads of words the syncs store.
 *
 * Everything read here may be a peer's garbage: ring offsets are checked
 * against the ring pool before any ring word is read, and a port or ring
 * that does not check out is reported as such (`ok: false`), never followed.
 */
import {
  IF_KICKS_I32,
  IF_WAKES_SENT_I32,
  IF_MAGIC_I32,
  IF_NRX_I32,
  IF_NTX_I32,
  IF_RING_TABLE_I32,
  IF_STATE_I32,
  maxPortRings,
  PORT_MAGIC,
} from '../layout/port-layout.js';
import {
  RING_BYTES_F64_BYTE,
  RING_DIR_RX,
  RING_DIR_I32,
  RING_DROP_REASONS,
  RING_DROPS_I32,
  RING_ERRORS_I32,
  RING_HEAD_I32,
  RING_ID_I32,
  RING_NUM_SLOTS_I32,
  RING_PKTS_F64_BYTE,
  RING_TAIL_I32,
} from '../layout/ring-layout.js';
import type { Region } from '../region.js';
import { ringSpace } from '../ring.js';
import { ifWord } from './if-object.js';

/** The counters of one ring, as read at one moment. */
export interface RingCounters {
  dir: 'tx' | 'rx';
  /** Ring number within its direction. */
  id: number;
  numSlots: number;
  /** Slots the ring's syncs handed on (a multi-slot packet counts once per slot). */
  pkts: number;
  bytes: number;
  /** Packets dropped, by reason (index RING_DROP_*; names in RING_DROP_NAMES). */
  drops: number[];
  /** Syncs that found an error. */
  errors: number;
  /**
   * Slots in use: receive, slots imported and not yet given back (head to
   * tail); transmit, slots handed on and not yet reclaimed (n-1 minus head
   * to tail).
   */
  occupancy: number;
}

/** The counters of one port (its if object and rings). */
export interface PortCounters {
  ifIndex: number;
  /** False when the if object or a ring offset does not check out (rings then holds what did). */
  ok: boolean;
  /** IF_STATE (PORT_OPEN, PORT_CLOSED, ...). */
  state: number;
  /** Wake-ups received: Atomics.notify calls on this port's doorbell (its sleepers woken). */
  kicks: number;
  /** Wake-ups sent: notify calls this port's syncs made on other ports' doorbells. */
  wakesSent: number;
  rings: RingCounters[];
}

/** Sum of `field` over the rings of `dir` ('tx', 'rx'). */
export function sumRings(
  c: PortCounters,
  dir: 'tx' | 'rx',
  field: 'pkts' | 'bytes' | 'errors' | 'occupancy',
): number {
  let s = 0;
  for (const r of c.rings) if (r.dir === dir) s += r[field];
  return s;
}

/** Drops of every ring of the port, by reason. */
export function sumDrops(c: PortCounters): number[] {
  const d = new Array<number>(RING_DROP_REASONS).fill(0);
  for (const r of c.rings) for (let i = 0; i < RING_DROP_REASONS; i++) d[i]! += r.drops[i]!;
  return d;
}

/**
 * Reads the counters of the port at if index `ifIdx`. Allocates the result;
 * takes no lock and blocks nothing. A port whose if object is not a port
 * (no magic, ring counts out of range) or whose ring offsets point outside
 * the ring pool is returned with `ok: false`.
 */
export function readPortCounters(region: Region, ifIdx: number): PortCounters {
  const out: PortCounters = {
    ifIndex: ifIdx,
    ok: false,
    state: 0,
    kicks: 0,
    wakesSent: 0,
    rings: [],
  };
  if (!Number.isInteger(ifIdx) || ifIdx <= 0 || ifIdx >= region.ifCount) return out;
  const i32 = region.i32;
  const w = (i: number): number => i32[ifWord(region, ifIdx, i)]!;
  if (w(IF_MAGIC_I32) !== PORT_MAGIC) return out;
  out.state = w(IF_STATE_I32);
  out.kicks = w(IF_KICKS_I32) >>> 0;
  out.wakesSent = w(IF_WAKES_SENT_I32) >>> 0;
  const ntx = w(IF_NTX_I32);
  const nrx = w(IF_NRX_I32);
  if (ntx < 0 || nrx < 0 || ntx + nrx > maxPortRings(region.ifSize)) return out;
  const poolEnd = region.ringBase + region.ringCount * region.ringSize;
  for (let r = 0; r < ntx + nrx; r++) {
    const off = w(IF_RING_TABLE_I32 + r);
    if (off < region.ringBase || off >= poolEnd || (off - region.ringBase) % region.ringSize !== 0)
      return out;
    const b = off >>> 2;
    const n = i32[b + RING_NUM_SLOTS_I32]!;
    if (n <= 0) return out;
    const head = i32[b + RING_HEAD_I32]!;
    const tail = i32[b + RING_TAIL_I32]!;
    const rx = i32[b + RING_DIR_I32] === RING_DIR_RX;
    const space = head >>> 0 < n && tail >>> 0 < n ? ringSpace(head, tail, n) : 0;
    const drops: number[] = [];
    for (let d = 0; d < RING_DROP_REASONS; d++) drops.push(i32[b + RING_DROPS_I32 + d]! >>> 0);
    out.rings.push({
      dir: rx ? 'rx' : 'tx',
      id: i32[b + RING_ID_I32]!,
      numSlots: n,
      pkts: region.f64[(off + RING_PKTS_F64_BYTE) >>> 3]!,
      bytes: region.f64[(off + RING_BYTES_F64_BYTE) >>> 3]!,
      drops,
      errors: i32[b + RING_ERRORS_I32]! >>> 0,
      occupancy: rx ? space : Math.max(0, n - 1 - space),
    });
  }
  out.ok = true;
  return out;
}
