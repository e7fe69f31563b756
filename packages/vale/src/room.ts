/**
 * How much room a switch port's RX ring has for senders right now: what a
 * sender that must not lose packets (the switch drops when a ring is full)
 * checks before it sends. Two Atomics loads per call.
 */
import {
  checkRegion,
  IF_NTX_I32,
  IF_RING_TABLE_I32,
  ifWord,
  PortTable,
  OptionError,
  RingView,
  type Region,
} from '@pktfabric/core';
import {
  LB_HWLEASE_I32,
  LB_RX_HWCUR_I32,
  LEASE_BLOCK_BYTES,
  VP_LEASE_OFF_I32,
} from './layout/vale-port-layout.js';
import { findPort, parseValeName } from './switch.js';

export class RoomGauge {
  private readonly i32: Int32Array;
  private readonly lb: number;
  private readonly mask: number;

  /**
   * A gauge of RX ring `ring` of switch port `name` (which must exist).
   * Throws OptionError / PortNameError. Allocates.
   */
  constructor(region: Region, name: string, ring = 0) {
    checkRegion(region);
    const vn = parseValeName(name);
    const table = new PortTable(region);
    const ifIdx = findPort(region, table, vn.name);
    if (ifIdx === 0) throw new OptionError('name', 'a port of a switch in this region', name);
    const w = (i: number): number => region.i32[ifWord(region, ifIdx, i)]!;
    const nrx = w(IF_NTX_I32);
    if (!Number.isInteger(ring) || ring < 0 || ring >= nrx)
      throw new OptionError('ring', `a ring index from 0 to ${nrx - 1}`, ring);
    const view = new RingView(region, w(IF_RING_TABLE_I32 + nrx + ring));
    this.i32 = region.i32;
    this.lb = (w(VP_LEASE_OFF_I32) + ring * LEASE_BLOCK_BYTES) >>> 2;
    this.mask = view.numSlots - 1;
  }

  /** Slots senders may fill now (0 .. slots - 1). Does not allocate. */
  room(): number {
    const lease = Atomics.load(this.i32, this.lb + LB_HWLEASE_I32);
    const cur = Atomics.load(this.i32, this.lb + LB_RX_HWCUR_I32);
    return this.mask - ((lease - cur) & this.mask);
  }
}
