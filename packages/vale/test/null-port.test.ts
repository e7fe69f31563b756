import { describe, expect, it } from 'vitest';
import {
  BusyError,
  createRegion,
  ExhaustedError,
  OptionError,
  PortNameError,
  RingStateError,
} from '@pktfabric/core';
import { expectConserved, markPools } from '@pktfabric/core/testing';
import { openNullPort } from '../src/index.js';

describe('null ports: rings and buffers, no data path', () => {
  it('holds rings, buffers and extra buffers until close, and moves nothing', () => {
    const r = createRegion({ bufCount: 2048 });
    const mark = markPools(r);
    const free0 = r.counters('buf').free;
    const p = openNullPort(r, 'null:mem0', { rings: 2, slots: 64, extraBufs: 10 });
    expect(p.txRings.length).toBe(2);
    expect(p.extraCount).toBe(10);
    expect(free0 - r.counters('buf').free).toBe(2 * 2 * 64 + 10);
    const tx = p.txRings[0]!;
    tx.head = tx.cur = 3;
    p.txsync();
    expect([tx.tail, p.txKrings[0]!.hwcur]).toEqual([63, 0]); // nothing moves
    tx.head = 99;
    expect(() => p.txsync()).toThrow(RingStateError);
    expect(() => openNullPort(r, 'null:mem0')).toThrow(BusyError);
    const b = p.takeExtra();
    expect(b).toBeGreaterThan(1);
    const rep = p.close();
    expect(rep!.buffers).toBe(2 * 2 * 64); // the ring buffers (extras go back with the last open)
    expectConserved(r, mark);
  });

  it('zero rings is allowed; bad names and options are typed errors; exhaustion gives back', () => {
    const r = createRegion({ bufCount: 256 });
    const mark = markPools(r);
    openNullPort(r, 'null:none', { rings: 0, extraBufs: 4 }).close();
    expect(() => openNullPort(r, 'vale0:a')).toThrow(PortNameError);
    expect(() => openNullPort(r, 'null:')).toThrow(PortNameError);
    expect(() => openNullPort(r, 5 as never)).toThrow(OptionError);
    expect(() => openNullPort(r, 'null:a', { rings: -1 })).toThrow(OptionError);
    expect(() => openNullPort(r, 'null:a', { slots: 3 })).toThrow(OptionError);
    expect(() => openNullPort(r, 'null:a', { extraBufs: 1e9 })).toThrow(OptionError);
    expect(() => openNullPort(r, 'null:a', { slots: 1024 })).toThrow(ExhaustedError);
    expectConserved(r, mark);
  });
});
