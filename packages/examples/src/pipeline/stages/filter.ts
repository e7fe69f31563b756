/**
 * filter: passes the packets whose header field matches and drops the rest
 * (`field=value`), or the reverse (`field!=value`, which drops exactly the
 * packets `field=value` would pass). A packet without the field (e.g. not
 * UDP for udp.dport) does not match.
 */
import { OptionError } from '@pktfabric/core';
import { parseIpv4, parseMac, parseRange } from '../../frames/addresses.js';
import {
  ETH_TYPE_OFF,
  ETHERTYPE_IPV4,
  IP_DST_OFF,
  IP_FRAG_OFF,
  IP_OFF,
  IP_PROTO_OFF,
  IP_SRC_OFF,
  IP_VER_IHL_OFF,
  IPPROTO_UDP,
} from '../../frames/frame-layout.js';
import type { PacketBatch } from '../packet-batch.js';

export const FILTER_FIELDS = [
  'eth.dst',
  'eth.src',
  'eth.type',
  'ip.proto',
  'ip.src',
  'ip.dst',
  'udp.sport',
  'udp.dport',
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export interface FieldMatch {
  field: FilterField;
  /** Inclusive range of matching values. */
  lo: number;
  hi: number;
  /** `!=`: pass what does not match. */
  negate: boolean;
}

const PROTOS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };

function num(text: string, option: string, max: number): number {
  const v = /^0x[0-9a-f]+$/i.test(text)
    ? parseInt(text, 16)
    : /^\d+$/.test(text)
      ? Number(text)
      : NaN;
  if (!(v >= 0 && v <= max))
    throw new OptionError(option, `a number 0..${max} (decimal or 0x hex)`, text);
  return v;
}

/** Parses `field`, `=`/`!=` and the value text (a number, A-B range, MAC, IPv4, a.b.c.d/n, or a protocol name). Throws OptionError. */
export function parseMatch(field: string, op: string, value: string): FieldMatch {
  if (!(FILTER_FIELDS as readonly string[]).includes(field))
    throw new OptionError('field', `one of ${FILTER_FIELDS.join(', ')}`, field);
  if (op !== '=' && op !== '!=') throw new OptionError('op', '= or !=', op);
  const f = field as FilterField;
  const negate = op === '!=';
  const opt = `${field} value`;
  switch (f) {
    case 'eth.dst':
    case 'eth.src': {
      const b = parseMac(value, opt);
      const low32 = ((b[2]! << 24) | (b[3]! << 16) | (b[4]! << 8) | b[5]!) >>> 0;
      const v = b[0]! * 2 ** 40 + b[1]! * 2 ** 32 + low32;
      return { field: f, lo: v, hi: v, negate };
    }
    case 'eth.type': {
      const [a, b = a] = value.split('-');
      return { field: f, lo: num(a!, opt, 0xffff), hi: num(b!, opt, 0xffff), negate };
    }
    case 'ip.proto': {
      const v = PROTOS[value.toLowerCase()] ?? num(value, opt, 255);
      return { field: f, lo: v, hi: v, negate };
    }
    case 'ip.src':
    case 'ip.dst': {
      const [ip, bits] = value.split('/');
      const a = parseIpv4(ip!, opt);
      if (bits === undefined) return { field: f, lo: a, hi: a, negate };
      const n = Number(bits);
      if (!Number.isInteger(n) || n < 0 || n > 32)
        throw new OptionError(opt, 'a prefix length 0..32', bits);
      const size = 2 ** (32 - n);
      const lo = Math.floor(a / size) * size;
      return { field: f, lo, hi: lo + size - 1, negate };
    }
    case 'udp.sport':
    case 'udp.dport': {
      const r = parseRange(value, opt, 0, 65535);
      return { field: f, lo: r.min, hi: r.max, negate };
    }
  }
}

const FIELD_IDS: Record<FilterField, number> = {
  'eth.dst': 0,
  'eth.src': 1,
  'eth.type': 2,
  'ip.proto': 3,
  'ip.src': 4,
  'ip.dst': 5,
  'udp.sport': 6,
  'udp.dport': 7,
};

/** Reads a field of the frame at `u8[off]` (`len` bytes): its value, or -1 when the frame has no such field. Does not allocate. */
export function readField(u8: Uint8Array, off: number, len: number, field: FilterField): number {
  return readFieldId(u8, off, len, FIELD_IDS[field]);
}

function readFieldId(u8: Uint8Array, off: number, len: number, id: number): number {
  if (id <= 1) {
    if (len < 12) return -1;
    const o = off + (id === 0 ? 0 : 6);
    return (
      u8[o]! * 2 ** 40 +
      u8[o + 1]! * 2 ** 32 +
      (((u8[o + 2]! << 24) | (u8[o + 3]! << 16) | (u8[o + 4]! << 8) | u8[o + 5]!) >>> 0)
    );
  }
  if (len < IP_OFF) return -1;
  const type = (u8[off + ETH_TYPE_OFF]! << 8) | u8[off + ETH_TYPE_OFF + 1]!;
  if (id === 2) return type;
  if (type !== ETHERTYPE_IPV4 || len < IP_OFF + 20) return -1;
  const vihl = u8[off + IP_VER_IHL_OFF]!;
  const ihl = (vihl & 15) << 2;
  if (vihl >>> 4 !== 4 || ihl < 20 || len < IP_OFF + ihl) return -1;
  if (id === 3) return u8[off + IP_PROTO_OFF]!;
  if (id === 4 || id === 5) {
    const o = off + (id === 4 ? IP_SRC_OFF : IP_DST_OFF);
    return ((u8[o]! << 24) | (u8[o + 1]! << 16) | (u8[o + 2]! << 8) | u8[o + 3]!) >>> 0;
  }
  // UDP: not a later fragment, and the header present.
  if (u8[off + IP_PROTO_OFF] !== IPPROTO_UDP) return -1;
  if ((((u8[off + IP_FRAG_OFF]! << 8) | u8[off + IP_FRAG_OFF + 1]!) & 0x1fff) !== 0) return -1;
  const udp = off + IP_OFF + ihl;
  if (len < IP_OFF + ihl + 8) return -1;
  const o = udp + (id === 6 ? 0 : 2);
  return (u8[o]! << 8) | u8[o + 1]!;
}

/** Builds the batch function of a filter. It does not allocate per batch. */
export function makeFilter(m: FieldMatch): (batch: PacketBatch) => void {
  const id = FIELD_IDS[m.field];
  const { lo, hi, negate } = m;
  return (batch) => {
    const u8 = batch.u8;
    for (let i = 0; i < batch.length; i++) {
      const v = readFieldId(u8, batch.offset(i), batch.len(i), id);
      const match = v >= lo && v <= hi;
      if (match === negate) batch.drop(i);
    }
  };
}
