/**
 * Every port of a region and its counters, read at one moment from shared
 * memory (core's readPortCounters): nothing is locked but the port-name
 * table, for the time it takes to list it. Port kinds that register one
 * table entry for several ports (a pipe: `pipeN` for `pipe{N` and
 * `pipe}N`) are expanded here. A network port (@pktfabric/net) is a pipe
 * whose slave end an I/O worker holds: both ends show as kind `net`, and
 * the slave's row carries the network counters (gaps, lost packets, bad
 * messages, reconnects, link state).
 *
 * Ports whose if object is gone follow, from the region's retired-counters
 * table (core's readRetiredPorts, no lock): one row per name with the
 * totals of every port closed under it, state "closed", rates 0, then the
 * catch-all row of the ports folded there when the table was full.
 */
import {
  IF_PEER_IF_I32,
  badRetiredPort,
  ifWord,
  PORT_CLOSED,
  PORT_KIND_PIPE,
  PORT_KIND_VALE,
  PortTable,
  readPortCounters,
  readRetiredPorts,
  RING_DROP_REASONS,
  sumDrops,
  sumRings,
  type PortCounters,
  type Region,
  type RetiredPort,
} from '@pktfabric/core';
import { isNetIf, netCountersOf, readNetCounters, type NetCounters } from '@pktfabric/net';
import { PORT_KIND_NULL } from '@pktfabric/vale';

export interface PortStat {
  name: string;
  kind: string;
  ifIndex: number;
  ok: boolean;
  state: number;
  txPkts: number;
  txBytes: number;
  rxPkts: number;
  rxBytes: number;
  /** Drops by reason (RING_DROP_NAMES). */
  drops: number[];
  errors: number;
  /** Slots in use over all rings, and the slots there are. */
  occupancy: number;
  slots: number;
  /** Wake-ups received (notify calls on its doorbell). */
  kicks: number;
  /** Wake-ups sent (notify calls its syncs made on other ports' doorbells). */
  wakesSent: number;
  /** A network port's own counters (on its I/O worker's end), else undefined. */
  net?: NetCounters;
  /**
   * Set for a port whose if object is gone (a retired-counters record): how
   * many ports were closed under this name (for the catch-all, how many
   * were folded into it). Its rates are 0.
   */
  closed?: { closes: number; catchAll: boolean };
}

export interface RegionSnapshot {
  /** performance.now() when read, ms. */
  atMs: number;
  ports: PortStat[];
}

function stat(name: string, kind: string, c: PortCounters): PortStat {
  return {
    name,
    kind,
    ifIndex: c.ifIndex,
    ok: c.ok,
    state: c.state,
    txPkts: sumRings(c, 'tx', 'pkts'),
    txBytes: sumRings(c, 'tx', 'bytes'),
    rxPkts: sumRings(c, 'rx', 'pkts'),
    rxBytes: sumRings(c, 'rx', 'bytes'),
    drops: c.ok ? sumDrops(c) : new Array<number>(RING_DROP_REASONS).fill(0),
    errors: sumRings(c, 'tx', 'errors') + sumRings(c, 'rx', 'errors'),
    occupancy: sumRings(c, 'tx', 'occupancy') + sumRings(c, 'rx', 'occupancy'),
    slots: c.rings.reduce((a, r) => a + r.numSlots, 0),
    kicks: c.kicks,
    wakesSent: c.wakesSent,
  };
}

function kindName(kind: number): string {
  return kind === PORT_KIND_PIPE
    ? 'pipe'
    : kind === PORT_KIND_VALE
      ? 'vale'
      : kind === PORT_KIND_NULL
        ? 'null'
        : `kind ${kind}`;
}

function retiredStat(p: RetiredPort, kind: string, net: NetCounters | null): PortStat {
  const out: PortStat = {
    name: p.name,
    kind: p.catchAll ? 'mixed' : kind,
    ifIndex: 0,
    ok: p.ok,
    state: PORT_CLOSED,
    txPkts: p.txPkts,
    txBytes: p.txBytes,
    rxPkts: p.rxPkts,
    rxBytes: p.rxBytes,
    drops: p.drops,
    errors: p.txErrors + p.rxErrors,
    occupancy: 0,
    slots: 0,
    kicks: p.kicks,
    wakesSent: p.wakesSent,
    closed: { closes: p.retires, catchAll: p.catchAll },
  };
  if (net !== null) out.net = net;
  return out;
}

/** The rows of the ports whose if object is gone (retired-counters table). Allocates. */
function retiredRows(region: Region): PortStat[] {
  const t = readRetiredPorts(region);
  // A table whose header does not check out: one "bad" row says so.
  if (!t.ok)
    return [
      retiredStat(
        badRetiredPort('(retired counters)', true, t.problem ?? 'the table does not check out'),
        'mixed',
        null,
      ),
    ];
  // A network port's ends: its I/O worker's end (pipe}N) carries the network counters.
  const nets = new Map<string, NetCounters>();
  for (const p of t.ports) {
    const net = netCountersOf(p);
    if (net !== null) nets.set(p.name.slice(5), net);
  }
  return t.ports.map((p) => {
    const pipeId = p.kind === PORT_KIND_PIPE && /^pipe[{}]/.test(p.name) ? p.name.slice(5) : null;
    const net = pipeId !== null ? nets.get(pipeId) : undefined;
    return retiredStat(
      p,
      net !== undefined ? 'net' : kindName(p.kind),
      net !== undefined && p.name[4] === '}' ? net : null,
    );
  });
}

/** Reads every port's counters, then those of the ports closed for good. Allocates. */
export function snapshotRegion(region: Region): RegionSnapshot {
  const ports: PortStat[] = [];
  for (const e of new PortTable(region).list()) {
    const master = readPortCounters(region, e.ifIndex);
    if (e.kind === PORT_KIND_PIPE && e.name.startsWith('pipe')) {
      const id = e.name.slice(4);
      const peer = master.ok ? region.i32[ifWord(region, e.ifIndex, IF_PEER_IF_I32)]! : 0;
      const net = peer > 0 && isNetIf(region, peer);
      ports.push(stat(`pipe{${id}`, net ? 'net' : 'pipe', master));
      const slave = stat(`pipe}${id}`, net ? 'net' : 'pipe', readPortCounters(region, peer));
      if (net) slave.net = readNetCounters(region, peer);
      ports.push(slave);
    } else {
      ports.push(stat(e.name, kindName(e.kind), master));
    }
  }
  ports.push(...retiredRows(region));
  return { atMs: performance.now(), ports };
}

/** One port's numbers over an interval: totals now and rates since the last snapshot. */
export interface PortRates extends PortStat {
  txPps: number;
  txBps: number;
  rxPps: number;
  rxBps: number;
}

/** Rates between two snapshots (a port new in `cur` gets rates from zero). Allocates. */
export function rates(prev: RegionSnapshot | null, cur: RegionSnapshot): PortRates[] {
  const dt = prev === null ? 0 : (cur.atMs - prev.atMs) / 1000;
  const before = new Map(prev?.ports.map((p) => [`${p.name}#${p.ifIndex}`, p]) ?? []);
  return cur.ports.map((p) => {
    const b = before.get(`${p.name}#${p.ifIndex}`);
    const r = (now: number, then: number | undefined): number =>
      dt > 0 && then !== undefined && p.closed === undefined ? Math.max(0, now - then) / dt : 0;
    return {
      ...p,
      txPps: r(p.txPkts, b?.txPkts),
      txBps: 8 * r(p.txBytes, b?.txBytes),
      rxPps: r(p.rxPkts, b?.rxPkts),
      rxBps: 8 * r(p.rxBytes, b?.rxBytes),
    };
  });
}
