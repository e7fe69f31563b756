/**
 * Null ports (netmap_null.c): an if object, rings and buffers taken from a
 * region, with no data path. For applications that want pktfabric memory
 * (rings to fill by hand, buffers to keep, extra buffers after start-up)
 * without traffic. Named `null:NAME`; opened once (a second open is a
 * BusyError, as netmap refuses to reopen one); everything goes back at
 * close. Its syncs only check head and cur: nothing moves.
 *
 * Null ports are not switch ports: their if objects carry PORT_KIND_NULL
 * and their names are not `valeX:` names.
 */
import {
  checkRegion,
  BusyError,
  checkExtraBufs,
  checkOpenOptions,
  checkRingGeometry,
  closePortObject,
  DEFAULT_RING_SLOTS,
  ExhaustedError,
  IF_KIND_I32,
  IF_MAGIC_I32,
  IF_NRX_I32,
  IF_NTX_I32,
  IF_RING_TABLE_I32,
  IF_SLOTS_I32,
  ifWord,
  initRing,
  Kring,
  MAX_PORT_RINGS,
  maxPortRings,
  OptionError,
  openPortObject,
  Port,
  PortNameError,
  portsOpenedBy,
  PORT_CLOSED,
  PORT_DEAD,
  PORT_MAGIC,
  PortTable,
  registerReaper,
  ringIndexOf,
  RING_DIR_RX,
  RING_DIR_TX,
  RING_HWTAIL_I32,
  RING_SHADOW_OFF_I32,
  RING_TAIL_I32,
  RING_SLOTS_OFF_I32,
  setBufOwner,
  SLOT_BUF_IDX_COL,
  slotCode,
  type DestroyReport,
  type OpenOptions,
  type PortSync,
  type Region,
} from '@pktfabric/core';
import { freePortRings } from './switch.js';

/** Kind word of a null port's if object ('NULL' little-endian, out of the way of small kind numbers). */
export const PORT_KIND_NULL = 0x4c4c554e;

export interface NullPortOptions extends OpenOptions {
  /** Rings per direction, 0 .. 256 (limited by the region's ifSize). @defaultValue 1 */
  rings?: number;
  /** Slots per ring. @defaultValue 1024 */
  slots?: number;
}

const NAME_RE = /^null:[A-Za-z0-9_]{1,40}$/;

class NullSync implements PortSync {
  constructor(
    private readonly region: Region,
    private readonly ifIdx: number,
    private readonly name: string,
  ) {}
  txsync(k: Kring): boolean {
    k.checkHeadCur();
    return false;
  }
  rxsync(k: Kring): boolean {
    k.checkHeadCur();
    return false;
  }
  pending(): boolean {
    return false;
  }
  wakePeer(): void {}
  hungUp(): boolean {
    return false;
  }
  peerOpen(): boolean {
    return false;
  }
  close(): DestroyReport | null {
    return closeNull(this.region, this.ifIdx, this.name, PORT_CLOSED);
  }
}

function closeNull(
  region: Region,
  ifIdx: number,
  name: string,
  state: number,
): DestroyReport | null {
  const table = new PortTable(region);
  return table.withLock(() => {
    if (closePortObject(region, ifIdx, state, true) === 0) return null;
    table.remove(name);
    return freePortRings(region, ifIdx, [], name);
  });
}

/**
 * Opens null port `name` (`null:NAME`) in `region`: `rings` TX and RX rings
 * of `slots` slots, each slot holding a buffer, plus `extraBufs` extra
 * buffers. Throws PortNameError, OptionError, BusyError (already open) or
 * ExhaustedError (everything taken is given back). Allocates.
 */
export function openNullPort(region: Region, name: string, opts: NullPortOptions = {}): Port {
  checkRegion(region);
  if (typeof name !== 'string') throw new OptionError('name', 'a string such as "null:mem0"', name);
  if (!NAME_RE.test(name))
    throw new PortNameError(
      name,
      "a null port is named 'null:NAME' (letters, digits, '_'; at most 40)",
      0,
    );
  const o = checkOpenOptions(opts) as NullPortOptions;
  const maxR = Math.min(MAX_PORT_RINGS, Math.floor(maxPortRings(region.ifSize) / 2));
  const rings = o.rings ?? 1;
  if (typeof rings !== 'number' || !Number.isInteger(rings) || rings < 0 || rings > maxR)
    throw new OptionError('rings', `an integer from 0 to ${maxR}`, rings);
  const slots = o.slots ?? DEFAULT_RING_SLOTS;
  checkRingGeometry(region, slots, 0);
  const extra = checkExtraBufs(region, o.extraBufs ?? 0);
  const table = new PortTable(region);
  const ifIdx = table.withLock(() => {
    if (table.lookup(name) !== null) throw new BusyError(name, 'a null port cannot be reopened');
    const i32 = region.i32;
    let k = 0;
    const offs: number[] = [];
    const held: number[] = [];
    const bufs = new Uint32Array(slots);
    try {
      k = region.allocIf();
      if (k === 0) throw new ExhaustedError('if pool', 1);
      for (let r = 0; r < 2 * rings; r++) {
        const off = region.allocRingObject();
        if (off === 0) throw new ExhaustedError('ring pool', 2 * rings);
        offs.push(off);
        initRing(region, off, {
          numSlots: slots,
          dir: r < rings ? RING_DIR_TX : RING_DIR_RX,
          ringId: r % rings,
          ownerIf: k,
        });
        i32[ifWord(region, k, IF_RING_TABLE_I32 + r)] = off;
        const got = region.allocBufs(slots, bufs);
        for (let j = 0; j < got; j++) held.push(bufs[j]!);
        if (got < slots) throw new ExhaustedError('buf pool', 2 * rings * slots);
        const ri = ringIndexOf(region, off);
        const sb = i32[(off >>> 2) + RING_SLOTS_OFF_I32]! >>> 2;
        const sh = i32[(off >>> 2) + RING_SHADOW_OFF_I32]! >>> 2;
        for (let j = 0; j < slots; j++) {
          region.u32[sb + SLOT_BUF_IDX_COL * slots + j] = bufs[j]!;
          region.u32[sh + j] = bufs[j]!;
          setBufOwner(region, bufs[j]!, slotCode(ri, j));
        }
        if (r < rings) {
          // As on any TX ring, the user owns every slot but one; RX rings stay empty.
          i32[(off >>> 2) + RING_TAIL_I32] = slots - 1;
          i32[(off >>> 2) + RING_HWTAIL_I32] = slots - 1;
        }
      }
      i32[ifWord(region, k, IF_KIND_I32)] = PORT_KIND_NULL;
      i32[ifWord(region, k, IF_NTX_I32)] = rings;
      i32[ifWord(region, k, IF_NRX_I32)] = rings;
      i32[ifWord(region, k, IF_SLOTS_I32)] = slots;
      table.insert(name, PORT_KIND_NULL, k);
      Atomics.store(i32, ifWord(region, k, IF_MAGIC_I32), PORT_MAGIC);
    } catch (e) {
      for (const bi of held) setBufOwner(region, bi, 0);
      if (held.length > 0) region.freeBufs(held);
      for (const off of offs) region.freeRingObject(off);
      if (k !== 0) region.freeIf(k);
      throw e;
    }
    openPortObject(region, k, name, true, extra);
    return k;
  });
  const i32 = region.i32;
  const ring = (r: number): number => i32[ifWord(region, ifIdx, IF_RING_TABLE_I32 + r)]!;
  const tx: Kring[] = [];
  const rx: Kring[] = [];
  for (let r = 0; r < rings; r++) {
    tx.push(new Kring(region, ring(r), `${name} tx${r}`));
    rx.push(new Kring(region, ring(rings + r), `${name} rx${r}`));
  }
  return new Port({
    region,
    name,
    ifIdx,
    tx,
    rx,
    sync: new NullSync(region, ifIdx, name),
    ...(o.spin !== undefined ? { spin: o.spin } : {}),
  });
}

registerReaper('null', (region, ownerId) => {
  let n = 0;
  const table = new PortTable(region);
  for (const ifIdx of portsOpenedBy(region, ownerId)) {
    if (region.i32[ifWord(region, ifIdx, IF_KIND_I32)] !== PORT_KIND_NULL) continue;
    const e = table.list().find((x) => x.kind === PORT_KIND_NULL && x.ifIndex === ifIdx);
    if (e === undefined) continue;
    closeNull(region, ifIdx, e.name, PORT_DEAD);
    n++;
  }
  return n;
});
