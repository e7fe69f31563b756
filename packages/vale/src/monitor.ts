/**
 * Copy monitors (netmap_monitor.c): `port/t`, `/r`, `/tr` on switch ports
 * and pipe ends. A monitor is a port with RX rings only; ring i receives a
 * copy of what the monitored port's TX ring i submits (at its txsync,
 * before the slots are handed on: NS_TXMON set) and what its RX ring i
 * imports (at its rxsync, before the application consumes them), in order.
 *
 * The copy runs in the monitored port's thread, from core's monitor hook
 * (port.ts), which is called only when the port's if object says it has
 * monitors (one load per sync otherwise). A full monitor ring takes only
 * the newest slots that fit and counts the rest (MON_DROPS): the monitored
 * port is never held back beyond the copy itself.
 *
 * Zero-copy monitors (`/z`, also `/zt`, `/zr`; switch ports only) see
 * frames after they are consumed, as netmap's: a TX slot once the switch
 * has forwarded it, an RX slot when the application gives it back. The
 * slot's buffer is exchanged with the monitor slot's free buffer (both
 * moves recorded in the buffer-owner map; the port's slot gets
 * NS_BUF_CHANGED), so nothing is copied. A pipe's slots belong to the
 * other end once sent, so `/z` on a pipe end is an OptionError.
 */
import {
  checkRegion,
  CLAIM_OK,
  claimBuf,
  slotCode,
  IF_KIND_I32,
  IF_MAGIC_I32,
  IF_MONITORS_I32,
  IF_NRX_I32,
  IF_NTX_I32,
  IF_PEER_IF_I32,
  IF_RING_TABLE_I32,
  IF_SLOTS_I32,
  IF_STATE_I32,
  ifWord,
  Kring,
  MAX_PORT_RINGS,
  type Notifier,
  NS_BUF_CHANGED,
  NS_TXMON,
  OptionError,
  openPortObject,
  parsePortName,
  Port,
  portDoorbell,
  portsOpenedBy,
  PORT_CLOSED,
  PORT_DEAD,
  PORT_KIND_PIPE,
  PORT_KIND_VALE,
  PORT_MAGIC,
  PORT_OPEN,
  PortTable,
  registerReaper,
  RING_HEAD_I32,
  RingView,
  ringSpace,
  setMonitorHook,
  IF_MON_UNSERVED_I32,
  checkOpenOptions,
  closePortObject,
  type DestroyReport,
  type OpenOptions,
  type PortSync,
  type Region,
  copyRegionBytes,
} from '@pktfabric/core';
import { MAX_VALE_RINGS, MAX_VALE_SLOTS } from './api.js';
import { LeaseRing } from './lease.js';
import {
  MON_MODE_I32,
  MON_PARENT_IF_I32,
  MON_RX,
  MON_TX,
  MON_ZCOPY,
  VP_LEASE_OFF_I32,
  VP_MON_DROPS_I32,
} from './layout/vale-port-layout.js';
import { findPort, freePortObject, makePortObject } from './switch.js';
import { setZeroCopyTx, ValeSync } from './vale-sync.js';

/** Kind word of a monitor's if object ('MONI' little-endian). */
export const PORT_KIND_MONITOR = 0x494e4f4d;

export interface MonitorOptions extends OpenOptions {
  /** Slots per monitor ring, a power of two 4 .. 4096. @defaultValue the monitored port's */
  slots?: number;
}

/** The if index of the open port `name` (a switch port or a pipe end), or throws OptionError. */
function resolveParent(region: Region, table: PortTable, spec: string, name: string): number {
  const p = parsePortName(spec);
  let ifIdx = 0;
  if (p.subsystem === 'vale') ifIdx = findPort(region, table, name);
  else if (p.pipe !== null) {
    const e = table.lookup(`pipe${p.pipe.id}`);
    if (e !== null && e.kind === PORT_KIND_PIPE) {
      const m = e.ifIndex;
      ifIdx = p.pipe.role === 'master' ? m : region.i32[ifWord(region, m, IF_PEER_IF_I32)]!;
    }
  }
  if (ifIdx === 0 || Atomics.load(region.i32, ifWord(region, ifIdx, IF_STATE_I32)) !== PORT_OPEN)
    throw new OptionError('name', 'an open switch port or pipe end to monitor', spec);
  return ifIdx;
}

/** Gives the monitored port's MONITORS word a new non-zero value, or 0 when `none`. */
function bumpMonitors(region: Region, parentIf: number, none: boolean): void {
  const w = ifWord(region, parentIf, IF_MONITORS_I32);
  const v = region.i32[w]!;
  Atomics.store(region.i32, w, none ? 0 : (v + 1) & 0x7fffffff || 1);
}

function countMonitors(region: Region, parentIf: number, except = 0): number {
  let n = 0;
  for (let k = 1; k < region.ifCount; k++) {
    if (k === except || region.ifPool.isFree(k)) continue;
    const w = (i: number): number => region.i32[ifWord(region, k, i)]!;
    if (
      w(IF_MAGIC_I32) === PORT_MAGIC &&
      w(IF_KIND_I32) === PORT_KIND_MONITOR &&
      w(MON_PARENT_IF_I32) === parentIf
    )
      n++;
  }
  return n;
}

function closeMonitor(region: Region, ifIdx: number, state: number): DestroyReport | null {
  const table = new PortTable(region);
  return table.withLock(() => {
    if (closePortObject(region, ifIdx, state, true) === 0) return null;
    const parent = region.i32[ifWord(region, ifIdx, MON_PARENT_IF_I32)]!;
    const parentLive =
      region.i32[ifWord(region, parent, IF_MAGIC_I32)] === PORT_MAGIC &&
      !region.ifPool.isFree(parent);
    // A monitor has no name in the port-name table: its counters go with it.
    const rep = freePortObject(region, ifIdx, null);
    if (parentLive) bumpMonitors(region, parent, countMonitors(region, parent) === 0);
    return rep;
  });
}

class MonitorSync extends ValeSync implements PortSync {
  constructor(
    region: Region,
    private readonly monIf: number,
    rx: readonly Kring[],
    leaseOff: number,
  ) {
    super(region, monIf, '', null, [], rx, leaseOff);
  }
  override close(): DestroyReport | null {
    return closeMonitor(this.region, this.monIf, PORT_CLOSED);
  }
}

/**
 * Opens a copy monitor of an open switch port or pipe end: `vale0:p1/t`
 * (what it transmits), `/r` (what it receives), `/tr` (both). Returns a
 * port with RX rings only (as many as the monitored port has rings in
 * either direction). Throws PortNameError, OptionError (the port is not
 * open, `/z`, bad slots) or ExhaustedError. Allocates.
 */
export function openMonitor(region: Region, spec: string, opts: MonitorOptions = {}): Port {
  checkRegion(region);
  if (typeof spec !== 'string')
    throw new OptionError('name', 'a string such as "vale0:p1/t"', spec);
  const p = parsePortName(spec);
  if (p.flags.monitor === null) throw new OptionError('name', 'a name with /t, /r or /tr', spec);
  const o = checkOpenOptions(opts) as MonitorOptions;
  const mode =
    (p.flags.monitor === 'tx' ? MON_TX : p.flags.monitor === 'rx' ? MON_RX : MON_TX | MON_RX) |
    (p.flags.zeroCopy ? MON_ZCOPY : 0);
  const table = new PortTable(region);
  const { ifIdx, nrx } = table.withLock(() => {
    const parent = resolveParent(region, table, spec, p.name);
    if (p.flags.zeroCopy && region.i32[ifWord(region, parent, IF_KIND_I32)] !== PORT_KIND_VALE)
      throw new OptionError('name', 'a switch port for a zero-copy monitor (/z)', spec);
    const pw = (i: number): number => region.i32[ifWord(region, parent, i)]!;
    const nrx = Math.min(MAX_VALE_RINGS, Math.max(pw(IF_NTX_I32), pw(IF_NRX_I32)));
    const slots = o.slots ?? Math.min(pw(IF_SLOTS_I32), MAX_VALE_SLOTS);
    if (typeof slots !== 'number' || !Number.isInteger(slots) || slots > MAX_VALE_SLOTS)
      throw new OptionError('slots', `a power of two from 4 to ${MAX_VALE_SLOTS}`, slots);
    const k = makePortObject(region, PORT_KIND_MONITOR, 0, nrx, slots);
    region.i32[ifWord(region, k, MON_PARENT_IF_I32)] = parent;
    region.i32[ifWord(region, k, MON_MODE_I32)] = mode;
    Atomics.store(region.i32, ifWord(region, k, IF_MAGIC_I32), PORT_MAGIC);
    openPortObject(region, k, spec, false, 0);
    bumpMonitors(region, parent, false);
    return { ifIdx: k, nrx };
  });
  const rx: Kring[] = [];
  for (let r = 0; r < nrx; r++)
    rx.push(
      new Kring(
        region,
        region.i32[ifWord(region, ifIdx, IF_RING_TABLE_I32 + r)]!,
        `${spec} rx${r}`,
      ),
    );
  const leaseOff = region.i32[ifWord(region, ifIdx, VP_LEASE_OFF_I32)]!;
  return new Port({
    region,
    name: spec,
    ifIdx,
    tx: [],
    rx,
    sync: new MonitorSync(region, ifIdx, rx, leaseOff),
    ...(o.spin !== undefined ? { spin: o.spin } : {}),
  });
}

/**
 * True when a thread synced the monitored port while this monitor watched it
 * without the monitor hook (that thread's process never loaded
 * `@pktfabric/vale`), so frames were missed: import `@pktfabric/vale` where
 * the monitored port is used. False for a port that is not a monitor.
 */
export function monitorUnserved(monitor: Port): boolean {
  const { region } = monitor;
  if (region.i32[ifWord(region, monitor.ifIdx, IF_KIND_I32)] !== PORT_KIND_MONITOR) return false;
  const parent = region.i32[ifWord(region, monitor.ifIdx, MON_PARENT_IF_I32)]!;
  return Atomics.load(region.i32, ifWord(region, parent, IF_MON_UNSERVED_I32)) !== 0;
}

/** Slots a monitor missed because its ring was full. */
export function monitorDrops(monitor: Port): number {
  return (
    Atomics.load(monitor.region.i32, ifWord(monitor.region, monitor.ifIdx, VP_MON_DROPS_I32)) >>> 0
  );
}

// ---- the hook: runs in the monitored port's thread --------------------------------

interface Target {
  ifIdx: number;
  mode: number;
  leases: LeaseRing[];
  bell: Notifier;
}

interface Watch {
  word: number;
  targets: Target[];
  rxTails: Int32Array;
}

const watches = new WeakMap<Region, Map<number, Watch>>();

/** The monitors of port `ifIdx` as this thread last saw them; re-read when its MONITORS word changed. */
function watchOf(region: Region, ifIdx: number, nrx: number): Watch {
  const word = Atomics.load(region.i32, ifWord(region, ifIdx, IF_MONITORS_I32));
  let m = watches.get(region);
  if (m === undefined) watches.set(region, (m = new Map()));
  let w = m.get(ifIdx);
  if (w !== undefined && w.word === word) return w;
  const targets: Target[] = [];
  new PortTable(region).withLock(() => {
    for (let k = 1; k < region.ifCount; k++) {
      if (region.ifPool.isFree(k)) continue;
      const x = (i: number): number => region.i32[ifWord(region, k, i)]!;
      if (x(IF_MAGIC_I32) !== PORT_MAGIC || x(IF_KIND_I32) !== PORT_KIND_MONITOR) continue;
      if (x(MON_PARENT_IF_I32) !== ifIdx || x(IF_STATE_I32) !== PORT_OPEN) continue;
      const leases: LeaseRing[] = [];
      for (let r = 0; r < x(IF_NRX_I32); r++)
        leases.push(
          new LeaseRing(
            region,
            x(VP_LEASE_OFF_I32),
            r,
            new RingView(region, x(IF_RING_TABLE_I32 + r)),
          ),
        );
      targets.push({
        ifIdx: k,
        mode: x(MON_MODE_I32),
        leases,
        bell: portDoorbell(region, k, ifIdx),
      });
    }
  });
  w = { word, targets, rxTails: new Int32Array(Math.max(nrx, MAX_PORT_RINGS)) };
  m.set(ifIdx, w);
  return w;
}

const TXMON_HI = NS_TXMON << 16;
const CLEAR_HI = ~((NS_TXMON | NS_BUF_CHANGED) << 16);
const BUF_CHANGED_HI = NS_BUF_CHANGED << 16;

/** Copies slots [from, to) of kring `k` (ring number `r`) into every monitor of `w` with `dir`. */
function copyOut(
  region: Region,
  w: Watch,
  k: Kring,
  r: number,
  from: number,
  to: number,
  dir: number,
): void {
  const { u32, u8 } = region;
  const count = ringSpace(from, to, k.n);
  const bufBase = region.bufBase;
  const bufSize = region.bufSize;
  const bufCount = region.bufCount;
  for (const t of w.targets) {
    if ((t.mode & (dir | MON_ZCOPY)) !== dir || t.leases.length === 0) continue;
    const lr = t.leases[r < t.leases.length ? r : r % t.leases.length]!;
    const cnt = lr.reserve(count);
    if (cnt < count)
      Atomics.add(region.i32, ifWord(region, t.ifIdx, VP_MON_DROPS_I32), count - cnt);
    if (cnt === 0) continue;
    // The newest `cnt` slots of the batch.
    let s = from + (count - cnt);
    if (s >= k.n) s -= k.n;
    let d = lr.start;
    for (let j = 0; j < cnt; j++) {
      let bi = u32[k.bufs + s]!;
      if (bi >= bufCount) bi = 0;
      const lf = u32[k.lfs + s]!;
      const off = k.offMask === 0 ? 0 : u32[k.ptrs + s]! & k.offMask;
      let len = lf & 0xffff;
      if (len + off > bufSize) len = off < bufSize ? bufSize - off : 0;
      const dbi = u32[lr.shadow + d]!;
      if (dbi === 0) len = 0;
      else if (len > 0) {
        const at = bufBase + bi * bufSize + off;
        copyRegionBytes(u8, u32, bufBase + dbi * bufSize, at, len);
      }
      u32[lr.bufs + d] = dbi;
      u32[lr.lfs + d] = ((lf & CLEAR_HI) | (dir === MON_TX ? TXMON_HI : 0) | len) >>> 0;
      s = s + 1 === k.n ? 0 : s + 1;
      d = d + 1 === lr.n ? 0 : d + 1;
    }
    if (lr.complete(cnt)) t.bell.ring();
  }
}

/**
 * Zero-copy: exchanges the buffers of slots [from, to) of kring `k` (ring
 * number `r`) with free monitor slots of every `/z` monitor of `w` with
 * `dir` (the first such monitor takes them; netmap chains the others, we do
 * not). Only slots that still hold their validated buffer are taken. Does
 * not allocate.
 */
function swapOut(
  region: Region,
  w: Watch,
  k: Kring,
  r: number,
  from: number,
  to: number,
  dir: number,
): void {
  const u32 = region.u32;
  const count = ringSpace(from, to, k.n);
  for (const t of w.targets) {
    if ((t.mode & (dir | MON_ZCOPY)) !== (dir | MON_ZCOPY) || t.leases.length === 0) continue;
    const lr = t.leases[r < t.leases.length ? r : r % t.leases.length]!;
    const cnt = lr.reserve(count);
    let missed = count - cnt;
    let s = from + (count - cnt);
    if (s >= k.n) s -= k.n;
    let d = lr.start;
    let used = 0;
    for (let j = 0; j < cnt; j++) {
      const pb = u32[k.bufs + s]!;
      const mb = u32[lr.shadow + d]!;
      const lf = u32[k.lfs + s]!;
      if (pb !== 0 && mb !== 0 && pb === u32[k.shadow + s] && k.offMask === 0) {
        // Both slots first, then the two moves (each claim sees the other slot changed).
        u32[lr.bufs + d] = pb;
        u32[k.bufs + s] = mb;
        const c1 = claimBuf(region, mb, k.slotCode(s));
        const c2 = claimBuf(region, pb, slotCode(lr.slotRing, d));
        if (c1 === CLAIM_OK && c2 === CLAIM_OK) {
          u32[k.shadow + s] = mb;
          u32[lr.shadow + d] = pb;
          u32[k.lfs + s] = (lf | BUF_CHANGED_HI) >>> 0;
          u32[lr.lfs + d] = ((lf & CLEAR_HI) | (dir === MON_TX ? TXMON_HI : 0)) >>> 0;
          used++;
          d = d + 1 === lr.n ? 0 : d + 1;
        } else {
          // Cannot happen unless the ring was overwritten meanwhile: put both back.
          u32[lr.bufs + d] = mb;
          u32[k.bufs + s] = pb;
          if (c1 === CLAIM_OK) claimBuf(region, mb, slotCode(lr.slotRing, d));
          if (c2 === CLAIM_OK) claimBuf(region, pb, k.slotCode(s));
          missed++;
        }
      } else missed++;
      s = s + 1 === k.n ? 0 : s + 1;
    }
    if (missed > 0) Atomics.add(region.i32, ifWord(region, t.ifIdx, VP_MON_DROPS_I32), missed);
    if (lr.complete(used)) t.bell.ring();
    return;
  }
}

setZeroCopyTx((region, ifIdx, k, r, from, to) => {
  const w = watchOf(region, ifIdx, 0);
  if (w.targets.length !== 0) swapOut(region, w, k, r, from, to, MON_TX);
});

/**
 * The head of kring `k` when [hwcur, head) is a batch its sync is about to
 * take (TX: to send; RX: given back), else -1: nothing new, or a head out of
 * range or past hwtail, which is the sync's to report.
 */
function batchHead(region: Region, k: Kring): number {
  const head = region.i32[k.b + RING_HEAD_I32]!;
  if (head === k.hwcur || head >>> 0 >= k.n) return -1;
  if (ringSpace(k.hwcur, head, k.n) > ringSpace(k.hwcur, k.hwtail, k.n)) return -1;
  return head;
}

setMonitorHook({
  tx(port, ring) {
    const w = watchOf(port.region, port.ifIdx, port.rxKrings.length);
    if (w.targets.length === 0) return;
    const ks = port.txKrings;
    for (let r = ring < 0 ? 0 : ring, e = ring < 0 ? ks.length : ring + 1; r < e; r++) {
      const k = ks[r]!;
      // What the txsync is about to send.
      const head = batchHead(port.region, k);
      if (head >= 0) copyOut(port.region, w, k, r, k.hwcur, head, MON_TX);
    }
  },
  rxBefore(port, ring) {
    const w = watchOf(port.region, port.ifIdx, port.rxKrings.length);
    const ks = port.rxKrings;
    for (let r = 0; r < ks.length; r++) w.rxTails[r] = ks[r]!.hwtail;
    // Zero-copy monitors take what the application gives back now.
    for (let r = ring < 0 ? 0 : ring, e = ring < 0 ? ks.length : ring + 1; r < e; r++) {
      const k = ks[r]!;
      const head = batchHead(port.region, k);
      if (head >= 0) swapOut(port.region, w, k, r, k.hwcur, head, MON_RX);
    }
  },
  rxAfter(port, ring) {
    const w = watchOf(port.region, port.ifIdx, port.rxKrings.length);
    if (w.targets.length === 0) return;
    const ks = port.rxKrings;
    for (let r = ring < 0 ? 0 : ring, e = ring < 0 ? ks.length : ring + 1; r < e; r++) {
      const k = ks[r]!;
      if (k.hwtail !== w.rxTails[r]) copyOut(port.region, w, k, r, w.rxTails[r]!, k.hwtail, MON_RX);
    }
  },
});

registerReaper('monitor', (region, ownerId) => {
  let n = 0;
  for (const k of portsOpenedBy(region, ownerId)) {
    if (region.i32[ifWord(region, k, IF_KIND_I32)] !== PORT_KIND_MONITOR) continue;
    closeMonitor(region, k, PORT_DEAD);
    n++;
  }
  return n;
});
