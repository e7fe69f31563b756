/**
 * Port names: libnetmap's `subsystem:name[mode][/flags][@options]` shape
 * (libnetmap/libnetmap.h, nmreq.c), parsed into a typed structure.
 *
 * Grammar accepted here (`[ ]` optional, `*` repeated, `|` or):
 *
 * ```
 * spec     := port [mode] suffix* options?   |   options
 * port     := 'netmap:' vpname                the standard subsystem
 *           | 'vale' [ident] ':' vpname       a VALE switch port ('vale:' = default switch)
 *           | 'pipe' end pipeid               pktfabric's short form of 'netmap:pipe{N'
 * vpname   := ident [end pipeid]              end present: a pipe whose parent is ident
 * end      := '{' (master) | '}' (slave)
 * ident    := [A-Za-z0-9_]+
 * mode     := '-' ring                        bind one ring pair, ring 0..255
 * suffix   := '/' flag+                       flags, each at most once, in any order
 *           | '@' memid                       the region's memId, 1..65535
 * flag     := 'x' exclusive | 't' monitor TX | 'r' monitor RX | 'z' zero-copy monitor
 * options  := ('@' option)+                   begins at the first '@' not followed by a digit
 * option   := 'conf:' key '=' number (',' key '=' number)*
 * key      := rings | tx-rings | rx-rings | slots | tx-slots | rx-slots | extra-bufs
 *                                             ('_' may stand for '-', as in libnetmap)
 * pipeid, ring, memid, number := '0' | [1-9][0-9]*   (decimal, no sign, no leading zero)
 * ```
 *
 * Limits: pipe id 0..65535; rings 1..256; slots a power of two 4..32768;
 * extra-bufs 0..2^24; `name` (what netmap puts in `nr_name`) at most
 * NAME_MAX_BYTES characters, so every parsed name fits a port-name table
 * entry; the whole spec at most MAX_PORT_SPEC_CHARS characters. `rings` sets
 * both directions and `tx-rings` / `rx-rings` override it (likewise slots),
 * as in libnetmap. `z` alone monitors both directions (libnetmap.h: "zero copy
 * monitor (both tx and rx)"); `zt` / `zr` restrict it to one.
 *
 * Where we deliberately differ from libnetmap (it accepts, we refuse): host
 * ring modes `*`, `^`, `^N` (pktfabric ports have no host stack); flags `R`
 * and `T` (bind only RX / TX rings); the options `share`, `extmem` and
 * `offset` and the conf keys `host-rings`, `host-tx-rings`, `host-rx-rings`;
 * non-numeric pipe names (`netmap:pipe{in`); numbers with leading zeros or
 * trailing garbage (libnetmap uses atoi); a flag given twice; an empty flag
 * set (`eth0/@2`); an empty value (`rings=`, which libnetmap ignores); the
 * same option twice. Where we accept what libnetmap refuses: `pipe{N` /
 * `pipe}N` without the `netmap:` prefix, and a spec made only of options
 * (`@conf:rings=2`), used as defaults when creating a port. Everything else
 * follows libnetmap's own accept/reject table (utils/ctrl-api-test.c).
 */
import { MAX_BUF_COUNT, MAX_RING_SLOTS, MIN_RING_SLOTS } from './api.js';
import { PortNameError } from './errors.js';
import { NAME_MAX_BYTES } from './layout/name-table-layout.js';

/** Longest spec `parsePortName` reads (name, flags and options together). */
export const MAX_PORT_SPEC_CHARS = 256;
/** Largest pipe number: pipes are `pipe{0` .. `pipe{65535`. */
export const MAX_PIPE_ID = 65535;
/** Rings per direction a port may ask for: 1 .. 256. */
export const MAX_PORT_RINGS = 256;
/** Largest ring index in the `-N` mode (rings are 0 .. MAX_PORT_RINGS-1). */
export const MAX_RING_INDEX = MAX_PORT_RINGS - 1;
/** Largest memId in `@N`, as in RegionOptions.memId. */
export const MAX_MEM_ID = 65535;

/** Which end of a pipe: `{` is the master, `}` the slave. */
export type PipeRole = 'master' | 'slave';

export interface PipeEndName {
  readonly role: PipeRole;
  /** The pipe number, 0 .. MAX_PIPE_ID. */
  readonly id: number;
}

/** Which traffic a monitor sees. */
export type MonitorMode = 'tx' | 'rx' | 'both';

export interface PortFlags {
  /** `/x`: exclusive open; a second open of the same end fails as busy. */
  readonly exclusive: boolean;
  /** `/t`, `/r`, `/tr`, `/z`: open a monitor of the named port, or null for the port itself. */
  readonly monitor: MonitorMode | null;
  /** `/z`: the monitor swaps buffers (zero copy) instead of copying. */
  readonly zeroCopy: boolean;
}

/** The `@conf:` keys, resolved. A key not given is absent (the opener picks the default). */
export interface PortConf {
  txRings?: number;
  rxRings?: number;
  txSlots?: number;
  rxSlots?: number;
  /** netmap's nr_extra_bufs. */
  extraBufs?: number;
}

export interface PortName {
  /** The text that was parsed. */
  readonly spec: string;
  /** `netmap` (also for the `pipe{N` short form), `vale`, or null for an options-only spec. */
  readonly subsystem: 'netmap' | 'vale' | null;
  /** The VALE switch (`vale0`; `vale` is the default switch), or null. */
  readonly switchName: string | null;
  /** The port identifier (`eth0`, `p1`; `pipe` for `pipe{N`), or null for an options-only spec. */
  readonly port: string | null;
  /** The pipe end named, or null when the name is not a pipe. */
  readonly pipe: PipeEndName | null;
  /**
   * The name without mode, flags and options, as netmap puts it in `nr_name`:
   * `pipe{3`, `eth0{3` (the `netmap:` prefix is dropped), `vale0:p1`, or ''
   * for an options-only spec. At most NAME_MAX_BYTES characters.
   */
  readonly name: string;
  /** `-N`: bind only ring pair N, or null for all rings. */
  readonly ring: number | null;
  /** `@N`: the memId of the region to open the port in, or null for any. */
  readonly memId: number | null;
  readonly flags: PortFlags;
  readonly options: PortConf;
}

const NETMAP_PREFIX = 'netmap';
const VALE_PREFIX = 'vale';
const PIPE_PREFIX = 'pipe';

/** Options libnetmap knows and we refuse, with the reason. */
const UNSUPPORTED_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['share', 'the region is given explicitly when opening a port'],
  ['extmem', 'external memory is given with RegionOptions.sab'],
  ['offset', 'per-slot offsets are a pipe option (maxOffset)'],
]);

type ConfKey = 'rings' | 'tx_rings' | 'rx_rings' | 'slots' | 'tx_slots' | 'rx_slots' | 'extra_bufs';
const CONF_KEYS: ReadonlySet<string> = new Set<ConfKey>([
  'rings',
  'tx_rings',
  'rx_rings',
  'slots',
  'tx_slots',
  'rx_slots',
  'extra_bufs',
]);
const HOST_KEYS: ReadonlySet<string> = new Set(['host_rings', 'host_tx_rings', 'host_rx_rings']);

function isIdentChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || // 0-9
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    c === 0x5f // _
  );
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Parser state over one spec; every failure throws PortNameError with the index. */
class Scanner {
  pos = 0;
  constructor(readonly s: string) {}

  fail(reason: string, at: number = this.pos): never {
    throw new PortNameError(this.s, reason, at);
  }

  get done(): boolean {
    return this.pos >= this.s.length;
  }

  peek(): number {
    return this.pos < this.s.length ? this.s.charCodeAt(this.pos) : -1;
  }

  /** Reads `[A-Za-z0-9_]*` up to `end`; fails at the first other character. */
  ident(end: number, what: string): string {
    const start = this.pos;
    for (; this.pos < end; this.pos++) {
      if (!isIdentChar(this.s.charCodeAt(this.pos))) {
        this.fail(
          `${what} may contain only letters, digits and '_' (found ${JSON.stringify(this.s[this.pos])})`,
        );
      }
    }
    if (this.pos === start) this.fail(`${what} is empty`);
    return this.s.slice(start, end);
  }

  /** Reads a decimal number without sign or leading zero and checks it against lo..hi. */
  number(what: string, lo: number, hi: number): number {
    const start = this.pos;
    while (isDigit(this.peek())) this.pos++;
    if (this.pos === start) this.fail(`${what} must be a decimal number`);
    const text = this.s.slice(start, this.pos);
    if (text.length > 1 && text.charCodeAt(0) === 0x30) {
      this.fail(`${what} must be written without leading zeros (got ${text})`, start);
    }
    const v = text.length > 10 ? Infinity : Number(text);
    if (v < lo || v > hi) this.fail(`${what} must be ${lo} .. ${hi} (got ${text})`, start);
    return v;
  }
}

interface PortPart {
  subsystem: 'netmap' | 'vale';
  switchName: string | null;
  port: string;
  pipe: PipeEndName | null;
  name: string;
}

/** The characters that end a vpname (libnetmap's separator set "-*^/@"). */
function vpnameEnd(s: string, from: number): number {
  let i = from;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '-' || c === '*' || c === '^' || c === '/' || c === '@') break;
  }
  return i;
}

function parsePort(sc: Scanner): PortPart {
  const s = sc.s;
  let subsystem: 'netmap' | 'vale';
  let switchName: string | null = null;
  let nameStart: number;
  if (s.startsWith(NETMAP_PREFIX)) {
    subsystem = 'netmap';
    sc.pos = NETMAP_PREFIX.length;
    if (sc.peek() !== 0x3a /* : */) {
      if (s.indexOf(':', sc.pos) < 0) sc.fail(`missing ':' after '${NETMAP_PREFIX}'`, -1);
      sc.fail(`no identifier is allowed between '${NETMAP_PREFIX}' and ':'`);
    }
    sc.pos++;
    nameStart = sc.pos; // netmap drops its prefix from nr_name
  } else if (s.startsWith(VALE_PREFIX)) {
    subsystem = 'vale';
    const colon = s.indexOf(':');
    if (colon < 0) sc.fail(`missing ':' after the VALE switch name`, -1);
    sc.pos = VALE_PREFIX.length;
    if (colon > sc.pos) sc.ident(colon, 'the VALE switch name');
    switchName = s.slice(0, colon);
    sc.pos = colon + 1;
    nameStart = 0; // VALE names keep the switch in nr_name
  } else if (s.startsWith(PIPE_PREFIX) && (s[4] === '{' || s[4] === '}')) {
    subsystem = 'netmap'; // 'pipe{N' is short for 'netmap:pipe{N'
    nameStart = 0;
  } else {
    return sc.fail(
      `unknown or missing subsystem: a port name begins with 'netmap:', 'vale…:', 'pipe{' or 'pipe}'`,
      0,
    );
  }

  const vpStart = sc.pos;
  const end = vpnameEnd(s, vpStart);
  let sep = vpStart;
  while (sep < end && s[sep] !== '{' && s[sep] !== '}') sep++;
  const port = sc.ident(sep, 'the port name');
  let pipe: PipeEndName | null = null;
  if (sep < end) {
    const role: PipeRole = s[sep] === '{' ? 'master' : 'slave';
    sc.pos = sep + 1;
    if (sc.pos === end) sc.fail('the pipe number is missing');
    const id = sc.number('the pipe number', 0, MAX_PIPE_ID);
    if (sc.pos !== end) {
      sc.fail(`unexpected ${JSON.stringify(s[sc.pos])} after the pipe number`);
    }
    pipe = { role, id };
  }
  const name = s.slice(nameStart, end);
  if (name.length > NAME_MAX_BYTES) {
    sc.fail(`the name is ${name.length} characters long; the limit is ${NAME_MAX_BYTES}`, -1);
  }
  sc.pos = end;
  return { subsystem, switchName, port, pipe, name };
}

interface Suffix {
  ring: number | null;
  memId: number | null;
  flags: PortFlags;
}

/** Mode, flags and memId (libnetmap's nmreq_register_decode); stops at the options. */
function parseSuffix(sc: Scanner): Suffix {
  let ring: number | null = null;
  let memId: number | null = null;
  let exclusive = false;
  let tx = false;
  let rx = false;
  let zeroCopy = false;

  const c0 = sc.peek();
  if (c0 === 0x2d /* - */) {
    sc.pos++;
    ring = sc.number('the ring index after "-"', 0, MAX_RING_INDEX);
  } else if (c0 === 0x2a /* * */ || c0 === 0x5e /* ^ */) {
    sc.fail(
      'host rings (modes "*", "^", "^N") are not supported: pktfabric ports have no host stack',
    );
  }

  for (;;) {
    const c = sc.peek();
    if (c === 0x2f /* / */) {
      const slash = sc.pos++;
      while (!sc.done && sc.peek() !== 0x40 /* @ */) {
        const f = sc.s[sc.pos]!;
        let seen: boolean;
        switch (f) {
          case 'x':
            seen = exclusive;
            exclusive = true;
            break;
          case 't':
            seen = tx;
            tx = true;
            break;
          case 'r':
            seen = rx;
            rx = true;
            break;
          case 'z':
            seen = zeroCopy;
            zeroCopy = true;
            break;
          case 'R':
          case 'T':
            return sc.fail(`flag '${f}' (bind only RX or TX rings) is not supported`);
          default:
            return sc.fail(`unknown flag ${JSON.stringify(f)} (flags are x, t, r, z)`);
        }
        if (seen) sc.fail(`flag '${f}' is given twice`);
        sc.pos++;
      }
      if (sc.pos === slash + 1) sc.fail('"/" must be followed by at least one flag', slash);
    } else if (c === 0x40 /* @ */ && isDigit(sc.s.charCodeAt(sc.pos + 1))) {
      sc.pos++;
      const at = sc.pos;
      const id = sc.number('the memId after "@"', 1, MAX_MEM_ID);
      if (memId !== null && memId !== id) {
        sc.fail(`memId set to ${id} but already set to ${memId}`, at);
      }
      memId = id;
    } else if (c === 0x40 /* @ */ || c === -1) {
      break; // options, or the end
    } else {
      sc.fail(
        `unexpected ${JSON.stringify(sc.s[sc.pos])} (expected "/flags", "@memId" or "@option")`,
      );
    }
  }
  const monitor: MonitorMode | null =
    tx && rx ? 'both' : tx ? 'tx' : rx ? 'rx' : zeroCopy ? 'both' : null;
  return { ring, memId, flags: { exclusive, monitor, zeroCopy } };
}

function isPowerOfTwo(v: number): boolean {
  return v > 0 && (v & (v - 1)) === 0;
}

/** `@option…` up to the end (libnetmap's nmreq_options_decode). */
function parseOptions(sc: Scanner): PortConf {
  const s = sc.s;
  const conf: PortConf = {};
  const given = new Map<string, number>();
  const seenOptions = new Set<string>();
  while (!sc.done) {
    // sc.peek() is '@' here
    const optStart = ++sc.pos;
    let i = optStart;
    while (i < s.length && s[i] !== ':' && s[i] !== '=' && s[i] !== '@') i++;
    const opt = s.slice(optStart, i);
    if (opt.length === 0) sc.fail('empty option after "@"', optStart - 1);
    const unsupported = UNSUPPORTED_OPTIONS.get(opt);
    if (unsupported !== undefined) {
      sc.fail(`option '${opt}' is not supported: ${unsupported}`, optStart);
    }
    if (opt !== 'conf') sc.fail(`unknown option ${JSON.stringify(opt)} (known: conf)`, optStart);
    if (seenOptions.has(opt)) sc.fail(`option '${opt}' is given twice`, optStart);
    seenOptions.add(opt);
    if (s[i] !== ':') {
      sc.fail(
        s[i] === '='
          ? `option 'conf' takes key=value pairs: '@conf:rings=2'`
          : `option 'conf' needs ':key=value,…'`,
        i,
      );
    }
    sc.pos = i + 1;
    // key=value (',' key=value)* up to the next '@' or the end
    for (;;) {
      const keyStart = sc.pos;
      let k = keyStart;
      while (k < s.length && s[k] !== '=' && s[k] !== ',' && s[k] !== '@') k++;
      const rawKey = s.slice(keyStart, k);
      const key = rawKey.replaceAll('-', '_');
      if (rawKey.length === 0) sc.fail(`option 'conf': empty key`, keyStart);
      if (HOST_KEYS.has(key)) {
        sc.fail(`option 'conf': key '${rawKey}' is not supported (no host rings)`, keyStart);
      }
      if (!CONF_KEYS.has(key)) {
        sc.fail(
          `option 'conf': unknown key ${JSON.stringify(rawKey)} (known: rings, tx-rings, rx-rings, slots, tx-slots, rx-slots, extra-bufs)`,
          keyStart,
        );
      }
      if (given.has(key)) sc.fail(`option 'conf': key '${rawKey}' is given twice`, keyStart);
      if (s[k] !== '=') sc.fail(`option 'conf': key '${rawKey}' needs '=value'`, k);
      sc.pos = k + 1;
      const what = `conf key '${rawKey}'`;
      let v: number;
      if (key === 'extra_bufs') {
        v = sc.number(what, 0, MAX_BUF_COUNT);
      } else if (key.endsWith('rings')) {
        v = sc.number(what, 1, MAX_PORT_RINGS);
      } else {
        const at = sc.pos;
        v = sc.number(what, MIN_RING_SLOTS, MAX_RING_SLOTS);
        if (!isPowerOfTwo(v)) sc.fail(`${what} must be a power of two (got ${v})`, at);
      }
      given.set(key, v);
      const c = sc.peek();
      if (c === 0x2c /* , */) {
        sc.pos++;
        continue;
      }
      if (c === -1 || c === 0x40 /* @ */) break;
      sc.fail(
        `option 'conf': unexpected ${JSON.stringify(s[sc.pos])} after the value of '${rawKey}'`,
      );
    }
  }
  // Less specific keys first; the specific ones override them (libnetmap's order).
  const rings = given.get('rings');
  const slots = given.get('slots');
  const txRings = given.get('tx_rings') ?? rings;
  const rxRings = given.get('rx_rings') ?? rings;
  const txSlots = given.get('tx_slots') ?? slots;
  const rxSlots = given.get('rx_slots') ?? slots;
  const extraBufs = given.get('extra_bufs');
  if (txRings !== undefined) conf.txRings = txRings;
  if (rxRings !== undefined) conf.rxRings = rxRings;
  if (txSlots !== undefined) conf.txSlots = txSlots;
  if (rxSlots !== undefined) conf.rxSlots = rxSlots;
  if (extraBufs !== undefined) conf.extraBufs = extraBufs;
  return conf;
}

/**
 * Parses a port name such as `pipe{3`, `pipe}3/x`, `vale0:p1/t`,
 * `netmap:eth0{3`, `vale0:p1/x@conf:rings=2` or `@conf:rings=2,slots=1024`
 * (see the grammar at the top of this file). Throws PortNameError, whose
 * `at` points at the offending character, for anything else. Allocates the
 * result; meant for setup, not per-packet paths.
 */
export function parsePortName(spec: string): PortName {
  if (typeof spec !== 'string') {
    throw new PortNameError(String(spec), `expected a string, got ${typeof spec}`);
  }
  if (spec.length === 0) throw new PortNameError(spec, 'the name is empty');
  if (spec.length > MAX_PORT_SPEC_CHARS) {
    throw new PortNameError(
      spec.slice(0, 40) + '…',
      `${spec.length} characters is longer than the limit of ${MAX_PORT_SPEC_CHARS}`,
    );
  }
  const sc = new Scanner(spec);
  if (spec.charCodeAt(0) === 0x40 /* @ */) {
    if (isDigit(spec.charCodeAt(1))) sc.fail('"@memId" needs a port name before it', 0);
    const options = parseOptions(sc);
    return {
      spec,
      subsystem: null,
      switchName: null,
      port: null,
      pipe: null,
      name: '',
      ring: null,
      memId: null,
      flags: { exclusive: false, monitor: null, zeroCopy: false },
      options,
    };
  }
  const port = parsePort(sc);
  const suffix = parseSuffix(sc);
  const options = parseOptions(sc);
  return { spec, ...port, ...suffix, options };
}

/**
 * Formats a parsed name back into a spec that `parsePortName` reads to an
 * equal structure (`netmap:` is written out, flags in the order x t r z,
 * options as one `@conf:`). Allocates.
 */
export function formatPortName(p: PortName): string {
  let out = '';
  if (p.subsystem === 'netmap')
    out = p.port === PIPE_PREFIX && p.pipe ? p.name : `netmap:${p.name}`;
  else if (p.subsystem === 'vale') out = p.name;
  if (p.ring !== null) out += `-${p.ring}`;
  const f = p.flags;
  let flags = f.exclusive ? 'x' : '';
  if (f.monitor === 'tx' || (f.monitor === 'both' && !f.zeroCopy)) flags += 't';
  if (f.monitor === 'rx' || (f.monitor === 'both' && !f.zeroCopy)) flags += 'r';
  if (f.zeroCopy) flags += 'z';
  if (flags !== '') out += `/${flags}`;
  if (p.memId !== null) out += `@${p.memId}`;
  const o = p.options;
  const kv: string[] = [];
  if (o.txRings !== undefined) kv.push(`tx-rings=${o.txRings}`);
  if (o.rxRings !== undefined) kv.push(`rx-rings=${o.rxRings}`);
  if (o.txSlots !== undefined) kv.push(`tx-slots=${o.txSlots}`);
  if (o.rxSlots !== undefined) kv.push(`rx-slots=${o.rxSlots}`);
  if (o.extraBufs !== undefined) kv.push(`extra-bufs=${o.extraBufs}`);
  if (kv.length > 0) out += `@conf:${kv.join(',')}`;
  return out;
}
