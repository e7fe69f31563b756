import { describe, expect, it, vi } from 'vitest';
import {
  BusyError,
  createRegion,
  NS_BUF_CHANGED,
  NS_MOREFRAG,
  OptionError,
  PortNameError,
  type Region,
} from '@pktfabric/core';
import {
  createPipe,
  openPort,
  POLLHUP,
  POLLIN,
  POLLOUT,
  SlotError,
  type PipeEndpoint,
} from '../src/index.js';

function setup(
  slots = 8,
  extra = 0,
  maxOffset = 0,
): { region: Region; m: PipeEndpoint; s: PipeEndpoint; free0: number } {
  const region = createRegion({ bufCount: 256, memId: 1 });
  const free0 = region.bufPool.countFree();
  const pipe = createPipe(region, { id: 1, slots, maxOffset });
  const m = openPort(region, 'pipe{1', { extraBufs: extra });
  const s = openPort(region, 'pipe}1', { extraBufs: extra });
  pipe.release();
  return { region, m, s, free0 };
}

/** Writes `lens` packets (one byte pattern each) into the TX ring at head, without syncing. */
function write(ep: PipeEndpoint, lens: number[], flags: number[] = []): void {
  const tx = ep.txRings[0]!;
  const { u32, u8 } = ep.region;
  let h = tx.head;
  lens.forEach((len, k) => {
    const bo = ep.region.bufOffset(u32[tx.bufIdxBase + h]!);
    u8.fill(k + 1, bo, bo + len);
    u32[tx.lenFlagsBase + h] = len | ((flags[k] ?? 0) << 16);
    h = tx.next(h);
  });
  tx.head = tx.cur = h;
}

describe('pipe sync semantics', () => {
  it('starts with the sender owning all slots but one and the receiver none', () => {
    const { m, s } = setup(8);
    expect(m.txRings[0]!.space()).toBe(7);
    expect(s.rxRings[0]!.space()).toBe(0);
    expect(s.txRings[0]!.space()).toBe(7);
  });

  it('shows nothing before txsync and the same buffers (zero copy) after', () => {
    const { m, s } = setup(8);
    write(m, [60, 61, 62]);
    s.rxsync();
    expect(s.rxRings[0]!.tail).toBe(0);
    m.txsync();
    s.rxsync();
    const rx = s.rxRings[0]!;
    expect(rx.tail).toBe(3);
    for (let k = 0; k < 3; k++) {
      expect(rx.len(k)).toBe(60 + k);
      expect(rx.bufIdx(k)).toBe(m.txRings[0]!.bufIdx(k));
      expect(rx.payload(k)[0]).toBe(k + 1);
    }
  });

  it('reclaims only what the receiver released, at its next sync', () => {
    const { m, s } = setup(8);
    write(m, [60, 60, 60, 60, 60, 60, 60]);
    m.txsync();
    expect(m.txRings[0]!.tail).toBe(7);
    expect(m.txRings[0]!.space()).toBe(0);
    s.rxsync();
    const rx = s.rxRings[0]!;
    rx.head = rx.cur = 3;
    m.txsync();
    expect(m.txRings[0]!.space()).toBe(0); // not released until rxsync
    s.rxsync();
    m.txsync();
    expect(m.txRings[0]!.space()).toBe(3);
    expect(m.txRings[0]!.tail).toBe(2);
  });

  it('publishes only complete packets (NS_MOREFRAG)', () => {
    const { m, s } = setup(8);
    write(m, [100, 100], [NS_MOREFRAG, NS_MOREFRAG]);
    m.txsync();
    s.rxsync();
    expect(s.rxRings[0]!.tail).toBe(0);
    write(m, [50]);
    m.txsync();
    s.rxsync();
    expect(s.rxRings[0]!.tail).toBe(3);
    // and recv() reassembles it
    const p = s.recv()!;
    expect(p.length).toBe(250);
    expect(p[0]).toBe(1);
    expect(p[249]).toBe(1);
  });

  it('uses cur as the wake-up point of poll', () => {
    const { m, s } = setup(8);
    expect(s.poll(POLLIN, 0)).toBe(0);
    write(m, [60, 60]);
    m.txsync();
    expect(s.poll(POLLIN, 0) & POLLIN).toBe(POLLIN);
    const rx = s.rxRings[0]!;
    rx.cur = rx.tail; // want more than there is
    expect(s.poll(POLLIN, 0)).toBe(0);
    write(m, [60]);
    m.txsync();
    expect(s.poll(POLLIN, 0) & POLLIN).toBe(POLLIN);
    // a full sender waits on POLLOUT
    write(m, [60, 60, 60, 60]);
    const tx = m.txRings[0]!;
    tx.cur = tx.tail;
    expect(m.poll(POLLOUT, 0)).toBe(0);
    rx.head = rx.cur = rx.tail;
    s.rxsync();
    expect(m.poll(POLLOUT, 0) & POLLOUT).toBe(POLLOUT);
  });

  it('carries a buffer swapped in by the receiver back to the sender (NS_BUF_CHANGED)', () => {
    const { region, m, s, free0 } = setup(8, 2);
    write(m, [60]);
    m.txsync();
    s.rxsync();
    const rx = s.rxRings[0]!;
    const old = rx.bufIdx(0);
    const fresh = s.takeExtra();
    expect(fresh).toBeGreaterThan(1);
    rx.setBufIdx(0, fresh);
    rx.setSlotFlags(0, NS_BUF_CHANGED);
    s.giveExtra(old);
    rx.head = rx.cur = 1;
    s.rxsync();
    m.txsync();
    const tx = m.txRings[0]!;
    expect(tx.bufIdx(0)).toBe(fresh);
    expect(tx.shadow(0)).toBe(fresh);
    expect(tx.slotFlags(0) & NS_BUF_CHANGED).toBe(NS_BUF_CHANGED);
    m.close();
    s.close();
    expect(region.bufPool.countFree()).toBe(free0);
  });

  it('delivers per-slot offsets to the receiver', () => {
    const { m, s } = setup(8, 0, 128);
    const tx = m.txRings[0]!;
    tx.setOffset(0, 64);
    tx.setLen(0, 100);
    m.region.u8[tx.payloadOffset(0)] = 0xab;
    tx.head = tx.cur = 1;
    m.txsync();
    s.rxsync();
    const rx = s.rxRings[0]!;
    expect(rx.offset(0)).toBe(64);
    expect(rx.payload(0)[0]).toBe(0xab);
    expect(s.recv()![0]).toBe(0xab);
  });

  it('keeps in-flight packets readable after the sender closes and frees every buffer once at the last close', () => {
    const { region, m, s, free0 } = setup(8, 3);
    expect(m.sendBatch([new Uint8Array([1]), new Uint8Array([2, 2])])).toBe(2);
    expect(m.close()).toBeNull();
    expect(s.peerClosed).toBe(true);
    expect(s.poll(POLLIN, 0)).toBe(POLLIN | POLLHUP);
    expect(Array.from(s.recv()!)).toEqual([1]);
    expect(Array.from(s.recv()!)).toEqual([2, 2]);
    expect(s.recv()).toBeNull();
    const report = s.close()!;
    expect(report.problems).toBe(0);
    expect(report.buffers).toBe(16); // the slots of both directions; each end's extras went back at its close
    expect(region.bufPool.countFree()).toBe(free0);
    expect(region.counters('buf').free).toBe(free0);
    expect(region.ringPool.countFree()).toBe(region.ringCount - 1);
  });

  it('refuses a second open of an exclusively held end with BusyError', () => {
    const region = createRegion({ bufCount: 256, memId: 1 });
    const pipe = createPipe(region, { id: 7, slots: 16 });
    const a = openPort(region, 'pipe}7/x');
    expect(() => openPort(region, 'pipe}7')).toThrow(BusyError);
    const b = openPort(region, 'pipe{7');
    expect(() => openPort(region, 'pipe{7/x')).toThrow(BusyError);
    a.close();
    b.close();
    expect(region.bufPool.countFree()).toBe(254 - 32); // the creator still holds the pipe
    expect(pipe.release()).toEqual({ buffers: 32, rings: 4, problems: 0 });
    expect(region.bufPool.countFree()).toBe(254);
  });

  it('sends and receives with the friendly layer, with backpressure', () => {
    const { m, s } = setup(8);
    let sent = 0;
    while (m.send(new Uint8Array([sent]))) sent++;
    expect(sent).toBe(7);
    const got = s.recvBatch(100).map((p) => p[0]);
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6]);
    s.giveBack();
    expect(m.send(new Uint8Array([9]))).toBe(true);
  });

  it('creates a pipe on first open from @conf options, and refuses names that are not pipe ends', () => {
    const region = createRegion({ bufCount: 4096, memId: 9 });
    const m = openPort(region, 'pipe{5@conf:rings=2,slots=64');
    expect(m.txRings.length).toBe(2);
    expect(m.txRings[0]!.numSlots).toBe(64);
    const s = openPort(region, 'pipe}5@conf:extra_bufs=3');
    expect(s.rxRings.length).toBe(2);
    expect(region.extraListLength(s.extraHead)).toBe(3);
    expect(openPort(region, 'pipe{6@9').close()).not.toBeNull();
    for (const bad of [
      'vale0:p1',
      'pipe{3/t',
      'netmap:eth0{3',
      'pipe{3-1',
      'pipe{',
      'pipe{3/q',
      'pipe{3@conf:rings=2,tx_rings=2,rx_rings=3',
    ]) {
      expect(() => openPort(region, bad), bad).toThrow(PortNameError);
    }
    expect(() => openPort(region, 'pipe{3@7')).toThrow(OptionError);
    m.close();
    s.close();
    expect(region.bufPool.countFree()).toBe(4094);
  });

  it('refuses a per-slot offset over the maxOffset chosen at creation, even inside the mask', () => {
    const { m, s } = setup(8, 0, 64); // mask 127
    const tx = m.txRings[0]!;
    tx.setOffset(0, 100);
    tx.setLen(0, 10);
    tx.head = tx.cur = 1;
    let err: unknown;
    try {
      m.txsync();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SlotError);
    expect((err as SlotError).field).toBe('offset');
    expect(tx.head).toBe(0);
    s.rxsync();
    expect(s.rxRings[0]!.tail).toBe(0);
  });

  it('validates the spin option and polls with spin 0 (park at once)', () => {
    const region = createRegion({ bufCount: 256, memId: 1 });
    const pipe = createPipe(region, { id: 2, slots: 16 });
    expect(() => openPort(region, 'pipe{2', { spin: -1 })).toThrow(OptionError);
    expect(() => openPort(region, 'pipe{2', { spin: 1.5 })).toThrow(OptionError);
    const m = openPort(region, 'pipe{2', { spin: 0 });
    const s = openPort(region, 'pipe}2', { spin: 0 });
    expect(s.poll(POLLIN, 1)).toBe(0);
    expect(m.send(new Uint8Array([5]))).toBe(true);
    expect(s.poll(POLLIN, 1000) & POLLIN).toBe(POLLIN);
    m.close();
    s.close();
    expect(pipe.release()).toEqual({ buffers: 32, rings: 4, problems: 0 });
  });
});

describe('poll on a ring that is already ready', () => {
  it('returns without reading the clock (performance.now allocates on Node 20); reads it only before sleeping', () => {
    const { m, s } = setup(8);
    write(m, [60]);
    m.txsync();
    const now = vi.spyOn(performance, 'now');
    try {
      for (let i = 0; i < 1000; i++) {
        expect(s.poll(POLLIN)).toBe(POLLIN);
        expect(m.poll(POLLOUT)).toBe(POLLOUT);
      }
      expect(now).not.toHaveBeenCalled();
      // Nothing ready and a timeout of 0: one check, no clock, no spin.
      const empty = setup(8);
      expect(empty.s.poll(POLLIN, 0)).toBe(0);
      expect(now).not.toHaveBeenCalled();
      // Nothing ready and a timeout: it reads the clock to bound its sleep, and times out.
      expect(empty.s.poll(POLLIN, 1)).toBe(0);
      expect(now).toHaveBeenCalled();
    } finally {
      now.mockRestore();
    }
  });
});
