/**
 * Switch, null and monitor ports in the region's retired-counters table
 * (core's retirePortCounters): a switch port's ring counters and its own
 * counter words are kept by name when it closes, summed over reopen
 * cycles, also when a reaper closes a dead owner's port.
 */
import { describe, expect, it } from 'vitest';
import {
  createRegion,
  IF_OWNER_I32,
  ifWord,
  PORT_KIND_VALE,
  readRetiredPort,
  readRetiredPorts,
  reapOwners,
  type Region,
} from '@pktfabric/core';
import {
  listSwitches,
  openMonitor,
  openNullPort,
  openValePort,
  PORT_KIND_NULL,
  retiredValePorts,
  type ValePort,
} from '../src/index.js';
import { frame, mac } from './frames.js';

function region(): Region {
  return createRegion({ bufSize: 2048, bufCount: 4096, ringSize: 20736, ringCount: 64 });
}

function drain(p: ValePort): number {
  let n = 0;
  for (;;) {
    const b = p.recvBatch(512);
    if (b.length === 0) break;
    n += b.length;
  }
  p.giveBack();
  return n;
}

/** Opens vale0:a and vale0:b, sends `n` frames of `len` bytes from a to b (b drains them), closes both. */
function cycle(r: Region, n: number, len: number): void {
  const a = openValePort(r, 'vale0:a', { slots: 64 });
  const b = openValePort(r, 'vale0:b', { slots: 64 });
  for (let i = 0; i < n; i++) expect(a.send(frame(mac(2), mac(1), i, len))).toBe(true);
  expect(drain(b)).toBe(n);
  a.close();
  b.close();
}

describe('retired counters (switch ports)', () => {
  it('keep a closed port’s ring totals and its own counters under its name', () => {
    const r = region();
    cycle(r, 5, 100);
    expect(listSwitches(r)).toEqual([]); // the switch went with its last port
    expect(readRetiredPort(r, 'vale0:a')).toMatchObject({
      ok: true,
      kind: PORT_KIND_VALE,
      retires: 1,
      txPkts: 5,
      txBytes: 500,
      rxPkts: 0,
    });
    expect(readRetiredPort(r, 'vale0:b')).toMatchObject({ rxPkts: 5, rxBytes: 500, txPkts: 0 });
    expect(retiredValePorts(r)).toEqual([
      {
        name: 'vale0:a',
        closes: 1,
        txPackets: 5,
        txDrops: 0,
        rxPackets: 0,
        rxDrops: 0,
        txBytes: 500,
        rxBytes: 0,
        monitorDrops: 0,
      },
      {
        name: 'vale0:b',
        closes: 1,
        txPackets: 0,
        txDrops: 0,
        rxPackets: 5,
        rxDrops: 0,
        txBytes: 0,
        rxBytes: 500,
        monitorDrops: 0,
      },
    ]);
  });

  it('add up reopen cycles, the switch port’s own counter words included', () => {
    const r = region();
    cycle(r, 5, 100);
    cycle(r, 3, 60);
    expect(readRetiredPort(r, 'vale0:a')).toMatchObject({ retires: 2, txPkts: 8, txBytes: 680 });
    const [a, b] = retiredValePorts(r);
    expect([a!.closes, a!.txPackets, a!.txBytes]).toEqual([2, 8, 680]);
    expect([b!.closes, b!.rxPackets, b!.rxBytes]).toEqual([2, 8, 680]);
  });

  it('keep the counters of a dead owner’s port that a reaper closed', () => {
    const r = region();
    const a = openValePort(r, 'vale0:a', { slots: 64 });
    const b = openValePort(r, 'vale0:b', { slots: 64 });
    for (let i = 0; i < 4; i++) expect(a.send(frame(mac(2), mac(1), i, 80))).toBe(true);
    expect(drain(b)).toBe(4);
    // a's last opener is an owner id of a thread that then died.
    const ghost = r.owners.claim(process.pid, 999_999);
    r.i32[ifWord(r, a.ifIdx, IF_OWNER_I32)] = ghost;
    expect(readRetiredPort(r, 'vale0:a')).toBeNull();
    expect(reapOwners(r, process.pid, 999_999)).toBe(1);
    expect(readRetiredPort(r, 'vale0:a')).toMatchObject({ retires: 1, txPkts: 4, txBytes: 320 });
    expect(retiredValePorts(r)[0]).toMatchObject({ name: 'vale0:a', txPackets: 4 });
    b.close();
  });

  it('keep a null port’s counters as its kind, and nothing for a monitor (it has no name)', () => {
    const r = region();
    const n = openNullPort(r, 'null:x', { rings: 1, slots: 64 });
    n.close();
    expect(readRetiredPort(r, 'null:x')).toMatchObject({
      ok: true,
      kind: PORT_KIND_NULL,
      retires: 1,
    });
    const a = openValePort(r, 'vale0:a', { slots: 64 });
    const m = openMonitor(r, 'vale0:a/t');
    m.close();
    a.close();
    expect(readRetiredPorts(r).ports.map((p) => p.name)).toEqual(['null:x', 'vale0:a']);
    expect(retiredValePorts(r).map((p) => p.name)).toEqual(['vale0:a']);
  });
});
