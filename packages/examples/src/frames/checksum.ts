/**
 * Internet checksums (RFC 1071) over bytes in place: the IPv4 header checksum
 * and the UDP checksum with its IPv4 pseudo header. None of these allocate.
 */
import {
  IP_CSUM_OFF,
  IP_DST_OFF,
  IP_HEADER_BYTES,
  IP_OFF,
  IP_SRC_OFF,
  IPPROTO_UDP,
  UDP_CSUM_OFF,
  UDP_LEN_OFF,
  UDP_OFF,
} from './frame-layout.js';

/**
 * Adds the big-endian 16-bit words of `u8[off, off + len)` to `sum` and
 * returns the unfolded total (an odd last byte is padded with zero).
 */
export function sum16(u8: Uint8Array, off: number, len: number, sum = 0): number {
  const end = off + (len & ~1);
  for (let i = off; i < end; i += 2) sum += (u8[i]! << 8) | u8[i + 1]!;
  if ((len & 1) !== 0) sum += u8[end]! << 8;
  return sum;
}

/** Folds a sum of 16-bit words to 16 bits with end-around carry. */
export function fold16(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The ones' complement of the folded sum: the value stored in a checksum field. */
export function finishChecksum(sum: number): number {
  return ~fold16(sum) & 0xffff;
}

/** The IPv4 header checksum of the 20-byte header of the frame at `frameOff` (its checksum field counts as 0). */
export function ipv4HeaderChecksum(u8: Uint8Array, frameOff: number): number {
  const ip = frameOff + IP_OFF;
  const csum = (u8[frameOff + IP_CSUM_OFF]! << 8) | u8[frameOff + IP_CSUM_OFF + 1]!;
  return finishChecksum(sum16(u8, ip, IP_HEADER_BYTES) - csum);
}

/** True when the IPv4 header checksum of the frame at `frameOff` is correct. */
export function verifyIpv4Checksum(u8: Uint8Array, frameOff: number): boolean {
  return fold16(sum16(u8, frameOff + IP_OFF, IP_HEADER_BYTES)) === 0xffff;
}

/**
 * The UDP checksum of the frame at `frameOff`: the IPv4 pseudo header (source,
 * destination, protocol, UDP length) plus the UDP header and payload, with the
 * checksum field counted as 0. A computed 0 is sent as 0xffff (RFC 768).
 */
export function udpChecksum(u8: Uint8Array, frameOff: number): number {
  const udpLen = (u8[frameOff + UDP_LEN_OFF]! << 8) | u8[frameOff + UDP_LEN_OFF + 1]!;
  const csum = (u8[frameOff + UDP_CSUM_OFF]! << 8) | u8[frameOff + UDP_CSUM_OFF + 1]!;
  let sum = sum16(u8, frameOff + IP_SRC_OFF, 4);
  sum = sum16(u8, frameOff + IP_DST_OFF, 4, sum);
  sum += IPPROTO_UDP + udpLen;
  sum = sum16(u8, frameOff + UDP_OFF, udpLen, sum) - csum;
  const c = finishChecksum(sum);
  return c === 0 ? 0xffff : c;
}

/**
 * True when the UDP checksum of the frame at `frameOff` is correct, or absent
 * (0 means "not computed" in IPv4).
 */
export function verifyUdpChecksum(u8: Uint8Array, frameOff: number): boolean {
  const csum = (u8[frameOff + UDP_CSUM_OFF]! << 8) | u8[frameOff + UDP_CSUM_OFF + 1]!;
  if (csum === 0) return true;
  return udpChecksum(u8, frameOff) === csum;
}
