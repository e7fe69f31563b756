import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkFrame,
  FRAME_BAD_IP_CSUM,
  FRAME_BAD_LENGTH,
  FRAME_BAD_UDP_CSUM,
  FRAME_NOT_IPV4,
  FRAME_OK,
  FRAME_TRUNCATED,
  FrameWriter,
  ipv4HeaderChecksum,
  readSeq,
  udpChecksum,
  verifyIpv4Checksum,
  verifyUdpChecksum,
} from '../src/index.js';
import { OptionError } from '@pktfabric/core';
import { testSeed } from '@pktfabric/core/testing';

function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A 60-byte frame written out by hand: 02:00:00:00:00:01 -> broadcast, 10.0.0.1:1234 -> 10.1.0.1:4321, zero payload. */
function handFrame(ipCsum: string, udpCsum: string): Uint8Array {
  return hex(
    'ffffffffffff 020000000001 0800' + // Ethernet
      `4500 002e 0000 4000 4011 ${ipCsum} 0a000001 0a010001` + // IPv4, total length 46
      `04d2 10e1 001a ${udpCsum}` + // UDP, length 26
      '00'.repeat(18),
  );
}

describe('IPv4 header checksum', () => {
  it('matches the textbook vector (c0a8:0001 -> c0a8:00c7, checksum b861)', () => {
    const f = new Uint8Array(34);
    f.set(hex('4500 0073 0000 4000 4011 0000 c0a80001 c0a800c7'), 14);
    f[12] = 0x08;
    expect(ipv4HeaderChecksum(f, 0)).toBe(0xb861);
    f[24] = 0xb8;
    f[25] = 0x61;
    expect(verifyIpv4Checksum(f, 0)).toBe(true);
    f[25] = 0x62;
    expect(verifyIpv4Checksum(f, 0)).toBe(false);
  });

  it('matches a hand-computed vector for pktgen’s default 60-byte frame (26bd)', () => {
    // 4500+002e+0000+4000+4011+0a00+0001+0a01+0001 = d942; ~d942 = 26bd
    const f = handFrame('0000', '0000');
    expect(ipv4HeaderChecksum(f, 0)).toBe(0x26bd);
  });

  it('is what FrameWriter writes, at any offset, without touching bytes around the frame', () => {
    const buf = new Uint8Array(4096).fill(0xee);
    new FrameWriter().write(buf, 100, 60);
    expect(buf[99]).toBe(0xee);
    expect(buf[160]).toBe(0xee);
    const frame = buf.slice(100, 160);
    const ref = handFrame('26bd', '0000');
    // Everything but the payload pattern is the hand-made frame.
    expect(Array.from(frame.subarray(0, 42))).toEqual(Array.from(ref.subarray(0, 42)));
  });
});

describe('UDP checksum', () => {
  it('matches a hand-computed vector (pseudo header 142e + UDP header 15cd = 29fb; ~ = d604)', () => {
    const f = handFrame('26bd', '0000');
    expect(udpChecksum(f, 0)).toBe(0xd604);
    expect(verifyUdpChecksum(f, 0)).toBe(true); // 0 = no checksum
    f[40] = 0xd6;
    f[41] = 0x04;
    expect(verifyUdpChecksum(f, 0)).toBe(true);
    expect(checkFrame(f, 0, 60)).toBe(FRAME_OK);
    f[59] ^= 1;
    expect(verifyUdpChecksum(f, 0)).toBe(false);
    expect(checkFrame(f, 0, 60)).toBe(FRAME_BAD_UDP_CSUM);
  });

  it('FrameWriter with udpChecksum writes a checksum that verifies, including the sequence number', () => {
    const buf = new Uint8Array(2048);
    const w = new FrameWriter({ udpChecksum: true });
    w.write(buf, 0, 1514, 0xdeadbeef);
    expect(readSeq(buf, 0)).toBe(0xdeadbeef);
    expect((buf[40]! << 8) | buf[41]!).not.toBe(0);
    expect(checkFrame(buf, 0, 1514)).toBe(FRAME_OK);
  });
});

describe('checkFrame', () => {
  it('reports each kind of problem', () => {
    const buf = new Uint8Array(2048);
    new FrameWriter().write(buf, 0, 60);
    expect(checkFrame(buf, 0, 60)).toBe(FRAME_OK);
    expect(checkFrame(buf, 0, 41)).toBe(FRAME_TRUNCATED);
    expect(checkFrame(buf, 0, 50)).toBe(FRAME_BAD_LENGTH); // IPv4 says 46 + 14 = 60 bytes
    const bad = buf.slice(0, 60);
    bad[22] ^= 0x10; // TTL
    expect(checkFrame(bad, 0, 60)).toBe(FRAME_BAD_IP_CSUM);
    const arp = buf.slice(0, 60);
    arp[12] = 0x08;
    arp[13] = 0x06;
    expect(checkFrame(arp, 0, 60)).toBe(FRAME_NOT_IPV4);
  });

  it('frames of every size, port and sequence verify; any single-bit flip in the IPv4 header is caught', () => {
    const seed = testSeed(import.meta.url);
    const buf = new Uint8Array(2048);
    fc.assert(
      fc.property(
        fc.integer({ min: 60, max: 1514 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 0, max: 159 }),
        fc.boolean(),
        (len, seq, port, bit, udp) => {
          const w = new FrameWriter({ dport: port, udpChecksum: udp });
          w.write(buf, 0, len, seq);
          if (checkFrame(buf, 0, len) !== FRAME_OK) return false;
          if (((buf[16]! << 8) | buf[17]!) !== len - 14) return false;
          if (((buf[38]! << 8) | buf[39]!) !== len - 34) return false;
          if (((buf[36]! << 8) | buf[37]!) !== port || readSeq(buf, 0) !== seq) return false;
          buf[14 + (bit >> 3)] ^= 1 << (bit & 7);
          return !verifyIpv4Checksum(buf, 0);
        },
      ),
      { seed, numRuns: 500 },
    );
  });

  it('cycles port ranges frame by frame', () => {
    const buf = new Uint8Array(2048);
    const w = new FrameWriter({ sport: '100-101', dport: '7-9' });
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      w.write(buf, 0, 60);
      seen.push(`${(buf[34]! << 8) | buf[35]!}:${(buf[36]! << 8) | buf[37]!}`);
      expect(checkFrame(buf, 0, 60)).toBe(FRAME_OK);
    }
    expect(seen).toEqual(['100:7', '101:8', '100:9', '101:7', '100:8', '101:9']);
  });

  it('rejects bad addresses and ports with OptionError', () => {
    expect(() => new FrameWriter({ srcIp: '10.0.0.300' })).toThrow(OptionError);
    expect(() => new FrameWriter({ dstMac: 'ff:ff' })).toThrow(OptionError);
    expect(() => new FrameWriter({ dport: '9-2' })).toThrow(OptionError);
    expect(() => new FrameWriter({ sport: 70000 })).toThrow(OptionError);
  });
});
