import { describe, expect, it } from 'vitest';
import {
  createRegion,
  getMonitorHook,
  NS_TXMON,
  OptionError,
  PortNameError,
  setMonitorHook,
} from '@pktfabric/core';
import { expectConserved, markPools } from '@pktfabric/core/testing';
import { createPipe, openPort } from '@pktfabric/pipes';
import {
  listSwitches,
  monitorDrops,
  monitorUnserved,
  openMonitor,
  openValePort,
} from '../src/index.js';
import { BCAST, frame, mac, tagOf } from './frames.js';

/** Tags of every frame a monitor holds now, with 't' / 'r' for its direction. */
function seen(m: ReturnType<typeof openMonitor>): string[] {
  m.rxsync();
  const out: string[] = [];
  for (const k of m.rxKrings) {
    const v = k.ring;
    for (let i = v.head; i !== v.tail; i = v.next(i)) {
      const p = v.payload(i);
      out.push(`${(v.slotFlags(i) & NS_TXMON) !== 0 ? 't' : 'r'}${tagOf(p)}`);
    }
    v.head = v.cur = v.tail;
  }
  m.rxsync();
  return out;
}

describe('copy monitors', () => {
  it('see exactly what a switch port sends (/t), receives (/r) or both (/tr), in order', () => {
    const r = createRegion();
    const mark = markPools(r);
    const a = openValePort(r, 'vale0:a', { slots: 64 });
    const b = openValePort(r, 'vale0:b', { slots: 64 });
    const mt = openMonitor(r, 'vale0:a/t');
    const mr = openMonitor(r, 'vale0:a/r');
    const mtr = openMonitor(r, 'vale0:a/tr');
    a.send(frame(BCAST, mac(1), 1));
    a.send(frame(BCAST, mac(1), 2));
    b.send(frame(mac(1), mac(2), 3));
    b.recvBatch();
    b.giveBack();
    expect(a.recvBatch().map(tagOf)).toEqual([3]);
    a.giveBack();
    a.send(frame(mac(2), mac(1), 4));
    expect(seen(mt)).toEqual(['t1', 't2', 't4']);
    expect(seen(mr)).toEqual(['r3']);
    expect(seen(mtr)).toEqual(['t1', 't2', 'r3', 't4']);
    expect(() => mt.txsync()).not.toThrow(); // no TX rings: nothing to do
    for (const p of [mt, mr, mtr, a, b]) p.close();
    expect(listSwitches(r)).toEqual([]);
    expectConserved(r, mark);
  });

  it('a full monitor ring drops for the monitor only, counted; the port is not held back', () => {
    const r = createRegion();
    const mark = markPools(r);
    const a = openValePort(r, 'vale0:a', { slots: 64 });
    const b = openValePort(r, 'vale0:b', { slots: 64 });
    const m = openMonitor(r, 'vale0:a/t', { slots: 8 });
    for (let i = 0; i < 20; i++) expect(a.send(frame(mac(2), mac(1), i))).toBe(true);
    expect(b.recvBatch(64).length).toBe(20);
    b.giveBack();
    // Each send is one batch: the first 7 fit, the rest are dropped one by one.
    expect(seen(m)).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
    expect(monitorDrops(m)).toBe(13);
    a.send(frame(mac(2), mac(1), 20));
    expect(seen(m)).toEqual(['t20']);
    for (const p of [m, a, b]) p.close();
    expectConserved(r, mark);
  });

  it('watch a pipe end in both directions', () => {
    const r = createRegion();
    const mark = markPools(r);
    const pipe = createPipe(r, { id: 4, slots: 64 });
    const m = openPort(r, 'pipe{4');
    const s = openPort(r, 'pipe}4');
    const mon = openMonitor(r, 'pipe{4/tr');
    m.send(frame(mac(2), mac(1), 10));
    s.recvBatch();
    s.giveBack();
    s.send(frame(mac(1), mac(2), 11));
    expect(m.recvBatch().map(tagOf)).toEqual([11]);
    m.giveBack();
    expect(seen(mon)).toEqual(['t10', 'r11']);
    expect(() => openMonitor(r, 'pipe{4/z')).toThrow(OptionError); // a pipe's sent slots are the peer's
    mon.close();
    // Without monitors the word is 0 again and nothing is copied.
    m.send(frame(mac(2), mac(1), 12));
    m.close();
    s.close();
    pipe.release();
    expectConserved(r, mark);
  });

  it('a thread with no monitor hook (no @pktfabric/vale loaded) flags the monitor unserved instead of staying silent', () => {
    const r = createRegion();
    const pipe = createPipe(r, { id: 5, slots: 64 });
    const m = openPort(r, 'pipe{5');
    const s = openPort(r, 'pipe}5');
    const mon = openMonitor(r, 'pipe{5/t');
    m.send(frame(mac(2), mac(1), 20));
    expect(seen(mon)).toEqual(['t20']);
    expect(monitorUnserved(mon)).toBe(false);
    // As in a process that never imported @pktfabric/vale: no hook installed.
    const hook = getMonitorHook();
    setMonitorHook(null);
    try {
      m.send(frame(mac(2), mac(1), 21));
    } finally {
      setMonitorHook(hook);
    }
    expect(seen(mon)).toEqual([]);
    expect(monitorUnserved(mon)).toBe(true);
    expect(monitorUnserved(m)).toBe(false); // not a monitor
    mon.close();
    m.close();
    s.close();
    pipe.release();
  });

  it('bad monitor names are typed errors', () => {
    const r = createRegion();
    expect(() => openMonitor(r, 'vale0:a/t')).toThrow(OptionError); // not open
    const a = openValePort(r, 'vale0:a', { slots: 64 });
    expect(() => openMonitor(r, 'vale0:a')).toThrow(OptionError); // no flag
    expect(() => openMonitor(r, 'vale0:a/tt')).toThrow(PortNameError);
    expect(() => openMonitor(r, 'vale0:a/t', { slots: 8192 })).toThrow(OptionError);
    expect(() => openValePort(r, 'vale0:a/t')).toThrow(OptionError);
    a.close();
  });

  it('zero copy (/z): TX slots once forwarded and RX slots once given back move to the monitor by buffer swap', () => {
    const r = createRegion();
    const mark = markPools(r);
    const a = openValePort(r, 'vale0:a', { slots: 64 });
    const b = openValePort(r, 'vale0:b', { slots: 64 });
    const z = openMonitor(r, 'vale0:a/z');
    const txBufs = [0, 1, 2].map((i) => a.txRings[0]!.bufIdx(i));
    for (let i = 1; i <= 3; i++) a.send(frame(BCAST, mac(1), i));
    // The buffers a sent from are now the monitor's; a's slots hold the monitor's old ones.
    z.rxsync();
    const zr = z.rxRings[0]!;
    expect([0, 1, 2].map((i) => zr.bufIdx(i))).toEqual(txBufs);
    expect([0, 1, 2].map((i) => a.txRings[0]!.bufIdx(i))).not.toEqual(txBufs);
    expect(seen(z)).toEqual(['t1', 't2', 't3']);
    b.send(frame(mac(1), mac(2), 9));
    b.recvBatch();
    b.giveBack();
    expect(a.recvBatch().map(tagOf)).toEqual([9]);
    expect(seen(z)).toEqual([]); // not yet: a has not given the slot back
    a.giveBack();
    expect(seen(z)).toEqual(['r9']);
    // The swapped buffers work on: a sends again from its new buffers.
    a.send(frame(mac(2), mac(1), 4));
    expect(b.recvBatch().map(tagOf)).toEqual([4]);
    b.giveBack();
    expect(seen(z)).toEqual(['t4']);
    for (const p of [z, a, b]) p.close();
    expectConserved(r, mark);
  });
});
