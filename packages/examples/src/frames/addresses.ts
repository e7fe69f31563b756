/** Parsing and formatting of MAC and IPv4 addresses and port ranges (setup code: allocates, throws). */
import { OptionError } from '@pktfabric/core';

/** Parses `aa:bb:cc:dd:ee:ff` (or with `-`) into 6 bytes. Throws OptionError. */
export function parseMac(text: string, option = 'mac'): Uint8Array {
  const parts = text.split(/[:-]/);
  const out = new Uint8Array(6);
  if (parts.length !== 6)
    throw new OptionError(option, 'a MAC address like 02:00:00:00:00:01', text);
  for (let i = 0; i < 6; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(p))
      throw new OptionError(option, 'a MAC address like 02:00:00:00:00:01', text);
    out[i] = parseInt(p, 16);
  }
  return out;
}

export function formatMac(b: ArrayLike<number>, off = 0): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push(b[off + i]!.toString(16).padStart(2, '0'));
  return out.join(':');
}

/** Parses a dotted IPv4 address into an unsigned 32-bit number. Throws OptionError. */
export function parseIpv4(text: string, option = 'ip'): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (m === null) throw new OptionError(option, 'an IPv4 address like 10.0.0.1', text);
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) throw new OptionError(option, 'an IPv4 address like 10.0.0.1', text);
    v = v * 256 + o;
  }
  return v;
}

export function formatIpv4(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** An inclusive integer range. */
export interface Range {
  min: number;
  max: number;
}

/** Parses `N` or `A-B` (inclusive, A <= B) with both ends in [lo, hi]. Throws OptionError. */
export function parseRange(text: string, option: string, lo: number, hi: number): Range {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  const limit = `an integer or a range A-B within ${lo}..${hi}`;
  if (m === null) throw new OptionError(option, limit, text);
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (min < lo || max > hi || min > max) throw new OptionError(option, limit, text);
  return { min, max };
}
