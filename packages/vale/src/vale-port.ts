/**
 * A switch port as a port: core's `Port` with the switch's sync strategy.
 * Everything a user calls on it (syncs, poll, send / recv, iteration,
 * streams, extra buffers, close) is core's, shared with every port kind.
 */
import {
  checkRegion,
  attachRegion,
  checkOpenOptions,
  IF_RING_TABLE_I32,
  ifWord,
  Kring,
  OptionError,
  Port,
  type PortDescriptor,
  type Region,
} from '@pktfabric/core';
import type { ValeOpenOptions } from './api.js';
import { Forwarder } from './forward.js';
import { VP_LEASE_OFF_I32 } from './layout/vale-port-layout.js';
import { closeValeEnd, openValeEnd } from './switch.js';
import { ValeSync } from './vale-sync.js';

/**
 * Opens switch port `name` (`vale0:p1`, `vale1:a/x`, `vale0:p2@conf:rings=2,slots=256`)
 * in a region this thread holds; creates the switch and the port when
 * absent. Throws PortNameError, OptionError, BusyError, SwitchFullError or
 * ExhaustedError. Allocates.
 */
export function openValePort(region: Region, name: string, opts: ValeOpenOptions = {}): ValePort {
  return new ValePort(region, name, opts);
}

/** Re-opens a switch port from a descriptor received from another thread (`{ sab, name }`). */
export function openValeDescriptor(desc: PortDescriptor, opts: ValeOpenOptions = {}): ValePort {
  if (desc === null || typeof desc !== 'object')
    throw new OptionError('desc', 'an object { sab, name }', desc);
  return openValePort(attachRegion(desc.sab), desc.name, opts);
}

export class ValePort extends Port {
  /** The port's number on its switch (what a lookup returns to reach it). */
  readonly portNo: number;
  /** `vale0`. */
  readonly switchName: string;

  constructor(region: Region, name: string, opts: ValeOpenOptions = {}) {
    checkRegion(region);
    if (typeof name !== 'string')
      throw new OptionError('name', 'a string such as "vale0:p1"', name);
    const o = checkOpenOptions(opts) as ValeOpenOptions;
    const opened = openValeEnd(region, name, o);
    if (opened.name.monitor !== null) {
      closeValeEnd(region, opened.ifIdx, opened.name.name);
      throw new OptionError(
        'name',
        'a switch port without monitor flags (monitors: openMonitor)',
        name,
      );
    }
    try {
      const i32 = region.i32;
      const ring = (k: number): number => i32[ifWord(region, opened.ifIdx, IF_RING_TABLE_I32 + k)]!;
      const checks = o.checks ?? 'slots';
      const tx: Kring[] = [];
      const rx: Kring[] = [];
      for (let r = 0; r < opened.rings; r++) {
        tx.push(new Kring(region, ring(r), `${name} tx${r}`, checks));
        rx.push(new Kring(region, ring(opened.rings + r), `${name} rx${r}`, checks));
      }
      const fwd = new Forwarder(
        region,
        opened.swOff,
        opened.name.switchName,
        opened.portNo,
        opened.ifIdx,
      );
      const leaseOff = i32[ifWord(region, opened.ifIdx, VP_LEASE_OFF_I32)]!;
      const sync = new ValeSync(region, opened.ifIdx, opened.name.name, fwd, tx, rx, leaseOff);
      super({
        region,
        name,
        ifIdx: opened.ifIdx,
        tx,
        rx,
        sync,
        ...(o.spin !== undefined ? { spin: o.spin } : {}),
      });
    } catch (e) {
      closeValeEnd(region, opened.ifIdx, opened.name.name);
      throw e;
    }
    this.portNo = opened.portNo;
    this.switchName = opened.name.switchName;
  }
}
