import { describe, expect, it } from 'vitest';
import {
  BusyError,
  createRegion,
  ExhaustedError,
  OptionError,
  PortNameError,
  RING_PIPE_TAIL_I32,
  PeerCorruptError,
} from '@pktfabric/core';
import { expectConserved, markPools } from '@pktfabric/core/testing';
import {
  attachPort,
  detachPort,
  listSwitches,
  openValePort,
  SWITCH_MAX_PORTS,
  SwitchFullError,
} from '../src/index.js';
import { frame, mac } from './frames.js';

describe('limits and bad input are typed errors', () => {
  it('refuses a port past 254 on one switch', () => {
    const r = createRegion({
      bufSize: 64,
      bufCount: 4096,
      ringSize: 9344,
      ringCount: 800,
      ifCount: 300,
      nameTableSlots: 300,
    });
    const mark = markPools(r);
    for (let p = 0; p < SWITCH_MAX_PORTS; p++)
      expect(attachPort(r, `vale0:p${p}`, { slots: 4 })).toBe(p);
    expect(() => attachPort(r, 'vale0:p254', { slots: 4 })).toThrow(SwitchFullError);
    expect(() => attachPort(r, 'vale0:p254', { slots: 4 })).toThrow(ExhaustedError);
    expect(listSwitches(r)[0]!.ports.length).toBe(SWITCH_MAX_PORTS);
    for (let p = 0; p < SWITCH_MAX_PORTS; p++) detachPort(r, `vale0:p${p}`);
    expect(listSwitches(r)).toEqual([]);
    expectConserved(r, mark);
  });

  it('refuses switches past maxSwitches (default 8)', () => {
    const r = createRegion({ ringCount: 64, ifCount: 32 });
    const ports = Array.from({ length: 8 }, (_, s) => openValePort(r, `vale${s}:a`, { slots: 16 }));
    expect(() => openValePort(r, 'vale8:a', { slots: 16 })).toThrow(SwitchFullError);
    const more = openValePort(r, 'vale8:a', { slots: 16, maxSwitches: 9 });
    expect(() => openValePort(r, 'vale9:a', { maxSwitches: 65 })).toThrow(OptionError);
    for (const p of [...ports, more]) p.close();
    expect(listSwitches(r)).toEqual([]);
  });

  it('refuses malformed names and options that do not fit', () => {
    const r = createRegion({ memId: 5 });
    const mark = markPools(r);
    for (const bad of [
      'vale0',
      'vale0:',
      'vale0:a b',
      'pipe{1',
      'vale0:a{1',
      'vale0:a-1',
      'vale0:a/q',
    ])
      expect(() => openValePort(r, bad), bad).toThrow(PortNameError);
    expect(() => openValePort(r, 7 as unknown as string)).toThrow(OptionError);
    expect(() => openValePort({} as never, 'vale0:a')).toThrow(OptionError);
    expect(() => openValePort(r, 'vale0:a', { rings: 17 })).toThrow(OptionError);
    expect(() => openValePort(r, 'vale0:a', { rings: 0 })).toThrow(OptionError);
    expect(() => openValePort(r, 'vale0:a', { rings: '2' as never })).toThrow(OptionError);
    expect(() => openValePort(r, 'vale0:a', { slots: 8192 })).toThrow(OptionError);
    expect(() => openValePort(r, 'vale0:a', { slots: 100 })).toThrow(OptionError);
    expect(() => openValePort(r, 'vale0:a@conf:slots=8192')).toThrow(OptionError);
    expect(() => openValePort(r, 'vale0:a', { spin: -1 })).toThrow(OptionError);
    expect(() => openValePort(r, 'vale0:a@9999')).toThrow(OptionError);
    const a = openValePort(r, 'vale0:a@conf:rings=2,slots=64');
    expect(a.txRings.length).toBe(2);
    expect(() => openValePort(r, 'vale0:a', { rings: 1 })).toThrow(OptionError);
    expect(() => openValePort(r, 'vale0:a', { slots: 128 })).toThrow(OptionError);
    const again = openValePort(r, 'vale0:a');
    expect(again.portNo).toBe(a.portNo);
    expect(() => openValePort(r, 'vale0:a/x')).toThrow(BusyError);
    again.close();
    a.close();
    expect(listSwitches(r)).toEqual([]);
    expectConserved(r, mark);
  });

  it('persistent ports stay with no opener; detaching one in use is BusyError', () => {
    const r = createRegion();
    const mark = markPools(r);
    attachPort(r, 'vale0:keep', { slots: 64 });
    expect(listSwitches(r)[0]!.ports.map((p) => [p.name, p.persistent, p.opens])).toEqual([
      ['vale0:keep', true, 0],
    ]);
    const p = openValePort(r, 'vale0:keep');
    expect(() => detachPort(r, 'vale0:keep')).toThrow(BusyError);
    p.close();
    expect(listSwitches(r)[0]!.ports.length).toBe(1);
    expect(() => detachPort(r, 'vale0:nope')).toThrow(OptionError);
    expect(() => detachPort(r, 'nope')).toThrow(PortNameError);
    const rep = detachPort(r, 'vale0:keep');
    expect(rep.buffers).toBe(128);
    expect(listSwitches(r)).toEqual([]);
    expectConserved(r, mark);
  });

  it("a receiver's garbage tail is PeerCorruptError; the ring stays usable", () => {
    const r = createRegion();
    const mark = markPools(r);
    const a = openValePort(r, 'vale0:a', { slots: 64 });
    const b = openValePort(r, 'vale0:b', { slots: 64 });
    a.send(frame(mac(2), mac(1), 1));
    r.i32[b.rxKrings[0]!.b + RING_PIPE_TAIL_I32] = 1000;
    expect(() => b.rxsync()).toThrow(PeerCorruptError);
    r.i32[b.rxKrings[0]!.b + RING_PIPE_TAIL_I32] = 1;
    expect(b.recvBatch().length).toBe(1);
    b.giveBack();
    a.close();
    b.close();
    expectConserved(r, mark);
  });
});
