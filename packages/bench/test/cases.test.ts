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
  casesMatching,
  FAMILIES,
  familyOf,
  isCaseName,
  POSTMESSAGE_CASE,
  PROCESS_CASES,
  rttOf,
  sidesOf,
  threadsOf,
  TRANSPORTS,
  transportOf,
} from '../src/index.js';

describe('bench cases', () => {
  it('are the cases, in report order, with their work, checks mode, size and references', () => {
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
      [
        'pipe-rtt-spin',
        {
          transport: 'pipe-rtt',
          work: 'index',
          mode: 'slots',
          packetSize: 60,
          handRing: null,
          lowLevel: null,
        },
      ],
      [
        'pipe-rtt-park',
        {
          transport: 'pipe-rtt',
          work: 'index',
          mode: 'slots',
          packetSize: 60,
          handRing: null,
          lowLevel: null,
        },
      ],
      [
        'xproc-pipe-index',
        {
          transport: 'pipe-process',
          work: 'index',
          mode: 'slots',
          packetSize: 60,
          handRing: 'handring-index',
          lowLevel: null,
        },
      ],
      [
        'xproc-pipe-64b-rw',
        {
          transport: 'pipe-process',
          work: '64b-rw',
          mode: 'slots',
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: null,
        },
      ],
      [
        'xproc-pipe-1500b-copy',
        {
          transport: 'pipe-process',
          work: '1500b-copy',
          mode: 'slots',
          packetSize: 1500,
          handRing: 'handring-1500b-copy',
          lowLevel: null,
        },
      ],
      [
        'xproc-pipe-rtt-spin',
        {
          transport: 'pipe-process',
          work: 'index',
          mode: 'slots',
          packetSize: 60,
          handRing: null,
          lowLevel: null,
        },
      ],
      [
        'xproc-pipe-rtt-park',
        {
          transport: 'pipe-process',
          work: 'index',
          mode: 'slots',
          packetSize: 60,
          handRing: null,
          lowLevel: null,
        },
      ],
      [
        'vale-64b-rw',
        {
          transport: 'vale',
          work: '64b-rw',
          mode: 'slots',
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: null,
        },
      ],
      [
        'vale-1500b-copy',
        {
          transport: 'vale',
          work: '1500b-copy',
          mode: 'slots',
          packetSize: 1500,
          handRing: 'handring-1500b-copy',
          lowLevel: null,
        },
      ],
      [
        'vale-2to1-64b',
        {
          transport: 'vale',
          work: '64b-rw',
          mode: 'slots',
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: null,
        },
      ],
      [
        'vale-64b-rw-monitored',
        {
          transport: 'vale',
          work: '64b-rw',
          mode: 'slots',
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: null,
        },
      ],
      [
        'pipe-64b-rw-captured',
        {
          transport: 'pipe-captured',
          work: '64b-rw',
          mode: 'slots',
          packetSize: 64,
          handRing: 'handring-64b-rw',
          lowLevel: null,
        },
      ],
      [
        'pipe-60b-frame',
        {
          transport: 'pipe-frame',
          work: 'frame',
          mode: 'slots',
          packetSize: 60,
          handRing: null,
          lowLevel: null,
        },
      ],
      [
        'pipe-1514b-frame',
        {
          transport: 'pipe-frame',
          work: 'frame',
          mode: 'slots',
          packetSize: 1514,
          handRing: null,
          lowLevel: null,
        },
      ],
      [
        'capture-60b-null',
        {
          transport: 'capture',
          work: 'frame',
          mode: 'slots',
          packetSize: 60,
          handRing: null,
          lowLevel: 'pipe-60b-frame',
        },
      ],
      [
        'capture-60b-tmpfs',
        {
          transport: 'capture',
          work: 'frame',
          mode: 'slots',
          packetSize: 60,
          handRing: null,
          lowLevel: 'pipe-60b-frame',
        },
      ],
      [
        'capture-1514b-null',
        {
          transport: 'capture',
          work: 'frame',
          mode: 'slots',
          packetSize: 1514,
          handRing: null,
          lowLevel: 'pipe-1514b-frame',
        },
      ],
      [
        'capture-1514b-tmpfs',
        {
          transport: 'capture',
          work: 'frame',
          mode: 'slots',
          packetSize: 1514,
          handRing: null,
          lowLevel: 'pipe-1514b-frame',
        },
      ],
      [
        'replay-60b',
        {
          transport: 'replay',
          work: 'frame',
          mode: 'slots',
          packetSize: 60,
          handRing: null,
          lowLevel: 'pipe-60b-frame',
        },
      ],
      [
        'replay-1514b',
        {
          transport: 'replay',
          work: 'frame',
          mode: 'slots',
          packetSize: 1514,
          handRing: null,
          lowLevel: 'pipe-1514b-frame',
        },
      ],
      [
        'net-index',
        {
          transport: 'net',
          work: 'index',
          mode: 'slots',
          packetSize: 60,
          handRing: 'handring-index',
          lowLevel: 'zmq-raw-index',
        },
      ],
      [
        'net-1500b-copy',
        {
          transport: 'net',
          work: '1500b-copy',
          mode: 'slots',
          packetSize: 1500,
          handRing: 'handring-1500b-copy',
          lowLevel: 'zmq-raw-1500b-copy',
        },
      ],
      [
        'zmq-raw-index',
        {
          transport: 'zmq-raw',
          work: 'index',
          mode: null,
          packetSize: 60,
          handRing: 'handring-index',
          lowLevel: null,
        },
      ],
      [
        'zmq-raw-1500b-copy',
        {
          transport: 'zmq-raw',
          work: '1500b-copy',
          mode: null,
          packetSize: 1500,
          handRing: 'handring-1500b-copy',
          lowLevel: null,
        },
      ],
      [
        'net-rtt',
        {
          transport: 'net-rtt',
          work: 'index',
          mode: 'slots',
          packetSize: 60,
          handRing: null,
          lowLevel: 'zmq-raw-rtt',
        },
      ],
      [
        'zmq-raw-rtt',
        {
          transport: 'zmq-raw-rtt',
          work: 'index',
          mode: null,
          packetSize: 60,
          handRing: null,
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

  it('say where their sides run, which measure round trips, and the thread case of each process case', () => {
    expect(ALL_CASES.filter((c) => sidesOf(c) === 'processes')).toEqual(PROCESS_CASES);
    expect(PROCESS_CASES.map((c) => [c, threadsOf(c), rttOf(c)])).toEqual([
      ['xproc-pipe-index', 'pipe-index', null],
      ['xproc-pipe-64b-rw', 'pipe-64b-rw', null],
      ['xproc-pipe-1500b-copy', 'pipe-1500b-copy', null],
      ['xproc-pipe-rtt-spin', 'pipe-rtt-spin', 'spin'],
      ['xproc-pipe-rtt-park', 'pipe-rtt-park', 'park'],
      // ZeroMQ rows: in processes so that no thread holding sockets is ever terminated.
      ['net-index', null, null],
      ['net-1500b-copy', null, null],
      ['zmq-raw-index', null, null],
      ['zmq-raw-1500b-copy', null, null],
      ['net-rtt', null, 'park'],
      ['zmq-raw-rtt', null, 'park'],
    ]);
    // Every other case runs between threads and has no thread case.
    for (const c of ALL_CASES.filter((x) => !PROCESS_CASES.includes(x))) {
      expect(sidesOf(c)).toBe('threads');
      expect(threadsOf(c)).toBeNull();
    }
    expect(ALL_CASES.filter((c) => rttOf(c) !== null)).toEqual([
      'pipe-rtt-spin',
      'pipe-rtt-park',
      'xproc-pipe-rtt-spin',
      'xproc-pipe-rtt-park',
      'net-rtt',
      'zmq-raw-rtt',
    ]);
    expect(casesMatching(/net-rtt|zmq-raw-rtt/)).toEqual(['net-rtt', 'zmq-raw-rtt']);
    // --only: the matching cases and the thread cases of the process ones, in report order.
    expect(casesMatching(/xproc/)).toEqual([
      'pipe-index',
      'pipe-64b-rw',
      'pipe-1500b-copy',
      'pipe-rtt-spin',
      'pipe-rtt-park',
      ...PROCESS_CASES.filter((c) => c.startsWith('xproc-')),
    ]);
    expect(casesMatching(/^xproc-pipe-rtt-park$/)).toEqual([
      'pipe-rtt-park',
      'xproc-pipe-rtt-park',
    ]);
    // ... and the low-level case of each matching case that has one.
    expect(casesMatching(/capture|replay/)).toEqual([
      'pipe-64b-rw-captured',
      'pipe-60b-frame',
      'pipe-1514b-frame',
      'capture-60b-null',
      'capture-60b-tmpfs',
      'capture-1514b-null',
      'capture-1514b-tmpfs',
      'replay-60b',
      'replay-1514b',
    ]);
    expect(casesMatching(/^pipe-batches-64b$/)).toEqual(['pipe-64b-rw', 'pipe-batches-64b']);
    expect(casesMatching(/^handring-/)).toEqual([
      'handring-index',
      'handring-64b-rw',
      'handring-1500b-copy',
    ]);
  });

  it('give the chart one family per kind of transport', () => {
    expect(FAMILIES.map((f) => f.label)).toEqual([
      'pktfabric pipe',
      'pktfabric pipe, easy layer',
      'message passing',
      'hand-written SAB ring',
      'minimal spinning SAB ring',
      'Uint8Array.set, one thread',
      'pktfabric pipe between processes',
      'pktfabric VALE switch',
      'pktfabric capture / replay (CLI)',
      'pktfabric network port (ZeroMQ)',
      'raw ZeroMQ, same batching',
    ]);
    expect(familyOf('postmessage-batch-64b')?.label).toBe('message passing');
    expect(familyOf('no-such-case')).toBeUndefined();
  });
});
