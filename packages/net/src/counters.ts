/**
 * The network port's counters in its pipe's slave if object
 * (layout/net-layout.ts): the I/O worker writes them once per batch, anyone
 * holding the region reads them.
 */
import {
  IF_KIND_I32,
  IF_KIND_WORDS_I32,
  IF_PEER_IF_I32,
  ifWord,
  type Region,
  type RetiredPort,
} from '@pktfabric/core';
import type { NetCounters } from './api.js';
import {
  LINK_CLOSED,
  LINK_HUP,
  LINK_UP,
  NET_BAD_I32,
  NET_BATCHES_I32,
  NET_BYTES_HI_I32,
  NET_BYTES_LO_I32,
  NET_DROPS_I32,
  NET_GAPS_I32,
  NET_LINK_I32,
  NET_MAGIC,
  NET_MAGIC_I32,
  NET_PACKETS_HI_I32,
  NET_PACKETS_LO_I32,
  NET_PEERS_I32,
  NET_RECONNECTS_I32,
} from './layout/net-layout.js';

const TWO32 = 0x1_0000_0000;

/** The if object holding the counters of the network port whose user end is `userIf`, or 0 if it is not one. */
export function netIfOf(region: Region, userIf: number): number {
  const peer = Atomics.load(region.i32, ifWord(region, userIf, IF_PEER_IF_I32));
  if (peer <= 0) return 0;
  return Atomics.load(region.i32, ifWord(region, peer, NET_MAGIC_I32)) === NET_MAGIC ? peer : 0;
}

/** True when if object `ifIdx` is the I/O worker's end of a network port. */
export function isNetIf(region: Region, ifIdx: number): boolean {
  return (
    Atomics.load(region.i32, ifWord(region, ifIdx, IF_KIND_I32)) !== 0 &&
    Atomics.load(region.i32, ifWord(region, ifIdx, NET_MAGIC_I32)) === NET_MAGIC
  );
}

function read64(i32: Int32Array, lo: number, hi: number): number {
  for (;;) {
    const h = Atomics.load(i32, hi) >>> 0;
    const l = Atomics.load(i32, lo) >>> 0;
    if (Atomics.load(i32, hi) >>> 0 === h) return h * TWO32 + l;
  }
}

const LINKS = ['waiting', 'up', 'hup', 'closed'] as const;

/** Reads the counters kept in if object `netIf` (see netIfOf). Allocates the result. */
export function readNetCounters(region: Region, netIf: number): NetCounters {
  const i32 = region.i32;
  const w = (k: number): number => Atomics.load(i32, ifWord(region, netIf, k));
  const link = w(NET_LINK_I32);
  return {
    link: LINKS[link === LINK_UP || link === LINK_HUP || link === LINK_CLOSED ? link : 0]!,
    peers: w(NET_PEERS_I32),
    packets: read64(
      i32,
      ifWord(region, netIf, NET_PACKETS_LO_I32),
      ifWord(region, netIf, NET_PACKETS_HI_I32),
    ),
    bytes: read64(
      i32,
      ifWord(region, netIf, NET_BYTES_LO_I32),
      ifWord(region, netIf, NET_BYTES_HI_I32),
    ),
    batches: w(NET_BATCHES_I32) >>> 0,
    gaps: w(NET_GAPS_I32) >>> 0,
    drops: w(NET_DROPS_I32) >>> 0,
    bad: w(NET_BAD_I32) >>> 0,
    reconnects: w(NET_RECONNECTS_I32) >>> 0,
  };
}

/**
 * A network port's counters from a retired record (core's
 * readRetiredPorts): the kind words of its I/O worker's end (`pipe}N`) as
 * the worker left them when the port went (link 'closed' when it closed
 * normally). Null for a record that is not one, or does not check out.
 */
export function netCountersOf(rec: RetiredPort): NetCounters | null {
  const u = (k: number): number => rec.kindWords[k - IF_KIND_WORDS_I32] ?? 0;
  if (!rec.ok || rec.catchAll || u(NET_MAGIC_I32) !== NET_MAGIC) return null;
  const link = u(NET_LINK_I32);
  return {
    link: LINKS[link === LINK_UP || link === LINK_HUP || link === LINK_CLOSED ? link : 0]!,
    peers: u(NET_PEERS_I32),
    packets: u(NET_PACKETS_HI_I32) * TWO32 + u(NET_PACKETS_LO_I32),
    bytes: u(NET_BYTES_HI_I32) * TWO32 + u(NET_BYTES_LO_I32),
    batches: u(NET_BATCHES_I32),
    gaps: u(NET_GAPS_I32),
    drops: u(NET_DROPS_I32),
    bad: u(NET_BAD_I32),
    reconnects: u(NET_RECONNECTS_I32),
  };
}

/** The I/O worker's side: keeps the counts in numbers and stores them once per batch. */
export class CounterWriter {
  packets = 0;
  bytes = 0;
  batches = 0;
  gaps = 0;
  drops = 0;
  bad = 0;
  reconnects = 0;
  private readonly i32: Int32Array;
  private readonly w: number;

  constructor(region: Region, netIf: number) {
    this.i32 = region.i32;
    this.w = ifWord(region, netIf, 0);
  }

  /** Stores every counter (plain stores; hi word last so a reader's hi, lo, hi check works). Does not allocate. */
  flush(): void {
    const i32 = this.i32;
    const w = this.w;
    i32[w + NET_PACKETS_LO_I32] = this.packets % TWO32;
    i32[w + NET_PACKETS_HI_I32] = Math.floor(this.packets / TWO32);
    i32[w + NET_BYTES_LO_I32] = this.bytes % TWO32;
    i32[w + NET_BYTES_HI_I32] = Math.floor(this.bytes / TWO32);
    i32[w + NET_BATCHES_I32] = this.batches;
    i32[w + NET_GAPS_I32] = this.gaps;
    i32[w + NET_DROPS_I32] = this.drops;
    i32[w + NET_BAD_I32] = this.bad;
    i32[w + NET_RECONNECTS_I32] = this.reconnects;
  }
}
