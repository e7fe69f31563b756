/**
 * nmreplay's models (apps/nmreplay/nmreplay.c; REFERENCE.md 3.1), parsed
 * from their command-line spellings and applied packet by packet.
 *
 * Bandwidth `-B` gives each packet a transmission time tx:
 *   `RATE` or `constant,RATE`: tx = 8e9 * len / RATE ns (len: the wire length);
 *   `ether,RATE`: tx = 8e9 * (len + 24) / RATE (preamble, IFG and CRC);
 *   `real[,SPEEDUP]`: tx = the trace's gap to the previous packet / SPEEDUP
 *   (0 < SPEEDUP <= 1000). No -B is `real,1`.
 * The link serialises: packet i leaves the link at L_i = L_{i-1} + tx_i
 * (L_0 = tx_0; for `real`, L_0 = 0).
 * Delay `-D` adds d_i: `constant,D`, `uniform,MIN,MAX`, `exp,MEAN,MIN`
 * (MIN + an exponential of mean MEAN - MIN, so the mean is MEAN; nmreplay's
 * parser order). Times take a unit: n, u, m or s (a bare number is seconds).
 * Packets never reorder: exit E_i = max(L_i + d_i, E_{i-1} + tt_i), where
 * tt_i (nmreplay's cur_tt, the link time the packet takes) is tx_i for
 * `constant` and `ether` and 0 for `real` (no link rate). On a saturated
 * link (`constant`, `ether`) this turns varying delays into their running
 * maximum, as nmreplay's delay line does.
 * Loss `-L` is decided first, so a lost packet takes no link time:
 *   `plr,P` (or a bare P): each packet lost with probability P;
 *   `burst,P,MIN,MAX`: outside a burst each packet starts one with
 *   probability P; a burst loses MIN..MAX packets (uniform), counting the
 *   one that started it. (nmreplay only names this model.)
 */
import { OptionError } from '@pktfabric/core';
import { XorShift32 } from '@pktfabric/examples';

export type Bandwidth =
  | { kind: 'constant'; bps: number }
  | { kind: 'ether'; bps: number }
  | { kind: 'real'; speedup: number };
export type Delay =
  | { kind: 'none' }
  | { kind: 'constant'; ns: number }
  | { kind: 'uniform'; minNs: number; maxNs: number }
  | { kind: 'exp'; meanNs: number; minNs: number };
export type Loss =
  | { kind: 'none' }
  | { kind: 'plr'; p: number }
  | { kind: 'burst'; p: number; min: number; max: number };

/** Wire overhead `ether` adds per packet: 7 preamble + 1 SFD + 12 IFG + 4 CRC. */
export const ETHER_OVERHEAD_BYTES = 24;
export const MAX_SPEEDUP = 1000;

const RATE_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9 };
const TIME_UNITS: Record<string, number> = { '': 1e9, s: 1e9, m: 1e6, u: 1e3, n: 1 };

function num(opt: string, s: string | undefined, what: string): number {
  if (s === undefined || !/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s))
    throw new OptionError(opt, what, s ?? '(missing)');
  return Number(s);
}

/** A bit rate: a number with an optional k, m or g (10^3, 10^6, 10^9), over 0. */
export function parseRate(opt: string, s: string | undefined): number {
  const m = /^(.*?)([kmg]?)$/i.exec(s ?? '');
  const v =
    num(opt, m?.[1], 'a rate in bit/s, e.g. 10G or 100m') * RATE_UNITS[m![2]!.toLowerCase()]!;
  if (!(v > 0) || !Number.isFinite(v)) throw new OptionError(opt, 'a rate over 0 bit/s', s);
  return v;
}

/** A time in ns from a number with an optional unit n, u, m or s (bare = s). */
export function parseTime(opt: string, s: string | undefined): number {
  const m = /^(.*?)([nums]?)$/i.exec(s ?? '');
  const v = num(opt, m?.[1], 'a time, e.g. 10u, 1.5m or 0.002') * TIME_UNITS[m![2]!.toLowerCase()]!;
  if (!Number.isFinite(v)) throw new OptionError(opt, 'a finite time', s);
  return v;
}

export function parseBandwidth(spec: string): Bandwidth {
  const [kind, ...a] = spec.split(',');
  if (kind === 'real') {
    if (a.length > 1) throw new OptionError('-B', 'real or real,SPEEDUP', spec);
    const speedup = a.length === 0 ? 1 : num('-B', a[0], 'real,SPEEDUP with a number');
    if (!(speedup > 0 && speedup <= MAX_SPEEDUP))
      throw new OptionError('-B real speedup', `over 0 and at most ${MAX_SPEEDUP}`, a[0]);
    return { kind: 'real', speedup };
  }
  if (kind === 'constant' || kind === 'ether') {
    if (a.length !== 1) throw new OptionError('-B', `${kind},RATE`, spec);
    return { kind, bps: parseRate('-B', a[0]) };
  }
  if (a.length === 0 && kind !== undefined && /^[\d.]/.test(kind))
    return { kind: 'constant', bps: parseRate('-B', kind) };
  throw new OptionError('-B', 'constant,RATE, ether,RATE or real[,SPEEDUP]', spec);
}

export function parseDelay(spec: string): Delay {
  const [kind, ...a] = spec.split(',');
  if (kind === 'constant' && a.length === 1) return { kind, ns: parseTime('-D', a[0]) };
  if (kind === 'uniform' && a.length === 2) {
    const minNs = parseTime('-D', a[0]);
    const maxNs = parseTime('-D', a[1]);
    if (maxNs < minNs) throw new OptionError('-D uniform MAX', `at least MIN (${a[0]})`, a[1]);
    return { kind, minNs, maxNs };
  }
  if (kind === 'exp' && a.length === 2) {
    const meanNs = parseTime('-D', a[0]);
    const minNs = parseTime('-D', a[1]);
    if (meanNs < minNs) throw new OptionError('-D exp MEAN', `at least MIN (${a[1]})`, a[0]);
    return { kind, meanNs, minNs };
  }
  if (a.length === 0 && kind !== undefined && /^[\d.]/.test(kind))
    return { kind: 'constant', ns: parseTime('-D', kind) };
  throw new OptionError('-D', 'constant,D, uniform,MIN,MAX or exp,MEAN,MIN', spec);
}

function prob(opt: string, s: string | undefined): number {
  const p = num(opt, s, 'a probability from 0 to 1');
  if (p > 1) throw new OptionError(opt, 'a probability from 0 to 1', s);
  return p;
}

export function parseLoss(spec: string): Loss {
  const [kind, ...a] = spec.split(',');
  if (kind === 'plr' && a.length === 1) return { kind, p: prob('-L plr', a[0]) };
  if (kind === 'burst' && a.length === 3) {
    const p = prob('-L burst', a[0]);
    const min = num('-L burst MIN', a[1], 'an integer >= 1');
    const max = num('-L burst MAX', a[2], 'an integer >= MIN');
    if (!Number.isInteger(min) || min < 1)
      throw new OptionError('-L burst MIN', 'an integer >= 1', a[1]);
    if (!Number.isInteger(max) || max < min)
      throw new OptionError('-L burst MAX', `an integer >= MIN (${min})`, a[2]);
    return { kind, p, min, max };
  }
  if (a.length === 0 && kind !== undefined && /^[\d.]/.test(kind))
    return { kind: 'plr', p: prob('-L', kind) };
  throw new OptionError('-L', 'plr,P or burst,P,MIN,MAX', spec);
}

/** One packet of a trace, as the models see it. */
export interface TracePacket {
  /** Length on the wire (what tx time is computed from and what is sent). */
  len: number;
  /** Capture time relative to the trace's first packet, ns. */
  tsNs: number;
}

/**
 * The models applied to a trace played `rounds` times: `next()` gives the
 * next packet that is not lost and the time (ns from the start) it is due
 * to leave. Between rounds, the `real` gap is the trace's mean gap. Does not
 * allocate.
 */
export class Schedule {
  /** Index in the trace of the packet `next()` returned. */
  index = -1;
  /** Its exit time, ns from the start. */
  dueNs = 0;
  /** Packets lost so far, and burst-loss events. */
  lost = 0;
  bursts = 0;
  /** Packets handed out so far. */
  passed = 0;
  private round = 0;
  private pos = 0;
  private link = 0;
  private exit = -Infinity;
  private burstLeft = 0;
  private readonly meanGapNs: number;

  constructor(
    private readonly trace: readonly TracePacket[],
    private readonly rounds: number,
    private readonly bw: Bandwidth,
    private readonly delay: Delay,
    private readonly loss: Loss,
    private readonly rng: XorShift32,
  ) {
    if (!Number.isInteger(rounds) || rounds < 1)
      throw new OptionError('rounds', 'an integer >= 1', rounds);
    const n = trace.length;
    this.meanGapNs = n > 1 ? (trace[n - 1]!.tsNs - trace[0]!.tsNs) / (n - 1) : 0;
  }

  /** Advances to the next packet that is not lost; false at the end. */
  next(): boolean {
    const trace = this.trace;
    for (;;) {
      if (this.pos === trace.length) {
        this.pos = 0;
        this.round++;
      }
      if (this.round === this.rounds || trace.length === 0) return false;
      const i = this.pos++;
      const first = i === 0 && this.round === 0;
      if (this.lose()) {
        this.lost++;
        continue;
      }
      const p = trace[i]!;
      const bw = this.bw;
      let tx: number;
      if (bw.kind === 'real') {
        const gap = first ? 0 : i === 0 ? this.meanGapNs : p.tsNs - trace[i - 1]!.tsNs;
        tx = gap / bw.speedup;
      } else {
        const bits = 8 * (p.len + (bw.kind === 'ether' ? ETHER_OVERHEAD_BYTES : 0));
        tx = (bits * 1e9) / bw.bps;
      }
      this.link += tx;
      const e = this.link + this.delayNs();
      // The output link needs tx after the previous exit; `real` has no link rate (tt 0).
      const floor = this.exit + (bw.kind === 'real' ? 0 : tx);
      this.exit = e > floor ? e : floor;
      this.index = i;
      this.dueNs = this.exit;
      this.passed++;
      return true;
    }
  }

  private lose(): boolean {
    const l = this.loss;
    if (l.kind === 'none') return false;
    if (l.kind === 'plr') return l.p > 0 && this.rng.float() < l.p;
    if (this.burstLeft > 0) {
      this.burstLeft--;
      return true;
    }
    if (l.p > 0 && this.rng.float() < l.p) {
      this.bursts++;
      this.burstLeft = l.min + this.rng.below(l.max - l.min + 1) - 1;
      return true;
    }
    return false;
  }

  private delayNs(): number {
    const d = this.delay;
    switch (d.kind) {
      case 'none':
        return 0;
      case 'constant':
        return d.ns;
      case 'uniform':
        return d.minNs + this.rng.float() * (d.maxNs - d.minNs);
      case 'exp':
        return d.minNs - (d.meanNs - d.minNs) * Math.log(1 - this.rng.float());
    }
  }
}
