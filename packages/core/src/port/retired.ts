/**
 * Counters that outlive their port: when a port kind frees a port's if
 * object (its last close, or a reaper closing a dead owner's port), it
 * first calls `retirePortCounters`, which adds the port's final counters
 * (readPortCounters) to the region's retired-counters table under the
 * port's name (layout/retired-layout.ts). They stay there until the region
 * goes; `readRetiredPorts` reads them from any thread without a lock.
 *
 * Only the close path writes the table, under the region lock; the data
 * path never touches it. Readers use each record's sequence word, and
 * check everything: a record a peer scribbled on is reported `ok: false`
 * with the reason, and nothing in it is followed out of the table.
 */
import { PortNameError } from '../errors.js';
import {
  IF_KIND_I32,
  IF_KIND_WORDS,
  IF_KIND_WORDS_I32,
  PORT_NEVER,
} from '../layout/port-layout.js';
import { NAME_MAX_BYTES } from '../layout/name-table-layout.js';
import {
  RETIRED_CATCH_ALL_NAME,
  RETIRED_RECORD_BYTES,
  RR_DROPS_I32,
  RR_KICKS_I32,
  RR_WAKES_SENT_I32,
  RR_KIND_I32,
  RR_KIND_WORDS_I32,
  RR_NAME_LEN_I32,
  RR_NAME_OFF_BYTE,
  RR_RETIRES_I32,
  RR_RX_BYTES_F64_BYTE,
  RR_RX_ERRORS_I32,
  RR_RX_PKTS_F64_BYTE,
  RR_SEQ_I32,
  RR_TX_BYTES_F64_BYTE,
  RR_TX_ERRORS_I32,
  RR_TX_PKTS_F64_BYTE,
  RT_COUNT_I32,
  RT_GEN_I32,
  RT_HEADER_BYTES,
} from '../layout/retired-layout.js';
import { RING_DROP_REASONS } from '../layout/ring-layout.js';
import type { Region } from '../region.js';
import { readPortCounters, sumDrops, sumRings } from './counters.js';
import { ifWord } from './if-object.js';

/** The final counters of the ports retired under one name (or folded into the catch-all). */
export interface RetiredPort {
  /** The port's name; RETIRED_CATCH_ALL_NAME for the catch-all record. */
  name: string;
  /** True for the catch-all record (ports that found every named record taken). */
  catchAll: boolean;
  /** False when the record does not check out (`problem` says why); its numbers are then 0. */
  ok: boolean;
  problem?: string;
  /** IF_KIND of the ports (PORT_KIND_*); 0 for the catch-all. */
  kind: number;
  /** Ports retired into this record (for the catch-all: ports folded into it). */
  retires: number;
  txPkts: number;
  txBytes: number;
  txErrors: number;
  rxPkts: number;
  rxBytes: number;
  rxErrors: number;
  /** Drops by reason (RING_DROP_NAMES), over all rings. */
  drops: number[];
  kicks: number;
  /** Wake-ups they sent (notify calls on other ports' doorbells), summed. */
  wakesSent: number;
  /**
   * The kind's 16 if-object words (u32) as the last port of this name left
   * them, with the words its kind asked to be summed added up (see
   * retirePortCounters); all 0 for the catch-all.
   */
  kindWords: number[];
}

/** The retired-counters table as read at one moment. */
export interface RetiredTable {
  /** False when the table header does not check out (`problem` says why); `ports` is then empty. */
  ok: boolean;
  problem?: string;
  /** Named records the table has (the region's `retiredPorts`). */
  slots: number;
  /** Ports retired so far (u32, wrapping). */
  generation: number;
  /** Named records in use, in the order first retired, then the catch-all if anything was folded. */
  ports: RetiredPort[];
}

function recordOff(region: Region, r: number): number {
  return region.retiredOff + RT_HEADER_BYTES + r * RETIRED_RECORD_BYTES;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length < 1 || name.length > NAME_MAX_BYTES)
    throw new PortNameError(
      String(name),
      `a retired port's name must be 1 to ${NAME_MAX_BYTES} characters`,
    );
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 0x21 || c > 0x7e)
      throw new PortNameError(
        name,
        'a retired port name must be printable ASCII without spaces',
        k,
      );
  }
  return name;
}

function nameMatches(region: Region, off: number, name: string): boolean {
  if (region.i32[(off >>> 2) + RR_NAME_LEN_I32] !== name.length) return false;
  const u8 = region.u8;
  for (let k = 0; k < name.length; k++)
    if (u8[off + RR_NAME_OFF_BYTE + k] !== name.charCodeAt(k)) return false;
  return true;
}

/**
 * Adds the counters of the port at `ifIdx` (readPortCounters, and its
 * IF_KIND and kind words) to the retired-counters table under `name`,
 * before the port kind frees the if object and rings. A name seen before
 * adds to its record; a new name takes the next free record, or, when all
 * are taken, adds to the catch-all record. `sumKindWords` is a bit mask of
 * kind words (bit i = KIND word i) that are u32 counters to add up across
 * ports of the same name and kind; the others keep the last port's value.
 *
 * Takes the region lock (callers normally hold it already: it nests).
 * Returns the record index (0 for the catch-all), or -1 when nothing was
 * added: the port's counters do not check out, or it was never opened
 * (IF_STATE still PORT_NEVER: a pipe released before either end was used). Throws PortNameError
 * for a name the table cannot hold. Allocates.
 */
export function retirePortCounters(
  region: Region,
  ifIdx: number,
  name: string,
  sumKindWords = 0,
): number {
  checkName(name);
  return region.lock.withLock(() => {
    const c = readPortCounters(region, ifIdx);
    // A port never opened (a pipe end nobody used) has nothing of its own to keep.
    if (!c.ok || c.state === PORT_NEVER) return -1;
    const i32 = region.i32;
    const kind = i32[ifWord(region, ifIdx, IF_KIND_I32)]!;
    const words: number[] = [];
    for (let k = 0; k < IF_KIND_WORDS; k++)
      words.push(i32[ifWord(region, ifIdx, IF_KIND_WORDS_I32 + k)]!);

    const hdr = region.retiredOff >>> 2;
    const raw = Atomics.load(i32, hdr + RT_COUNT_I32);
    // A count a peer made garbage is taken as "full": nothing past the table is written.
    const count = raw >= 0 && raw <= region.retiredSlots ? raw : region.retiredSlots;
    let r = 0;
    let fresh = false;
    for (let k = 1; k <= count; k++)
      if (nameMatches(region, recordOff(region, k), name)) {
        r = k;
        break;
      }
    if (r === 0 && count < region.retiredSlots) {
      r = count + 1;
      fresh = true;
    }

    const off = recordOff(region, r);
    const b = off >>> 2;
    const f = (byte: number): number => (off + byte) >>> 3;
    const f64 = region.f64;
    const seq = Atomics.load(i32, b + RR_SEQ_I32) | 1;
    Atomics.store(i32, b + RR_SEQ_I32, seq);
    if (fresh) {
      region.u8.fill(0, off + 4, off + RETIRED_RECORD_BYTES);
      for (let k = 0; k < name.length; k++)
        region.u8[off + RR_NAME_OFF_BYTE + k] = name.charCodeAt(k);
      i32[b + RR_NAME_LEN_I32] = name.length;
    }
    f64[f(RR_TX_PKTS_F64_BYTE)]! += sumRings(c, 'tx', 'pkts');
    f64[f(RR_TX_BYTES_F64_BYTE)]! += sumRings(c, 'tx', 'bytes');
    f64[f(RR_RX_PKTS_F64_BYTE)]! += sumRings(c, 'rx', 'pkts');
    f64[f(RR_RX_BYTES_F64_BYTE)]! += sumRings(c, 'rx', 'bytes');
    i32[b + RR_TX_ERRORS_I32] = (i32[b + RR_TX_ERRORS_I32]! + sumRings(c, 'tx', 'errors')) | 0;
    i32[b + RR_RX_ERRORS_I32] = (i32[b + RR_RX_ERRORS_I32]! + sumRings(c, 'rx', 'errors')) | 0;
    const drops = sumDrops(c);
    for (let d = 0; d < RING_DROP_REASONS; d++)
      i32[b + RR_DROPS_I32 + d] = (i32[b + RR_DROPS_I32 + d]! + drops[d]!) | 0;
    i32[b + RR_KICKS_I32] = (i32[b + RR_KICKS_I32]! + c.kicks) | 0;
    i32[b + RR_WAKES_SENT_I32] = (i32[b + RR_WAKES_SENT_I32]! + c.wakesSent) | 0;
    i32[b + RR_RETIRES_I32] = (i32[b + RR_RETIRES_I32]! + 1) | 0;
    if (r !== 0) {
      const same = !fresh && i32[b + RR_KIND_I32] === kind;
      for (let k = 0; k < IF_KIND_WORDS; k++) {
        const at = b + RR_KIND_WORDS_I32 + k;
        i32[at] = same && (sumKindWords & (1 << k)) !== 0 ? (i32[at]! + words[k]!) | 0 : words[k]!;
      }
      i32[b + RR_KIND_I32] = kind;
    }
    Atomics.store(i32, b + RR_SEQ_I32, seq + 1);
    if (fresh) Atomics.store(i32, hdr + RT_COUNT_I32, r);
    Atomics.add(i32, hdr + RT_GEN_I32, 1);
    return r;
  });
}

/** Tries to read a record whose sequence word stays odd or keeps changing, before giving up. */
const READ_TRIES = 64;

/**
 * A record that does not check out: every number 0, `ok` false, `problem`
 * saying why (also for readers that report a table they could not read).
 * Allocates.
 */
export function badRetiredPort(name: string, catchAll: boolean, problem: string): RetiredPort {
  return {
    name,
    catchAll,
    ok: false,
    problem,
    kind: 0,
    retires: 0,
    txPkts: 0,
    txBytes: 0,
    txErrors: 0,
    rxPkts: 0,
    rxBytes: 0,
    rxErrors: 0,
    drops: new Array<number>(RING_DROP_REASONS).fill(0),
    kicks: 0,
    wakesSent: 0,
    kindWords: new Array<number>(IF_KIND_WORDS).fill(0),
  };
}

const total = (v: number): boolean => Number.isInteger(v) && v >= 0;

/** One read of record `r` (no sequence check); checks every field. */
function readRecord(region: Region, r: number): RetiredPort {
  const off = recordOff(region, r);
  const b = off >>> 2;
  const i32 = region.i32;
  const catchAll = r === 0;
  const len = i32[b + RR_NAME_LEN_I32]!;
  let name = RETIRED_CATCH_ALL_NAME;
  if (catchAll) {
    if (len !== 0) return badRetiredPort(name, true, `name length ${len} (the catch-all has none)`);
  } else {
    if (len < 1 || len > NAME_MAX_BYTES)
      return badRetiredPort(
        `(record ${r})`,
        false,
        `name length ${len} out of 1..${NAME_MAX_BYTES}`,
      );
    const u8 = region.u8;
    for (let k = 0; k < len; k++) {
      const ch = u8[off + RR_NAME_OFF_BYTE + k]!;
      if (ch < 0x21 || ch > 0x7e)
        return badRetiredPort(`(record ${r})`, false, `name byte ${k} is 0x${ch.toString(16)}`);
    }
    name = String.fromCharCode(
      ...u8.subarray(off + RR_NAME_OFF_BYTE, off + RR_NAME_OFF_BYTE + len),
    );
  }
  const kind = i32[b + RR_KIND_I32]!;
  if (catchAll ? kind !== 0 : kind < 1)
    return badRetiredPort(name, catchAll, `kind ${kind} is not a port kind`);
  const f64 = region.f64;
  const f = (byte: number): number => f64[(off + byte) >>> 3]!;
  const out: RetiredPort = {
    name,
    catchAll,
    ok: true,
    kind,
    retires: i32[b + RR_RETIRES_I32]! >>> 0,
    txPkts: f(RR_TX_PKTS_F64_BYTE),
    txBytes: f(RR_TX_BYTES_F64_BYTE),
    txErrors: i32[b + RR_TX_ERRORS_I32]! >>> 0,
    rxPkts: f(RR_RX_PKTS_F64_BYTE),
    rxBytes: f(RR_RX_BYTES_F64_BYTE),
    rxErrors: i32[b + RR_RX_ERRORS_I32]! >>> 0,
    drops: [],
    kicks: i32[b + RR_KICKS_I32]! >>> 0,
    wakesSent: i32[b + RR_WAKES_SENT_I32]! >>> 0,
    kindWords: [],
  };
  for (const [k, v] of [
    ['txPkts', out.txPkts],
    ['txBytes', out.txBytes],
    ['rxPkts', out.rxPkts],
    ['rxBytes', out.rxBytes],
  ] as const)
    if (!total(v)) return badRetiredPort(name, catchAll, `${k} ${v} is not a total`);
  if (!catchAll && out.retires === 0)
    return badRetiredPort(name, false, 'in use but never retired');
  for (let d = 0; d < RING_DROP_REASONS; d++) out.drops.push(i32[b + RR_DROPS_I32 + d]! >>> 0);
  for (let k = 0; k < IF_KIND_WORDS; k++) out.kindWords.push(i32[b + RR_KIND_WORDS_I32 + k]! >>> 0);
  return out;
}

/** Record `r` read between two equal, even sequence words (or reported torn). */
function readStable(region: Region, r: number): RetiredPort {
  const s = (recordOff(region, r) >>> 2) + RR_SEQ_I32;
  const i32 = region.i32;
  for (let t = 0; t < READ_TRIES; t++) {
    const before = Atomics.load(i32, s);
    if ((before & 1) !== 0) continue;
    const rec = readRecord(region, r);
    if (Atomics.load(i32, s) === before) return rec;
  }
  return badRetiredPort(
    r === 0 ? RETIRED_CATCH_ALL_NAME : `(record ${r})`,
    r === 0,
    'torn: being written',
  );
}

/**
 * Reads the retired-counters table: every port name retired so far with
 * its totals, then the catch-all record when ports were folded into it.
 * Takes no lock and blocks nothing; a record being written is read again
 * (a bounded number of times, then reported torn). A table or record that
 * does not check out (count out of range, bad name length or bytes, bad
 * kind, totals that are not non-negative integers) is reported with
 * `ok: false` and `problem`, never followed. Allocates the result.
 */
export function readRetiredPorts(region: Region): RetiredTable {
  const i32 = region.i32;
  const hdr = region.retiredOff >>> 2;
  const count = Atomics.load(i32, hdr + RT_COUNT_I32);
  const out: RetiredTable = {
    ok: true,
    slots: region.retiredSlots,
    generation: Atomics.load(i32, hdr + RT_GEN_I32) >>> 0,
    ports: [],
  };
  if (count < 0 || count > region.retiredSlots) {
    out.ok = false;
    out.problem = `record count ${count} out of 0..${region.retiredSlots}`;
    return out;
  }
  for (let r = 1; r <= count; r++) out.ports.push(readStable(region, r));
  const other = readStable(region, 0);
  if (!other.ok || other.retires > 0) out.ports.push(other);
  return out;
}

/** The retired record of port `name`, or null when none was retired under it. Allocates. */
export function readRetiredPort(region: Region, name: string): RetiredPort | null {
  return readRetiredPorts(region).ports.find((p) => !p.catchAll && p.name === name) ?? null;
}
