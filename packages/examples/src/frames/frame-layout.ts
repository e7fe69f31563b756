/**
 * Layout of the frames pktgen and the pipeline's `gen` stage build: Ethernet
 * II + IPv4 (no options) + UDP, as netmap's pkt-gen builds them. Offsets are
 * bytes from the start of the frame; multi-byte fields are big-endian
 * (network order).
 *
 * ```
 *  0   eth dst MAC (6)        6  eth src MAC (6)      12  ethertype (2)
 * 14   ip: ver/ihl (1) tos (1) total length (2) id (2) flags/frag (2)
 * 22       ttl (1) proto (1) header checksum (2) src (4) dst (4)
 * 34   udp: sport (2) dport (2) length (2) checksum (2)
 * 42   payload: txseq/rxseq and ping/pong put a 32-bit sequence number at
 *      42 (network order); ping puts its send time (f64, little-endian) at 46
 * ```
 * A frame is 60 .. 1514 bytes (the Ethernet minimum and maximum without the
 * 4-byte CRC), so the payload is 18 .. 1472 bytes.
 */

export const ETH_DST_OFF = 0;
export const ETH_SRC_OFF = 6;
export const ETH_TYPE_OFF = 12;
export const ETH_HEADER_BYTES = 14;
export const ETHERTYPE_IPV4 = 0x0800;

export const IP_OFF = 14;
export const IP_VER_IHL_OFF = IP_OFF + 0;
export const IP_TOS_OFF = IP_OFF + 1;
export const IP_TOTAL_LEN_OFF = IP_OFF + 2;
export const IP_ID_OFF = IP_OFF + 4;
export const IP_FRAG_OFF = IP_OFF + 6;
export const IP_TTL_OFF = IP_OFF + 8;
export const IP_PROTO_OFF = IP_OFF + 9;
export const IP_CSUM_OFF = IP_OFF + 10;
export const IP_SRC_OFF = IP_OFF + 12;
export const IP_DST_OFF = IP_OFF + 16;
export const IP_HEADER_BYTES = 20;
/** Version 4, header length 5 words. */
export const IP_VER_IHL_V4 = 0x45;
export const IPPROTO_UDP = 17;
/** Don't-fragment flag in the flags/fragment-offset word. */
export const IP_FLAG_DF = 0x4000;

export const UDP_OFF = 34;
export const UDP_SPORT_OFF = UDP_OFF + 0;
export const UDP_DPORT_OFF = UDP_OFF + 2;
export const UDP_LEN_OFF = UDP_OFF + 4;
export const UDP_CSUM_OFF = UDP_OFF + 6;
export const UDP_HEADER_BYTES = 8;

export const PAYLOAD_OFF = 42;
/** Where txseq/rxseq and ping/pong keep the 32-bit sequence number. */
export const SEQ_OFF = PAYLOAD_OFF;
/** Where ping keeps its send time, a little-endian f64 in ms (performance.now of the pinger). */
export const PING_TS_OFF = PAYLOAD_OFF + 4;

export const HEADERS_BYTES = PAYLOAD_OFF;
export const MIN_FRAME_BYTES = 60;
export const MAX_FRAME_BYTES = 1514;
/** Preamble (8) + CRC (4) + inter-frame gap (12): what a frame costs on the wire beyond its bytes. */
export const WIRE_OVERHEAD_BYTES = 24;
