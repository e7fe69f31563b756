/**
 * Reading a whole capture file (pcap with µs or ns timestamps, either byte
 * order, or pcapng) into memory, checked from end to end before anything is
 * used: a replay that refuses a file has sent nothing. Packets are views
 * into the file's bytes. Allocates (one object per packet); not for a data
 * path.
 */
import { CaptureFileError } from '../errors.js';
import {
  MAX_RECORD_BYTES,
  PCAP_FILE_HEADER_BYTES,
  PCAP_MAGIC_NS,
  PCAP_MAGIC_US,
  PCAP_RECORD_HEADER_BYTES,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_EPB,
  PCAPNG_IDB,
  PCAPNG_IF_TSOFFSET,
  PCAPNG_IF_TSRESOL,
  PCAPNG_MIN_BLOCK_BYTES,
  PCAPNG_OPT_END,
  PCAPNG_PB,
  PCAPNG_SHB,
  PCAPNG_SPB,
  PCAP_VERSION_MAJOR,
  SUPPORTED_LINK_TYPES,
} from './format.js';

export interface CapturedPacket {
  /** Time since the epoch, in nanoseconds. */
  tsNs: bigint;
  /** The captured bytes (a view into the file). */
  data: Uint8Array;
  /** Length on the wire (at least data.length). */
  origLen: number;
}

export interface CaptureFile {
  format: 'pcap' | 'pcapng';
  /** pcap: the magic's resolution; pcapng: the first interface's. */
  resolution: 'us' | 'ns' | 'other';
  littleEndian: boolean;
  /** Link type of the (first) interface. */
  linkType: number;
  /** Snap length of the (first) interface; 0 = none. */
  snapLen: number;
  packets: CapturedPacket[];
}

/** Reads a pcap or pcapng file. Throws CaptureFileError naming the offset of the first problem. */
export function readCaptureFile(bytes: Uint8Array): CaptureFile {
  if (bytes.length < 4)
    throw new CaptureFileError('truncated-header', 0, `${bytes.length} bytes, not even a magic`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = dv.getUint32(0, true);
  if (le === PCAPNG_SHB) return readPcapng(bytes, dv);
  const be = dv.getUint32(0, false);
  for (const [v, little] of [
    [le, true],
    [be, false],
  ] as const) {
    if (v === PCAP_MAGIC_US || v === PCAP_MAGIC_NS)
      return readPcap(bytes, dv, little, v === PCAP_MAGIC_NS);
  }
  throw new CaptureFileError(
    'bad-magic',
    0,
    `0x${be.toString(16).padStart(8, '0')} is neither a pcap magic nor a pcapng section header`,
  );
}

function readPcap(bytes: Uint8Array, dv: DataView, le: boolean, ns: boolean): CaptureFile {
  if (bytes.length < PCAP_FILE_HEADER_BYTES)
    throw new CaptureFileError(
      'truncated-header',
      bytes.length,
      `the pcap file header needs ${PCAP_FILE_HEADER_BYTES} bytes, the file has ${bytes.length}`,
    );
  const major = dv.getUint16(4, le);
  if (major !== PCAP_VERSION_MAJOR)
    throw new CaptureFileError(
      'bad-version',
      4,
      `pcap version ${major}.${dv.getUint16(6, le)} (only 2.x)`,
    );
  const snapLen = dv.getUint32(16, le);
  const linkType = dv.getUint32(20, le) & 0xffff;
  if (!SUPPORTED_LINK_TYPES.has(linkType))
    throw new CaptureFileError('unknown-link-type', 20, `link type ${linkType}`);
  const limit = snapLen === 0 ? MAX_RECORD_BYTES : Math.min(snapLen, MAX_RECORD_BYTES);
  const fracMax = ns ? 1_000_000_000 : 1_000_000;
  const mult = ns ? 1n : 1000n;
  const packets: CapturedPacket[] = [];
  let off = PCAP_FILE_HEADER_BYTES;
  while (off < bytes.length) {
    if (bytes.length - off < PCAP_RECORD_HEADER_BYTES)
      throw new CaptureFileError(
        'truncated-record',
        off,
        `record header cut after ${bytes.length - off} of ${PCAP_RECORD_HEADER_BYTES} bytes`,
      );
    const sec = dv.getUint32(off, le);
    const frac = dv.getUint32(off + 4, le);
    const capLen = dv.getUint32(off + 8, le);
    const origLen = dv.getUint32(off + 12, le);
    if (frac >= fracMax)
      throw new CaptureFileError(
        'bad-timestamp',
        off + 4,
        `fraction ${frac} is not below ${fracMax}`,
      );
    if (capLen > limit)
      throw new CaptureFileError(
        'record-too-long',
        off + 8,
        `captured length ${capLen} is over ${snapLen !== 0 && snapLen < MAX_RECORD_BYTES ? `the snap length ${snapLen}` : `${MAX_RECORD_BYTES} bytes`}`,
      );
    const data = off + PCAP_RECORD_HEADER_BYTES;
    if (bytes.length - data < capLen)
      throw new CaptureFileError(
        'truncated-record',
        off,
        `record of ${capLen} bytes cut after ${bytes.length - data}`,
      );
    packets.push({
      tsNs: BigInt(sec) * 1_000_000_000n + BigInt(frac) * mult,
      data: bytes.subarray(data, data + capLen),
      origLen: Math.max(origLen, capLen),
    });
    off = data + capLen;
  }
  return {
    format: 'pcap',
    resolution: ns ? 'ns' : 'us',
    littleEndian: le,
    linkType,
    snapLen,
    packets,
  };
}

interface Iface {
  linkType: number;
  snapLen: number;
  /** Timestamp units per second, and the offset in seconds. */
  unitsPerSec: bigint;
  offsetSec: bigint;
}

function readPcapng(bytes: Uint8Array, dv: DataView): CaptureFile {
  const packets: CapturedPacket[] = [];
  let ifaces: Iface[] = [];
  let first: Iface | null = null;
  let le = true;
  let firstLe: boolean | null = null;
  let off = 0;
  while (off < bytes.length) {
    const left = bytes.length - off;
    if (left < 8)
      throw new CaptureFileError(
        off === 0 ? 'truncated-header' : 'truncated-record',
        off,
        `block header cut after ${left} of 8 bytes`,
      );
    const type = dv.getUint32(off, le);
    if (type === PCAPNG_SHB) {
      // A new section: its byte-order magic says how to read it (and its length).
      if (left < 12)
        throw new CaptureFileError('truncated-header', off, 'section header block cut');
      const bom = dv.getUint32(off + 8, true);
      if (bom === PCAPNG_BYTE_ORDER_MAGIC) le = true;
      else if (dv.getUint32(off + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) le = false;
      else
        throw new CaptureFileError(
          'bad-magic',
          off + 8,
          `byte-order magic 0x${bom.toString(16)} is not 0x1a2b3c4d`,
        );
      firstLe ??= le;
      ifaces = [];
    } else if (off === 0) {
      throw new CaptureFileError('bad-magic', 0, 'a pcapng file starts with a section header');
    }
    const len = dv.getUint32(off + 4, le);
    if (len < PCAPNG_MIN_BLOCK_BYTES || len % 4 !== 0)
      throw new CaptureFileError(
        'bad-block-length',
        off + 4,
        `block length ${len} (at least ${PCAPNG_MIN_BLOCK_BYTES}, a multiple of 4)`,
      );
    if (len > left)
      throw new CaptureFileError(
        type === PCAPNG_SHB && off === 0 ? 'truncated-header' : 'truncated-record',
        off,
        `block of ${len} bytes cut after ${left}`,
      );
    const trailer = dv.getUint32(off + len - 4, le);
    if (trailer !== len)
      throw new CaptureFileError(
        'bad-block-length',
        off + len - 4,
        `block lengths differ (first ${len}, second ${trailer})`,
      );
    const body = off + 8;
    const bodyEnd = off + len - 4;
    const need = (n: number): void => {
      if (bodyEnd - body < n)
        throw new CaptureFileError(
          'bad-block-length',
          off + 4,
          `block type ${type} of ${len} bytes is too short for its ${n}-byte body`,
        );
    };
    if (type === PCAPNG_SHB) {
      need(16);
      const major = dv.getUint16(body + 4, le);
      if (major !== 1)
        throw new CaptureFileError(
          'bad-version',
          body + 4,
          `pcapng version ${major}.${dv.getUint16(body + 6, le)} (only 1.x)`,
        );
    } else if (type === PCAPNG_IDB) {
      need(8);
      const linkType = dv.getUint16(body, le);
      if (!SUPPORTED_LINK_TYPES.has(linkType))
        throw new CaptureFileError('unknown-link-type', body, `link type ${linkType}`);
      const iface: Iface = {
        linkType,
        snapLen: dv.getUint32(body + 4, le),
        unitsPerSec: 1_000_000n,
        offsetSec: 0n,
      };
      readIdbOptions(dv, body + 8, bodyEnd, le, iface);
      ifaces.push(iface);
      first ??= iface;
    } else if (type === PCAPNG_EPB || type === PCAPNG_PB) {
      need(20);
      const ifId = type === PCAPNG_EPB ? dv.getUint32(body, le) : dv.getUint16(body, le);
      const iface = ifaces[ifId];
      if (iface === undefined)
        throw new CaptureFileError(
          'bad-interface',
          body,
          `interface ${ifId} is not below the section's ${ifaces.length} interfaces`,
        );
      const ts = (BigInt(dv.getUint32(body + 4, le)) << 32n) | BigInt(dv.getUint32(body + 8, le));
      const capLen = dv.getUint32(body + 12, le);
      const origLen = dv.getUint32(body + 16, le);
      checkLen(capLen, iface, body + 12);
      if (capLen > bodyEnd - (body + 20))
        throw new CaptureFileError(
          'bad-block-length',
          off + 4,
          `packet of ${capLen} bytes does not fit its ${len}-byte block`,
        );
      packets.push({
        tsNs:
          (iface.offsetSec + 0n) * 1_000_000_000n +
          (iface.unitsPerSec === 1_000_000_000n ? ts : (ts * 1_000_000_000n) / iface.unitsPerSec),
        data: bytes.subarray(body + 20, body + 20 + capLen),
        origLen: Math.max(origLen, capLen),
      });
    } else if (type === PCAPNG_SPB) {
      need(4);
      const iface = ifaces[0];
      if (iface === undefined)
        throw new CaptureFileError('bad-interface', body, 'simple packet block with no interface');
      const origLen = dv.getUint32(body, le);
      const room = bodyEnd - (body + 4);
      const capLen = Math.min(origLen, iface.snapLen === 0 ? room : iface.snapLen, room);
      checkLen(capLen, iface, body);
      packets.push({ tsNs: 0n, data: bytes.subarray(body + 4, body + 4 + capLen), origLen });
    }
    // Any other block (statistics, name resolution, custom, local types) is skipped.
    off += len;
  }
  if (first === null && packets.length === 0 && off === 0)
    throw new CaptureFileError('truncated-header', 0, 'empty file');
  return {
    format: 'pcapng',
    resolution:
      first === null || first.unitsPerSec === 1_000_000n
        ? 'us'
        : first.unitsPerSec === 1_000_000_000n
          ? 'ns'
          : 'other',
    littleEndian: firstLe ?? true,
    linkType: first?.linkType ?? 1,
    snapLen: first?.snapLen ?? 0,
    packets,
  };
}

function checkLen(capLen: number, iface: Iface, at: number): void {
  const lim = iface.snapLen === 0 ? MAX_RECORD_BYTES : Math.min(iface.snapLen, MAX_RECORD_BYTES);
  if (capLen > lim)
    throw new CaptureFileError(
      'record-too-long',
      at,
      `captured length ${capLen} is over ${iface.snapLen !== 0 && iface.snapLen < MAX_RECORD_BYTES ? `the snap length ${iface.snapLen}` : `${MAX_RECORD_BYTES} bytes`}`,
    );
}

function readIdbOptions(dv: DataView, from: number, to: number, le: boolean, iface: Iface): void {
  let p = from;
  while (p + 4 <= to) {
    const code = dv.getUint16(p, le);
    const len = dv.getUint16(p + 2, le);
    if (code === PCAPNG_OPT_END) return;
    if (p + 4 + len > to)
      throw new CaptureFileError(
        'bad-block-length',
        p + 2,
        `option ${code} of ${len} bytes runs past its block`,
      );
    if (code === PCAPNG_IF_TSRESOL && len >= 1) {
      const v = dv.getUint8(p + 4);
      const exp = BigInt(v & 0x7f);
      iface.unitsPerSec = (v & 0x80) !== 0 ? 1n << exp : 10n ** exp;
      if (iface.unitsPerSec === 0n) iface.unitsPerSec = 1n;
    } else if (code === PCAPNG_IF_TSOFFSET && len >= 8) {
      iface.offsetSec = dv.getBigInt64(p + 4, le);
    }
    p += 4 + ((len + 3) & ~3);
  }
}
