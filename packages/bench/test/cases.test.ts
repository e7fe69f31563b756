/**
 * The case table the registered transports make up: every case name, its
 * order, work, checks mode, packet size and reference cases stay as
 * bench-results.json has always had them (cases are added, never renamed);
 * names are unique; every case's transport is found.
 * No workers.
 */
import { describe, expect, it } from 'vitest';
import {
  ALL_CASES,
  CASES,
  FAMILIES,
  familyOf,
  isCaseName,
  POSTMESSAGE_CASE,
  TRANSPORTS,
  transportOf,
} from '../src/index.js';

describe('bench cases', () => {
  it('are the fourteen cases, in report order, with their work, checks mode, size and references', () => {
    expect(ALL_CASES.map((c) => [c, CASES[c]])).toEqual([
      [
        'pipe-index',
        {
          transport: 'pipe',
          work: 'index',
          mode: 'slots',
          packetSize: 60,
          handRing: 'handring-index',
          lowLevel: null,
        },
      ],
      [
        'pipe-index-ring',
        {
          transport: 'pipe',
          work: 'index',
          mode: 'ring',
          packetSize: 60,
          handRing: 'handring-index',
          lowLevel: null,
        },
      ],
      [
        'pipe-64b-rw',
        {
          transport: 'pipe',
          work: '64b-rw',
          mode: 'slots',
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: null,
        },
      ],
      [
        'pipe-1500b-copy',
        {
          transport: 'pipe',
          work: '1500b-copy',
          mode: 'slots',
          packetSize: 1500,
          handRing: 'handring-1500b-copy',
          lowLevel: null,
        },
      ],
      [
        'pipe-recvbatch-64b',
        {
          transport: 'pipe-easy',
          work: '64b-rw',
          mode: 'slots',
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: 'pipe-64b-rw',
        },
      ],
      [
        'pipe-batches-64b',
        {
          transport: 'pipe-easy',
          work: '64b-rw',
          mode: 'slots',
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: 'pipe-64b-rw',
        },
      ],
      [
        'pipe-forawait-64b',
        {
          transport: 'pipe-easy',
          work: '64b-rw',
          mode: 'slots',
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: 'pipe-64b-rw',
        },
      ],
      [
        'pipe-readable-64b',
        {
          transport: 'pipe-easy',
          work: '64b-rw',
          mode: 'slots',
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: 'pipe-64b-rw',
        },
      ],
      [
        'postmessage-64b',
        {
          transport: 'postmessage',
          work: '64b-rw',
          mode: null,
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: null,
        },
      ],
      [
        'postmessage-batch-64b',
        {
          transport: 'postmessage-batch',
          work: '64b-rw',
          mode: null,
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: null,
        },
      ],
      [
        'messagechannel-transfer-64b',
        {
          transport: 'messagechannel-transfer',
          work: '64b-rw',
          mode: null,
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: null,
        },
      ],
      [
        'handring-index',
        {
          transport: 'handring',
          work: 'index',
          mode: null,
          packetSize: 60,
          handRing: 'handring-index',
          lowLevel: null,
        },
      ],
      [
        'handring-64b-rw',
        {
          transport: 'handring',
          work: '64b-rw',
          mode: null,
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: null,
        },
      ],
      [
        'handring-1500b-copy',
        {
          transport: 'handring',
          work: '1500b-copy',
          mode: null,
          packetSize: 1500,
          handRing: 'handring-1500b-copy',
          lowLevel: null,
        },
      ],
      [
        'spinring-64b-rw',
        {
          transport: 'spinring',
          work: '64b-rw',
          mode: null,
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: null,
        },
      ],
      [
        'memcpy-1500b',
        {
          transport: 'memcpy',
          work: '1500b-copy',
          mode: null,
          packetSize: 1500,
          handRing: 'handring-1500b-copy',
          lowLevel: null,
        },
      ],
    ]);
    expect(POSTMESSAGE_CASE).toBe('postmessage-64b');
  });

  it('come from uniquely named transports, each case found by name', () => {
    const names = TRANSPORTS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(ALL_CASES).size).toBe(ALL_CASES.length);
    for (const c of ALL_CASES) {
      expect(isCaseName(c)).toBe(true);
      expect(transportOf(c).name).toBe(CASES[c].transport);
    }
    expect(isCaseName('pipe-64b')).toBe(false);
    expect(() => transportOf('nope' as never)).toThrow(RangeError);
  });

  it('give the chart one family per kind of transport', () => {
    expect(FAMILIES.map((f) => f.label)).toEqual([
      'pktfabric pipe',
      'pktfabric pipe, easy layer',
      'message passing',
      'hand-written SAB ring',
      'minimal spinning SAB ring',
      'Uint8Array.set, one thread',
    ]);
    expect(familyOf('postmessage-batch-64b')?.label).toBe('message passing');
    expect(familyOf('no-such-case')).toBeUndefined();
  });
});
