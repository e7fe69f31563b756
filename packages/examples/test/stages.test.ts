import { describe, expect, it } from 'vitest';
import {
  batchOf,
  FrameWriter,
  makeChecksum,
  makeDrop,
  makeFilter,
  parseMatch,
  readField,
  swapMac,
  type StageContext,
} from '../src/index.js';

function frames(n: number, opts: ConstructorParameters<typeof FrameWriter>[0] = {}): Uint8Array[] {
  const w = new FrameWriter(opts);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const f = new Uint8Array(60);
    w.write(f, 0, 60, i);
    out.push(f);
  }
  return out;
}

function ctx(): StageContext {
  return { name: 't', index: 1, replica: 0, replicas: 1, params: {}, counters: {} };
}

function kept(b: ReturnType<typeof batchOf>): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) if (!b.dropped(i)) out.push(i);
  return out;
}

describe('swap-mac', () => {
  it('exchanges source and destination MAC, leaves the rest', () => {
    const [f] = frames(1, { srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02' });
    const b = batchOf([f!]);
    swapMac(b);
    const v = b.view(0);
    expect(Array.from(v.subarray(0, 12))).toEqual([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]);
    expect(Array.from(v.subarray(12))).toEqual(Array.from(f!.subarray(12)));
  });
});

describe('filter', () => {
  it('passes exactly the matching packets with =, drops exactly them with !=', () => {
    const fs = frames(30, { dport: '1-10' });
    const eq = batchOf(fs);
    makeFilter(parseMatch('udp.dport', '=', '9'))(eq);
    expect(kept(eq)).toEqual([8, 18, 28]);
    const ne = batchOf(fs);
    makeFilter(parseMatch('udp.dport', '!=', '9'))(ne);
    expect(kept(ne).length).toBe(27);
    expect(kept(ne).some((i) => [8, 18, 28].includes(i))).toBe(false);
  });

  it('reads every field, and matches ranges, CIDR prefixes and protocol names', () => {
    const [f] = frames(1, { srcIp: '192.168.1.7', dstIp: '10.1.2.3', sport: 5000, dport: 53 });
    expect(readField(f!, 0, 60, 'eth.type')).toBe(0x0800);
    expect(readField(f!, 0, 60, 'eth.dst')).toBe(0xffffffffffff);
    expect(readField(f!, 0, 60, 'eth.src')).toBe(0x020000000001);
    expect(readField(f!, 0, 60, 'ip.proto')).toBe(17);
    expect(readField(f!, 0, 60, 'ip.src')).toBe(0xc0a80107);
    expect(readField(f!, 0, 60, 'ip.dst')).toBe(0x0a010203);
    expect(readField(f!, 0, 60, 'udp.sport')).toBe(5000);
    expect(readField(f!, 0, 60, 'udp.dport')).toBe(53);
    const cases: [string, string, boolean][] = [
      ['eth.type', '0x0800', true],
      ['eth.type', '0x86dd', false],
      ['eth.src', '02:00:00:00:00:01', true],
      ['eth.dst', '02:00:00:00:00:01', false],
      ['ip.proto', 'udp', true],
      ['ip.proto', 'tcp', false],
      ['ip.src', '192.168.0.0/16', true],
      ['ip.src', '192.168.2.0/24', false],
      ['ip.dst', '10.1.2.3', true],
      ['udp.sport', '4000-6000', true],
      ['udp.dport', '54-60', false],
    ];
    for (const [field, value, match] of cases) {
      const b = batchOf([f!]);
      makeFilter(parseMatch(field, '=', value))(b);
      expect(!b.dropped(0), `${field}=${value}`).toBe(match);
    }
  });

  it('a packet without the field does not match (and != passes it)', () => {
    const [f] = frames(1);
    f![12] = 0x86; // IPv6 ethertype: no ip.* or udp.* fields
    f![13] = 0xdd;
    expect(readField(f!, 0, 60, 'udp.dport')).toBe(-1);
    const b = batchOf([f!, f!]);
    makeFilter(parseMatch('udp.dport', '=', '4321'))(b);
    expect(b.dropped(0)).toBe(true);
    const n = batchOf([f!]);
    makeFilter(parseMatch('udp.dport', '!=', '4321'))(n);
    expect(n.dropped(0)).toBe(false);
  });
});

describe('checksum', () => {
  it('counts bad packets, drops them only with drop=1', () => {
    const fs = frames(10);
    fs[3]![24] ^= 0xff; // IP checksum byte
    fs[7]![22] ^= 1; // TTL
    fs[9]![12] = 0x08;
    fs[9]![13] = 0x06; // ARP: not IPv4
    const c = ctx();
    const b = batchOf(fs);
    makeChecksum(false)(b, c);
    expect(c.counters).toEqual({ bad: 2, notIpv4: 1 });
    expect(kept(b).length).toBe(10);
    const d = batchOf(fs);
    makeChecksum(true)(d, ctx());
    expect(kept(d)).toEqual([0, 1, 2, 4, 5, 6, 8, 9]);
  });
});

describe('drop', () => {
  it('drops everything by default and a seeded fraction with p', () => {
    const all = batchOf(frames(20));
    makeDrop(1, 1)(all);
    expect(kept(all)).toEqual([]);
    const some = batchOf(frames(2000));
    makeDrop(0.25, 7)(some);
    const k = kept(some).length;
    expect(k).toBeGreaterThan(1350);
    expect(k).toBeLessThan(1650);
    const again = batchOf(frames(2000));
    makeDrop(0.25, 7)(again);
    expect(kept(again)).toEqual(kept(some));
  });
});

describe('PacketBatch', () => {
  it('setLen is bounded by the buffer', () => {
    const b = batchOf(frames(1), 128);
    b.setLen(0, 128);
    expect(b.len(0)).toBe(128);
    expect(() => b.setLen(0, 129)).toThrow(RangeError);
  });
});
