import { verifyIpv4Checksum, verifyUdpChecksum } from './checksum.js';
import {
  ETH_TYPE_OFF,
  ETHERTYPE_IPV4,
  IP_PROTO_OFF,
  IP_TOTAL_LEN_OFF,
  IP_VER_IHL_OFF,
  IP_VER_IHL_V4,
  IP_OFF,
  IPPROTO_UDP,
  PAYLOAD_OFF,
  UDP_HEADER_BYTES,
  UDP_LEN_OFF,
  UDP_OFF,
} from './frame-layout.js';

/** Outcome of `checkFrame`. */
export const FRAME_OK = 0;
/** Shorter than Ethernet + IPv4 + UDP headers. */
export const FRAME_TRUNCATED = 1;
/** Not IPv4 without options (ethertype or version/IHL differ); its checksum cannot be checked. */
export const FRAME_NOT_IPV4 = 2;
/** The IPv4 total length or the UDP length runs past the end of the frame. */
export const FRAME_BAD_LENGTH = 3;
export const FRAME_BAD_IP_CSUM = 4;
export const FRAME_BAD_UDP_CSUM = 5;

/**
 * Checks a frame of `len` bytes at `u8[off]`: an IPv4 header with a correct
 * checksum and, for UDP with a non-zero checksum field, a correct UDP checksum.
 * Returns one of the FRAME_* codes. Does not allocate.
 */
export function checkFrame(u8: Uint8Array, off: number, len: number): number {
  if (len < PAYLOAD_OFF) return FRAME_TRUNCATED;
  if (((u8[off + ETH_TYPE_OFF]! << 8) | u8[off + ETH_TYPE_OFF + 1]!) !== ETHERTYPE_IPV4)
    return FRAME_NOT_IPV4;
  if (u8[off + IP_VER_IHL_OFF] !== IP_VER_IHL_V4) return FRAME_NOT_IPV4;
  const ipLen = (u8[off + IP_TOTAL_LEN_OFF]! << 8) | u8[off + IP_TOTAL_LEN_OFF + 1]!;
  if (ipLen + IP_OFF > len) return FRAME_BAD_LENGTH;
  if (!verifyIpv4Checksum(u8, off)) return FRAME_BAD_IP_CSUM;
  if (u8[off + IP_PROTO_OFF] === IPPROTO_UDP) {
    const udpLen = (u8[off + UDP_LEN_OFF]! << 8) | u8[off + UDP_LEN_OFF + 1]!;
    if (udpLen < UDP_HEADER_BYTES || udpLen + UDP_OFF > len) return FRAME_BAD_LENGTH;
    if (!verifyUdpChecksum(u8, off)) return FRAME_BAD_UDP_CSUM;
  }
  return FRAME_OK;
}
