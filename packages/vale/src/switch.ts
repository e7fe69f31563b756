/**
 * The switch's control plane: switches and their ports in a region, created
 * when an open names them, taken off the switch at their last close (unless
 * persistent), and reaped when their owner dies. Everything here runs under
 * the region lock (core's PortTable.withLock); the data path (forward.ts)
 * never takes it.
 *
 * Name-table entries (core's port-table.ts), kind PORT_KIND_VALE:
 *   `vale0`     -> byte offset of the switch object (switch-layout.ts)
 *   `vale0:p1`  -> if index of the port
 */
import {
  BusyError,
  checkExtraBufs,
  checkRingGeometry,
  closePortObject,
  DEFAULT_RING_SLOTS,
  ExhaustedError,
  freeOwned,
  IF_KIND_I32,
  IF_KIND_WORDS_I32,
  IF_MAGIC_I32,
  IF_NRX_I32,
  IF_NTX_I32,
  IF_OPENS_I32,
  IF_RING_TABLE_I32,
  IF_SLOTS_I32,
  ifWord,
  initRing,
  isExtraOf,
  checkRegion,
  maxPortRings,
  OptionError,
  openPortObject,
  parsePortName,
  PortNameError,
  portDoorbell,
  portsOpenedBy,
  PORT_CLOSED,
  PORT_DEAD,
  PORT_KIND_VALE,
  PORT_MAGIC,
  PortTable,
  registerReaper,
  retirePortCounters,
  ringBytes,
  ringIndexOf,
  RING_DIR_RX,
  RING_DIR_TX,
  RING_HWTAIL_I32,
  RING_SLOTS_OFF_I32,
  RING_SHADOW_OFF_I32,
  RING_TAIL_I32,
  setBufOwner,
  SLOT_BUF_IDX_COL,
  slotCode,
  slotCodeRing,
  type DestroyReport,
  type Region,
} from '@pktfabric/core';
import {
  DEFAULT_MAX_SWITCHES,
  MAX_SWITCHES,
  MAX_VALE_RINGS,
  MAX_VALE_SLOTS,
  type ValeOpenOptions,
} from './api.js';
import { SwitchFullError } from './errors.js';
import { padDeadLeases } from './lease.js';
import {
  SWITCH_BYTES,
  SWITCH_MAGIC,
  SWITCH_MAX_PORTS,
  SW_GEN_I32,
  SW_LEARN_ENTRIES_I32,
  SW_MAGIC_I32,
  SW_MAX_PORTS_I32,
  SW_NPORTS_I32,
  SW_PERSIST_I32,
  SW_PORT_TABLE_I32,
  LEARN_ENTRIES,
} from './layout/switch-layout.js';
import {
  leaseObjectBytes,
  VP_ACTIVE_I32,
  VP_ATTACHED,
  VP_DETACHING,
  VP_LEASE_OFF_I32,
  VP_MON_DROPS_I32,
  VP_PERSIST_I32,
  VP_PORT_NO_I32,
  VP_STATE_I32,
  VP_SWITCH_OFF_I32,
  VP_TX_PKTS_I32,
} from './layout/vale-port-layout.js';

/** A parsed switch-port name. */
export interface ValeName {
  /** `vale0`. */
  switchName: string;
  /** `vale0:p1`. */
  name: string;
  exclusive: boolean;
  monitor: 'tx' | 'rx' | 'both' | null;
  zeroCopy: boolean;
  rings: number | undefined;
  slots: number | undefined;
  extraBufs: number | undefined;
  memId: number | null;
}

/** Parses `valeX:Y[/flags][@conf:...]`. Throws PortNameError for anything else. */
export function parseValeName(spec: unknown): ValeName {
  if (typeof spec !== 'string') throw new OptionError('name', 'a string such as "vale0:p1"', spec);
  const p = parsePortName(spec);
  if (p.subsystem !== 'vale' || p.switchName === null)
    throw new PortNameError(spec, "a switch port is named 'valeX:Y' (e.g. vale0:p1)", 0);
  if (p.pipe !== null)
    throw new PortNameError(spec, 'pipes of switch ports are not supported', spec.indexOf('{'));
  if (p.ring !== null)
    throw new PortNameError(spec, 'binding one ring (-N) is not supported', spec.indexOf('-'));
  const c = p.options;
  if (c.txRings !== undefined && c.rxRings !== undefined && c.txRings !== c.rxRings)
    throw new PortNameError(spec, 'a switch port has as many TX rings as RX rings', -1);
  if (c.txSlots !== undefined && c.rxSlots !== undefined && c.txSlots !== c.rxSlots)
    throw new PortNameError(spec, 'a switch port has as many TX slots as RX slots', -1);
  return {
    switchName: p.switchName,
    name: p.name,
    exclusive: p.flags.exclusive,
    monitor: p.flags.monitor,
    zeroCopy: p.flags.zeroCopy,
    rings: c.txRings ?? c.rxRings,
    slots: c.txSlots ?? c.rxSlots,
    extraBufs: c.extraBufs,
    memId: p.memId,
  };
}

/** The largest power-of-two slot count, at most `want`, whose ring fits the region's ring objects. */
function fittingSlots(region: Region, want: number): number {
  let s = want;
  while (s > 4 && ringBytes(s) > region.ringSize) s >>>= 1;
  return s;
}

/** Checks rings / slots / maxSwitches. Throws OptionError naming the option and the limit. */
export function checkValeOptions(
  region: Region,
  rings: unknown,
  slots: unknown,
  maxSwitches: unknown,
): { rings: number; slots: number; maxSwitches: number } {
  const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  const maxR = Math.min(MAX_VALE_RINGS, Math.floor(maxPortRings(region.ifSize) / 2));
  const r = rings ?? 1;
  if (!isInt(r) || r < 1 || r > maxR)
    throw new OptionError(
      'rings',
      `an integer from 1 to ${maxR} (16, or less when limited by ifSize ${region.ifSize})`,
      r,
    );
  const s = slots ?? fittingSlots(region, DEFAULT_RING_SLOTS);
  if (!isInt(s) || s > MAX_VALE_SLOTS)
    throw new OptionError('slots', `a power of two from 4 to ${MAX_VALE_SLOTS}`, s);
  checkRingGeometry(region, s, 0);
  const m = maxSwitches ?? DEFAULT_MAX_SWITCHES;
  if (!isInt(m) || m < 1 || m > MAX_SWITCHES)
    throw new OptionError('maxSwitches', `an integer from 1 to ${MAX_SWITCHES}`, m);
  return { rings: r, slots: s, maxSwitches: m };
}

// ---- switches ---------------------------------------------------------------

/** Byte offset of switch `swName`'s object, or 0 when the region has no such switch. */
export function findSwitch(region: Region, table: PortTable, swName: string): number {
  const e = table.lookup(swName);
  if (e === null || e.kind !== PORT_KIND_VALE) return 0;
  const off = e.ifIndex;
  if (region.i32[(off >>> 2) + SW_MAGIC_I32] !== SWITCH_MAGIC) return 0;
  return off;
}

/** Names of the switches in the region (name-table entries of kind VALE without ':'). */
export function switchNames(table: PortTable): string[] {
  return table
    .list()
    .filter((e) => e.kind === PORT_KIND_VALE && !e.name.includes(':'))
    .map((e) => e.name);
}

function createSwitch(
  region: Region,
  table: PortTable,
  swName: string,
  maxSwitches: number,
): number {
  if (switchNames(table).length >= maxSwitches)
    throw new SwitchFullError(`switches in this region (maxSwitches)`, maxSwitches);
  if (region.ringSize < SWITCH_BYTES)
    throw new OptionError(
      'ringSize',
      `at least ${SWITCH_BYTES} bytes for a switch object (create the region with a larger ringSize)`,
      region.ringSize,
    );
  const off = region.allocRingObject();
  if (off === 0) throw new ExhaustedError('ring pool', 1);
  const b = off >>> 2;
  const i32 = region.i32;
  i32[b + SW_MAX_PORTS_I32] = SWITCH_MAX_PORTS;
  i32[b + SW_LEARN_ENTRIES_I32] = LEARN_ENTRIES;
  try {
    table.insert(swName, PORT_KIND_VALE, off);
  } catch (e) {
    region.freeRingObject(off);
    throw e;
  }
  Atomics.store(i32, b + SW_MAGIC_I32, SWITCH_MAGIC);
  return off;
}

function destroySwitchIfEmpty(
  region: Region,
  table: PortTable,
  swName: string,
  off: number,
): boolean {
  const b = off >>> 2;
  const i32 = region.i32;
  if (i32[b + SW_NPORTS_I32]! > 0 || i32[b + SW_PERSIST_I32] === 1) return false;
  table.remove(swName);
  Atomics.store(i32, b + SW_MAGIC_I32, 0);
  region.freeRingObject(off);
  return true;
}

/** Makes switch `swName` persistent (it stays while empty) or not; creates it when absent. */
export function setSwitchPersistent(region: Region, swName: string, on: boolean): void {
  const table = new PortTable(region);
  table.withLock(() => {
    let off = findSwitch(region, table, swName);
    if (off === 0) {
      if (!on) return;
      off = createSwitch(region, table, swName, DEFAULT_MAX_SWITCHES);
    }
    region.i32[(off >>> 2) + SW_PERSIST_I32] = on ? 1 : 0;
    if (!on) destroySwitchIfEmpty(region, table, swName, off);
  });
}

// ---- ports --------------------------------------------------------------------

/** If index of port `name` (`vale0:p1`), or 0. */
export function findPort(region: Region, table: PortTable, name: string): number {
  const e = table.lookup(name);
  if (e === null || e.kind !== PORT_KIND_VALE) return 0;
  const w = (i: number): number => region.i32[ifWord(region, e.ifIndex, i)]!;
  if (w(IF_MAGIC_I32) !== PORT_MAGIC || w(IF_KIND_I32) !== PORT_KIND_VALE) return 0;
  return e.ifIndex;
}

/**
 * Allocates an if object of kind `kind` with `ntx` TX and `nrx` RX rings of
 * `slots` slots (each slot holding a buffer of its own) and a lease object
 * for the RX rings. The user owns every TX slot but one; RX rings start
 * empty. Undoes everything on failure. Under the region lock. Allocates.
 */
export function makePortObject(
  region: Region,
  kind: number,
  ntx: number,
  nrx: number,
  slots: number,
): number {
  if (region.ringSize < leaseObjectBytes(nrx))
    throw new OptionError(
      'rings',
      `at most ${Math.floor(region.ringSize / leaseObjectBytes(1))} for this region's ringSize ${region.ringSize} (lease state)`,
      nrx,
    );
  const i32 = region.i32;
  let ifIdx = 0;
  const ringOffs: number[] = [];
  const held: number[] = [];
  const bufs = new Uint32Array(slots);
  try {
    ifIdx = region.allocIf();
    if (ifIdx === 0) throw new ExhaustedError('if pool', 1);
    const w = (i: number): number => ifWord(region, ifIdx, i);
    const leaseOff = region.allocRingObject();
    if (leaseOff === 0) throw new ExhaustedError('ring pool', ntx + nrx + 1);
    ringOffs.push(leaseOff);
    for (let r = 0; r < ntx + nrx; r++) {
      const off = region.allocRingObject();
      if (off === 0) throw new ExhaustedError('ring pool', ntx + nrx + 1);
      ringOffs.push(off);
      const tx = r < ntx;
      initRing(region, off, {
        numSlots: slots,
        dir: tx ? RING_DIR_TX : RING_DIR_RX,
        ringId: tx ? r : r - ntx,
        ownerIf: ifIdx,
      });
      i32[w(IF_RING_TABLE_I32 + r)] = off;
      const got = region.allocBufs(slots, bufs);
      for (let k = 0; k < got; k++) held.push(bufs[k]!);
      if (got < slots) throw new ExhaustedError('buf pool', slots * (ntx + nrx));
      const ri = ringIndexOf(region, off);
      const sBase = i32[(off >>> 2) + RING_SLOTS_OFF_I32]! >>> 2;
      const shBase = i32[(off >>> 2) + RING_SHADOW_OFF_I32]! >>> 2;
      for (let k = 0; k < slots; k++) {
        region.u32[sBase + SLOT_BUF_IDX_COL * slots + k] = bufs[k]!;
        region.u32[shBase + k] = bufs[k]!;
        setBufOwner(region, bufs[k]!, slotCode(ri, k));
      }
      if (tx) {
        i32[(off >>> 2) + RING_TAIL_I32] = slots - 1;
        i32[(off >>> 2) + RING_HWTAIL_I32] = slots - 1;
      }
    }
    i32[w(IF_KIND_I32)] = kind;
    i32[w(IF_NTX_I32)] = ntx;
    i32[w(IF_NRX_I32)] = nrx;
    i32[w(IF_SLOTS_I32)] = slots;
    i32[w(VP_LEASE_OFF_I32)] = leaseOff;
    return ifIdx;
  } catch (e) {
    for (const bi of held) setBufOwner(region, bi, 0);
    if (held.length > 0) region.freeBufs(held);
    for (const off of ringOffs) region.freeRingObject(off);
    if (ifIdx !== 0) region.freeIf(ifIdx);
    throw e;
  }
}

/**
 * Returns what makePortObject took (buffers by the buffer-owner map, also
 * the port's extra buffers; then the rings, the lease object and the if
 * object), exactly once, first keeping its counters under `name` in the
 * region's retired-counters table (null: a port never made ready, or one
 * without a name). Under the region lock.
 */
export function freePortObject(region: Region, ifIdx: number, name: string | null): DestroyReport {
  return freePortRings(region, ifIdx, [region.i32[ifWord(region, ifIdx, VP_LEASE_OFF_I32)]!], name);
}

/**
 * The kind words of a switch port that are counters (TX_PKTS .. MON_DROPS,
 * vale-port-layout.ts): a retired record adds them up across the ports of
 * one name (core's retirePortCounters).
 */
export const VALE_SUM_KIND_WORDS = (() => {
  let m = 0;
  for (let i = VP_TX_PKTS_I32; i <= VP_MON_DROPS_I32; i++) m |= 1 << (i - IF_KIND_WORDS_I32);
  return m;
})();

/**
 * Returns a port object's buffers (by the buffer-owner map: those of its
 * rings' slots and its extra buffers), its rings, the other ring-pool
 * objects in `objects`, and its if object, exactly once. Before anything
 * goes, the port's counters are added to the region's retired-counters
 * table under `name` (core's retirePortCounters; a switch port's counter
 * words are summed), unless `name` is null. Under the region lock. `rings`
 * in the report counts the ring-pool objects freed.
 */
export function freePortRings(
  region: Region,
  ifIdx: number,
  objects: readonly number[],
  name: string | null,
): DestroyReport {
  const i32 = region.i32;
  const w = (i: number): number => ifWord(region, ifIdx, i);
  if (name !== null)
    retirePortCounters(
      region,
      ifIdx,
      name,
      i32[w(IF_KIND_I32)] === PORT_KIND_VALE ? VALE_SUM_KIND_WORDS : 0,
    );
  const nr = i32[w(IF_NTX_I32)]! + i32[w(IF_NRX_I32)]!;
  const ringOffs: number[] = [...objects];
  const slotRings = new Set<number>();
  for (let r = 0; r < nr; r++) {
    const off = i32[w(IF_RING_TABLE_I32 + r)]!;
    ringOffs.push(off);
    slotRings.add(ringIndexOf(region, off));
  }
  const { freed, stale } = freeOwned(
    region,
    (code) => slotRings.has(slotCodeRing(code)) || isExtraOf(code, ifIdx),
  );
  for (const off of ringOffs) region.freeRingObject(off);
  Atomics.store(i32, w(IF_MAGIC_I32), 0);
  region.freeIf(ifIdx);
  return { buffers: freed, rings: ringOffs.length, problems: stale };
}

/** Builds port `name` on switch `swOff` and attaches it. Undoes everything on failure. */
function buildPort(
  region: Region,
  table: PortTable,
  swOff: number,
  name: string,
  rings: number,
  slots: number,
): number {
  const i32 = region.i32;
  const sb = swOff >>> 2;
  let portNo = -1;
  for (let p = 0; p < SWITCH_MAX_PORTS; p++)
    if (i32[sb + SW_PORT_TABLE_I32 + p] === 0) {
      portNo = p;
      break;
    }
  if (portNo < 0)
    throw new SwitchFullError(
      `ports on switch ${name.slice(0, name.indexOf(':'))}`,
      SWITCH_MAX_PORTS,
    );
  const ifIdx = makePortObject(region, PORT_KIND_VALE, rings, rings, slots);
  const w = (i: number): number => ifWord(region, ifIdx, i);
  try {
    table.insert(name, PORT_KIND_VALE, ifIdx);
  } catch (e) {
    freePortObject(region, ifIdx, null);
    throw e;
  }
  i32[w(VP_SWITCH_OFF_I32)] = swOff;
  i32[w(VP_PORT_NO_I32)] = portNo;
  Atomics.store(i32, w(VP_STATE_I32), VP_ATTACHED);
  Atomics.store(i32, w(IF_MAGIC_I32), PORT_MAGIC);
  Atomics.store(i32, sb + SW_PORT_TABLE_I32 + portNo, ifIdx);
  i32[sb + SW_NPORTS_I32]! += 1;
  Atomics.add(i32, sb + SW_GEN_I32, 1);
  return ifIdx;
}

/** Waits (bounded) until no sender is delivering into port `ifIdx`. */
function drainSenders(region: Region, ifIdx: number): void {
  const a = ifWord(region, ifIdx, VP_ACTIVE_I32);
  const deadline = performance.now() + 2000;
  while (Atomics.load(region.i32, a) > 0 && performance.now() < deadline)
    region.waiter.wait(region.i32, a, Atomics.load(region.i32, a), 1);
  // Past the deadline a sender died inside its delivery: nothing will use the count again.
}

/**
 * Takes port `ifIdx` off its switch and returns everything it holds to the
 * pools, exactly once (buffers by the buffer-owner map). Destroys the
 * switch if it is now empty and not persistent. Under the region lock.
 */
function destroyPort(region: Region, table: PortTable, ifIdx: number, name: string): DestroyReport {
  const i32 = region.i32;
  const w = (i: number): number => ifWord(region, ifIdx, i);
  const swOff = i32[w(VP_SWITCH_OFF_I32)]!;
  const sb = swOff >>> 2;
  const portNo = i32[w(VP_PORT_NO_I32)]!;
  Atomics.store(i32, w(VP_STATE_I32), VP_DETACHING);
  Atomics.store(i32, sb + SW_PORT_TABLE_I32 + portNo, 0);
  i32[sb + SW_NPORTS_I32]! -= 1;
  Atomics.add(i32, sb + SW_GEN_I32, 1);
  drainSenders(region, ifIdx);
  const rep = freePortObject(region, ifIdx, name);
  table.remove(name);
  destroySwitchIfEmpty(region, table, name.slice(0, name.indexOf(':')), swOff);
  return rep;
}

/** What opening a switch port hands to ValePort. */
export interface OpenedValePort {
  ifIdx: number;
  swOff: number;
  portNo: number;
  rings: number;
  slots: number;
  name: ValeName;
}

/**
 * Opens (creating when absent) switch port `spec` under the region lock.
 * Throws PortNameError, OptionError, BusyError, SwitchFullError or
 * ExhaustedError. Allocates.
 */
export function openValeEnd(region: Region, spec: string, opts: ValeOpenOptions): OpenedValePort {
  checkRegion(region);
  const vn = parseValeName(spec);
  if (vn.memId !== null && vn.memId !== region.memId)
    throw new OptionError(
      'name',
      `a region with memId ${vn.memId} (this region has memId ${region.memId})`,
      spec,
    );
  const o = checkValeOptions(
    region,
    opts.rings ?? vn.rings,
    opts.slots ?? vn.slots,
    opts.maxSwitches,
  );
  const extra = checkExtraBufs(region, opts.extraBufs ?? vn.extraBufs ?? 0);
  const table = new PortTable(region);
  return table.withLock(() => {
    let swOff = findSwitch(region, table, vn.switchName);
    let madeSwitch = false;
    if (swOff === 0) {
      swOff = createSwitch(region, table, vn.switchName, o.maxSwitches);
      madeSwitch = true;
    }
    let ifIdx = findPort(region, table, vn.name);
    try {
      if (ifIdx === 0) ifIdx = buildPort(region, table, swOff, vn.name, o.rings, o.slots);
      else {
        const have = region.i32[ifWord(region, ifIdx, IF_NTX_I32)]!;
        const haveSlots = region.i32[ifWord(region, ifIdx, IF_SLOTS_I32)]!;
        const askR = opts.rings ?? vn.rings;
        const askS = opts.slots ?? vn.slots;
        if (askR !== undefined && askR !== have)
          throw new OptionError('rings', `${have} (the port ${vn.name} exists with ${have})`, askR);
        if (askS !== undefined && askS !== haveSlots)
          throw new OptionError(
            'slots',
            `${haveSlots} (the port ${vn.name} exists with ${haveSlots})`,
            askS,
          );
      }
    } catch (e) {
      if (madeSwitch) destroySwitchIfEmpty(region, table, vn.switchName, swOff);
      throw e;
    }
    openPortObject(region, ifIdx, vn.name, vn.exclusive, extra);
    const i32 = region.i32;
    return {
      ifIdx,
      swOff,
      portNo: i32[ifWord(region, ifIdx, VP_PORT_NO_I32)]!,
      rings: i32[ifWord(region, ifIdx, IF_NTX_I32)]!,
      slots: i32[ifWord(region, ifIdx, IF_SLOTS_I32)]!,
      name: vn,
    };
  });
}

/**
 * Closes one open of port `ifIdx` (every open with `all`). At the last
 * close of a port that is not persistent, the port leaves its switch and
 * everything it holds goes back. Returns the destroy report if it did.
 */
export function closeValeEnd(
  region: Region,
  ifIdx: number,
  name: string,
  finalState = PORT_CLOSED,
  all = false,
): DestroyReport | null {
  const table = new PortTable(region);
  return table.withLock(() => {
    const drop = closePortObject(region, ifIdx, finalState, all);
    if (drop === 0) return null;
    portDoorbell(region, ifIdx).wakeAll();
    const i32 = region.i32;
    if (i32[ifWord(region, ifIdx, IF_OPENS_I32)]! > 0) return null;
    if (i32[ifWord(region, ifIdx, VP_PERSIST_I32)] === 1) return null;
    return destroyPort(region, table, ifIdx, name);
  });
}

/**
 * Creates (or marks) port `spec` as persistent: it stays on its switch with
 * no opener, as a port made with vale-ctl. Creates the switch when absent.
 * Returns the port number. Throws as openValeEnd.
 */
export function attachPort(region: Region, spec: string, opts: ValeOpenOptions = {}): number {
  const opened = openValeEnd(region, spec, opts);
  const table = new PortTable(region);
  return table.withLock(() => {
    region.i32[ifWord(region, opened.ifIdx, VP_PERSIST_I32)] = 1;
    closePortObject(region, opened.ifIdx, PORT_CLOSED, false);
    return opened.portNo;
  });
}

/**
 * Takes persistent port `name` off its switch and frees it. Throws
 * BusyError while it is open, OptionError when there is no such port.
 */
export function detachPort(region: Region, spec: string): DestroyReport {
  checkRegion(region);
  const vn = parseValeName(spec);
  const table = new PortTable(region);
  return table.withLock(() => {
    const ifIdx = findPort(region, table, vn.name);
    if (ifIdx === 0) throw new OptionError('name', 'a port of a switch in this region', spec);
    if (region.i32[ifWord(region, ifIdx, IF_OPENS_I32)]! > 0)
      throw new BusyError(vn.name, 'the port is open; close it before detaching');
    region.i32[ifWord(region, ifIdx, VP_PERSIST_I32)] = 0;
    return destroyPort(region, table, ifIdx, vn.name);
  });
}

/**
 * Closes, on behalf of dead owner `ownerId`, every switch port it had open,
 * and pads over the leases it left pending in every switch port's RX rings
 * (so no other sender waits on it). Called by core's reaper under the
 * region lock. Returns the number of ports closed.
 */
function reapVale(region: Region, ownerId: number): number {
  const table = new PortTable(region);
  for (const e of table.list()) {
    if (e.kind !== PORT_KIND_VALE || !e.name.includes(':')) continue;
    if (findPort(region, table, e.name) !== 0) padDeadLeases(region, e.ifIndex, ownerId);
  }
  let closed = 0;
  for (const ifIdx of portsOpenedBy(region, ownerId)) {
    if (region.i32[ifWord(region, ifIdx, IF_KIND_I32)] !== PORT_KIND_VALE) continue;
    const name = table.list().find((e) => e.kind === PORT_KIND_VALE && e.ifIndex === ifIdx)?.name;
    if (name === undefined) continue;
    closeValeEnd(region, ifIdx, name, PORT_DEAD, true);
    closed++;
  }
  return closed;
}

registerReaper('vale', reapVale);
