/**
 * The two capture file formats, as far as the tools read and write them.
 *
 * pcap (draft-ietf-opsawg-pcap; libpcap's pcap-savefile(5)), every field in
 * the writer's byte order, told by the magic:
 * ```
 *  file header (24 B)  MAGIC(u32) VMAJOR(u16) VMINOR(u16) RESERVED1 RESERVED2
 *                      SNAPLEN(u32) LINKTYPE(u32: low 16 bits the link type)
 *  record (16 B + data) TS_SEC(u32) TS_FRAC(u32: us or ns) CAPLEN(u32) ORIGLEN(u32)
 *                      data[CAPLEN], not padded
 * ```
 * pcapng (draft-ietf-opsawg-pcapng), a sequence of blocks:
 * ```
 *  block   TYPE(u32) TOTAL_LEN(u32) body (padded to 4) TOTAL_LEN(u32)
 *  SHB     BYTE_ORDER_MAGIC(0x1A2B3C4D) VMAJOR(u16)=1 VMINOR(u16)=0 SECTION_LEN(i64) options
 *  IDB     LINKTYPE(u16) RESERVED(u16) SNAPLEN(u32) options (if_tsresol = 9, if_name)
 *  EPB     IF_ID(u32) TS_HI(u32) TS_LO(u32) CAPLEN(u32) ORIGLEN(u32) data (padded) options
 *  SPB     ORIGLEN(u32) data (padded)          (no timestamp; interface 0)
 *  ISB     IF_ID(u32) TS_HI TS_LO options (isb_ifrecv, isb_ifdrop)
 *  option  CODE(u16) LEN(u16) value (padded to 4); opt_endofopt (0) ends the list
 * ```
 */

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;

export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_IDB = 1;
export const PCAPNG_PB = 2;
export const PCAPNG_SPB = 3;
export const PCAPNG_ISB = 5;
export const PCAPNG_EPB = 6;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Smallest block: type, length, length. */
export const PCAPNG_MIN_BLOCK_BYTES = 12;
export const PCAPNG_OPT_END = 0;
export const PCAPNG_OPT_COMMENT = 1;
export const PCAPNG_IF_NAME = 2;
export const PCAPNG_IF_TSRESOL = 9;
export const PCAPNG_IF_TSOFFSET = 14;
export const PCAPNG_ISB_STARTTIME = 2;
export const PCAPNG_ISB_ENDTIME = 3;
export const PCAPNG_ISB_IFRECV = 4;
export const PCAPNG_ISB_IFDROP = 5;

export const LINKTYPE_ETHERNET = 1;
/** Link types a capture file may carry for replay: Ethernet, raw IP, IPv4, IPv6, and the private USER0..USER15. */
export const SUPPORTED_LINK_TYPES: ReadonlySet<number> = new Set([
  1,
  101,
  228,
  229,
  ...Array.from({ length: 16 }, (_, i) => 147 + i),
]);

/** Longest record the tools accept (wiretap's WTAP_MAX_PACKET_SIZE_STANDARD, 256 KiB). */
export const MAX_RECORD_BYTES = 262_144;
/** Default snap length of a capture. */
export const DEFAULT_SNAPLEN = 65_535;
