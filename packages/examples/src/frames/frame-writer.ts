import { OptionError } from '@pktfabric/core';
import { parseIpv4, parseMac, parseRange, type Range } from './addresses.js';
import { finishChecksum, sum16, udpChecksum } from './checksum.js';
import {
  ETH_DST_OFF,
  ETH_SRC_OFF,
  ETH_TYPE_OFF,
  ETHERTYPE_IPV4,
  IP_CSUM_OFF,
  IP_DST_OFF,
  IP_FLAG_DF,
  IP_FRAG_OFF,
  IP_HEADER_BYTES,
  IP_OFF,
  IP_PROTO_OFF,
  IP_SRC_OFF,
  IP_TOTAL_LEN_OFF,
  IP_TTL_OFF,
  IP_VER_IHL_OFF,
  IP_VER_IHL_V4,
  IPPROTO_UDP,
  MAX_FRAME_BYTES,
  MIN_FRAME_BYTES,
  PAYLOAD_OFF,
  SEQ_OFF,
  UDP_CSUM_OFF,
  UDP_DPORT_OFF,
  UDP_LEN_OFF,
  UDP_OFF,
  UDP_SPORT_OFF,
} from './frame-layout.js';

/** Addresses and options of generated frames. pkt-gen's defaults, except the source MAC (pkt-gen uses the NIC's). */
export interface FrameOptions {
  /** @defaultValue '02:00:00:00:00:01' (a locally administered address) */
  srcMac?: string;
  /** @defaultValue 'ff:ff:ff:ff:ff:ff' */
  dstMac?: string;
  /** @defaultValue '10.0.0.1' */
  srcIp?: string;
  /** @defaultValue '10.1.0.1' */
  dstIp?: string;
  /** A port or an inclusive range `A-B` cycled through packet by packet. @defaultValue 1234 */
  sport?: number | string;
  /** A port or an inclusive range `A-B` cycled through packet by packet. @defaultValue 4321 */
  dport?: number | string;
  /** Compute the UDP checksum (costs a pass over the payload per packet). @defaultValue false (0 = none, legal in IPv4) */
  udpChecksum?: boolean;
  /** @defaultValue 64 */
  ttl?: number;
}

export const DEFAULT_SRC_MAC = '02:00:00:00:00:01';
export const DEFAULT_DST_MAC = 'ff:ff:ff:ff:ff:ff';
export const DEFAULT_SRC_IP = '10.0.0.1';
export const DEFAULT_DST_IP = '10.1.0.1';
export const DEFAULT_SPORT = 1234;
export const DEFAULT_DPORT = 4321;

const PAYLOAD_PATTERN = 'pktfabric pktgen payload 0123456789\n';

function portRange(v: number | string | undefined, dflt: number, option: string): Range {
  if (v === undefined) return { min: dflt, max: dflt };
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 65535)
      throw new OptionError(option, 'a port 0..65535 or a range A-B', v);
    return { min: v, max: v };
  }
  return parseRange(v, option, 0, 65535);
}

/** Checks a frame length: an integer from 60 to 1514. Throws OptionError naming `option`. */
export function checkFrameLen(len: number, option = 'size'): number {
  if (!Number.isInteger(len) || len < MIN_FRAME_BYTES || len > MAX_FRAME_BYTES)
    throw new OptionError(option, `an integer from ${MIN_FRAME_BYTES} to ${MAX_FRAME_BYTES}`, len);
  return len;
}

/**
 * Builds Ethernet + IPv4 + UDP frames in place, the way pkt-gen does: a
 * template made once, copied into the buffer, then the length fields, ports,
 * sequence number and checksums patched. The IPv4 header checksum is updated
 * incrementally from a precomputed sum. `write` does not allocate (except one
 * cached view the first time each length is used).
 */
export class FrameWriter {
  readonly template: Uint8Array;
  private readonly views: (Uint8Array | undefined)[] = [];
  /** Sum of the IPv4 header words with the total length and checksum taken as 0. */
  private readonly ipBaseSum: number;
  private readonly udpCsum: boolean;
  private readonly sport: Range;
  private readonly dport: Range;
  private sportCur: number;
  private dportCur: number;

  constructor(opts: FrameOptions = {}) {
    const t = (this.template = new Uint8Array(MAX_FRAME_BYTES));
    t.set(parseMac(opts.dstMac ?? DEFAULT_DST_MAC, 'dstMac'), ETH_DST_OFF);
    t.set(parseMac(opts.srcMac ?? DEFAULT_SRC_MAC, 'srcMac'), ETH_SRC_OFF);
    put16(t, ETH_TYPE_OFF, ETHERTYPE_IPV4);
    const ttl = opts.ttl ?? 64;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255)
      throw new OptionError('ttl', 'an integer from 1 to 255', ttl);
    t[IP_VER_IHL_OFF] = IP_VER_IHL_V4;
    put16(t, IP_FRAG_OFF, IP_FLAG_DF);
    t[IP_TTL_OFF] = ttl;
    t[IP_PROTO_OFF] = IPPROTO_UDP;
    put32(t, IP_SRC_OFF, parseIpv4(opts.srcIp ?? DEFAULT_SRC_IP, 'srcIp'));
    put32(t, IP_DST_OFF, parseIpv4(opts.dstIp ?? DEFAULT_DST_IP, 'dstIp'));
    this.ipBaseSum = sum16(t, IP_OFF, IP_HEADER_BYTES);
    this.sport = portRange(opts.sport, DEFAULT_SPORT, 'sport');
    this.dport = portRange(opts.dport, DEFAULT_DPORT, 'dport');
    this.sportCur = this.sport.min;
    this.dportCur = this.dport.min;
    put16(t, UDP_SPORT_OFF, this.sportCur);
    put16(t, UDP_DPORT_OFF, this.dportCur);
    for (let i = PAYLOAD_OFF, k = 0; i < MAX_FRAME_BYTES; i++, k++) {
      if (k === PAYLOAD_PATTERN.length) k = 0;
      t[i] = PAYLOAD_PATTERN.charCodeAt(k);
    }
    this.udpCsum = opts.udpChecksum ?? false;
  }

  /**
   * Writes one frame of `len` bytes (60..1514, not checked here: check once
   * with `checkFrameLen`) at `u8[off]`. With `seq >= 0` the 32-bit sequence
   * number goes at byte 42. Ports advance through their ranges, one step per
   * frame. Does not allocate after the first frame of each length.
   */
  write(u8: Uint8Array, off: number, len: number, seq = -1): void {
    let view = this.views[len];
    if (view === undefined) view = this.views[len] = this.template.subarray(0, len);
    u8.set(view, off);
    const ipLen = len - IP_OFF;
    u8[off + IP_TOTAL_LEN_OFF] = ipLen >>> 8;
    u8[off + IP_TOTAL_LEN_OFF + 1] = ipLen & 255;
    const csum = finishChecksum(this.ipBaseSum + ipLen);
    u8[off + IP_CSUM_OFF] = csum >>> 8;
    u8[off + IP_CSUM_OFF + 1] = csum & 255;
    const udpLen = len - UDP_OFF;
    u8[off + UDP_LEN_OFF] = udpLen >>> 8;
    u8[off + UDP_LEN_OFF + 1] = udpLen & 255;
    if (this.sport.min !== this.sport.max) {
      const p = this.sportCur;
      u8[off + UDP_SPORT_OFF] = p >>> 8;
      u8[off + UDP_SPORT_OFF + 1] = p & 255;
      this.sportCur = p === this.sport.max ? this.sport.min : p + 1;
    }
    if (this.dport.min !== this.dport.max) {
      const p = this.dportCur;
      u8[off + UDP_DPORT_OFF] = p >>> 8;
      u8[off + UDP_DPORT_OFF + 1] = p & 255;
      this.dportCur = p === this.dport.max ? this.dport.min : p + 1;
    }
    if (seq >= 0) writeSeq(u8, off, seq);
    if (this.udpCsum) {
      u8[off + UDP_CSUM_OFF] = 0;
      u8[off + UDP_CSUM_OFF + 1] = 0;
      const c = udpChecksum(u8, off);
      u8[off + UDP_CSUM_OFF] = c >>> 8;
      u8[off + UDP_CSUM_OFF + 1] = c & 255;
    }
  }
}

/** Stores the 32-bit sequence number (network order) at byte 42 of the frame at `off`. Does not allocate. */
export function writeSeq(u8: Uint8Array, off: number, seq: number): void {
  const o = off + SEQ_OFF;
  u8[o] = seq >>> 24;
  u8[o + 1] = (seq >>> 16) & 255;
  u8[o + 2] = (seq >>> 8) & 255;
  u8[o + 3] = seq & 255;
}

/** Reads the 32-bit sequence number of the frame at `off` (unsigned). Does not allocate. */
export function readSeq(u8: Uint8Array, off: number): number {
  const o = off + SEQ_OFF;
  return ((u8[o]! << 24) | (u8[o + 1]! << 16) | (u8[o + 2]! << 8) | u8[o + 3]!) >>> 0;
}

function put16(u8: Uint8Array, off: number, v: number): void {
  u8[off] = v >>> 8;
  u8[off + 1] = v & 255;
}

function put32(u8: Uint8Array, off: number, v: number): void {
  u8[off] = v >>> 24;
  u8[off + 1] = (v >>> 16) & 255;
  u8[off + 2] = (v >>> 8) & 255;
  u8[off + 3] = v & 255;
}
