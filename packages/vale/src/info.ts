/** Reading switches and their per-port counters (for vale-ctl and tests). Allocates. */
import {
  checkRegion,
  IF_NTX_I32,
  IF_OPENS_I32,
  IF_SLOTS_I32,
  ifWord,
  PORT_KIND_VALE,
  IF_KIND_WORDS_I32,
  PortTable,
  readRetiredPorts,
  type Region,
  type RetiredPort,
} from '@pktfabric/core';
import type { PortInfo, RetiredValePort, SwitchInfo, ValePortCounters } from './api.js';
import { findPort, findSwitch, switchNames } from './switch.js';
import { SW_LOOKUP_CUSTOM_I32, SW_PERSIST_I32 } from './layout/switch-layout.js';
import {
  VP_MON_DROPS_I32,
  VP_PERSIST_I32,
  VP_PORT_NO_I32,
  VP_RX_BYTES_I32,
  VP_RX_DROPS_I32,
  VP_RX_PKTS_I32,
  VP_TX_BYTES_I32,
  VP_TX_DROPS_I32,
  VP_TX_PKTS_I32,
} from './layout/vale-port-layout.js';

/** The counters and shape of the port at if index `ifIdx` (counters are u32, wrapping). */
export function portCounters(region: Region, ifIdx: number, name = ''): PortInfo {
  const r = (i: number): number => Atomics.load(region.i32, ifWord(region, ifIdx, i));
  const u = (i: number): number => r(i) >>> 0;
  return {
    name,
    portNo: r(VP_PORT_NO_I32),
    ifIndex: ifIdx,
    rings: r(IF_NTX_I32),
    slots: r(IF_SLOTS_I32),
    opens: r(IF_OPENS_I32),
    persistent: r(VP_PERSIST_I32) === 1,
    ...valeCounters(u),
  };
}

/** The counters among a switch port's KIND words, `u(i)` reading word `i` (an IF_ index) as u32. */
function valeCounters(u: (i: number) => number): ValePortCounters {
  return {
    txPackets: u(VP_TX_PKTS_I32),
    txDrops: u(VP_TX_DROPS_I32),
    rxPackets: u(VP_RX_PKTS_I32),
    rxDrops: u(VP_RX_DROPS_I32),
    txBytes: u(VP_TX_BYTES_I32),
    rxBytes: u(VP_RX_BYTES_I32),
    monitorDrops: u(VP_MON_DROPS_I32),
  };
}

/** Every switch of the region with its ports, in port-number order. */
export function listSwitches(region: Region): SwitchInfo[] {
  checkRegion(region);
  const table = new PortTable(region);
  return table.withLock(() => {
    const entries = table.list();
    return switchNames(table).map((sw) => {
      const off = findSwitch(region, table, sw);
      const ports = entries
        .filter((e) => e.kind === PORT_KIND_VALE && e.name.startsWith(`${sw}:`))
        .filter((e) => findPort(region, table, e.name) !== 0)
        .map((e) => portCounters(region, e.ifIndex, e.name))
        .sort((a, b) => a.portNo - b.portNo);
      return {
        name: sw,
        persistent: region.i32[(off >>> 2) + SW_PERSIST_I32] === 1,
        customLookup: region.i32[(off >>> 2) + SW_LOOKUP_CUSTOM_I32] === 1,
        ports,
      };
    });
  });
}

/**
 * A switch port's own counters (portCounters' txPackets .. monitorDrops)
 * from the kind words of a retired record (core's readRetiredPorts): the
 * totals over every port closed under that name (u32, wrapping). Null for a
 * record of another kind, or one that does not check out.
 */
export function valeCountersOf(rec: RetiredPort): RetiredValePort | null {
  if (!rec.ok || rec.kind !== PORT_KIND_VALE) return null;
  const u = (i: number): number => rec.kindWords[i - IF_KIND_WORDS_I32]!;
  return { name: rec.name, closes: rec.retires, ...valeCounters(u) };
}

/** The switch ports closed so far with their counters summed by name (the region's retired-counters table). */
export function retiredValePorts(region: Region): RetiredValePort[] {
  checkRegion(region);
  const out: RetiredValePort[] = [];
  for (const rec of readRetiredPorts(region).ports) {
    const v = valeCountersOf(rec);
    if (v !== null) out.push(v);
  }
  return out;
}
