/** pktgen's options (library form), their defaults, and validation. */
import { OptionError } from '@pktfabric/core';
import { checkFrameLen, type FrameOptions } from '../frames/frame-writer.js';

export const PKTGEN_MODES = ['tx', 'rx', 'txseq', 'rxseq', 'ping', 'pong'] as const;
export type PktgenMode = (typeof PKTGEN_MODES)[number];

/** The mode that serves as the other end of each mode in `--pair` and when none is given. */
export const PEER_MODE: Record<PktgenMode, PktgenMode> = {
  tx: 'rx',
  rx: 'tx',
  txseq: 'rxseq',
  rxseq: 'txseq',
  ping: 'pong',
  pong: 'ping',
};

export interface PktgenOptions {
  /** What this end does (pkt-gen's `-f`). */
  mode: PktgenMode;
  /** Port to open, e.g. `pipe{1` or `pipe}1` (pkt-gen's `-i`). */
  port: string;
  /** Frame size in bytes, 60..1514, or an inclusive [min, max] range drawn at random per packet (`-l`, twice). @defaultValue 60 */
  size?: number | readonly [number, number];
  /** Packets per sync (`-b`). @defaultValue 512; 1 for ping and pong */
  burst?: number;
  /** Packets to send or receive, 0 for no limit (`-n`). @defaultValue 0 */
  count?: number;
  /** Packets per second for the sending modes, 0 for as fast as possible (`-R`). @defaultValue 0 */
  rate?: number;
  /** Interval between report lines in ms, 0 for none (`-T`). @defaultValue 1000 */
  reportMs?: number;
  /** Seconds to wait for the peer end to open before starting the clock, 0 to start at once (`-w`). @defaultValue 0 */
  waitSec?: number;
  /** Seed of the frame-size generator for a size range. @defaultValue 1 */
  seed?: number;
  /** txseq: never send this sequence number, to show that rxseq reports the gap. @defaultValue -1 (none) */
  injectGap?: number;
  /** ping: how long to wait for the replies of one burst before counting them lost. @defaultValue 1000 */
  pingTimeoutMs?: number;
  /** Addresses and checksum options of the frames. */
  frame?: FrameOptions;
}

export interface ResolvedPktgenOptions {
  mode: PktgenMode;
  port: string;
  sizeMin: number;
  sizeMax: number;
  burst: number;
  count: number;
  rate: number;
  reportMs: number;
  waitSec: number;
  seed: number;
  injectGap: number;
  pingTimeoutMs: number;
  frame: FrameOptions;
}

function intIn(v: unknown, name: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
    throw new OptionError(name, `an integer from ${lo} to ${hi}`, v);
  return v;
}

/** Fills in defaults and validates. Throws OptionError naming the option and its limit. */
export function resolvePktgenOptions(o: PktgenOptions): ResolvedPktgenOptions {
  if (o === null || typeof o !== 'object') throw new OptionError('options', 'an object', o);
  if (!(PKTGEN_MODES as readonly string[]).includes(o.mode))
    throw new OptionError('mode', `one of ${PKTGEN_MODES.join(', ')}`, o.mode);
  if (typeof o.port !== 'string' || o.port.length === 0)
    throw new OptionError('port', 'a port name such as pipe{1', o.port);
  const size = o.size ?? 60;
  let sizeMin: number;
  let sizeMax: number;
  if (typeof size === 'number') sizeMin = sizeMax = checkFrameLen(size, 'size');
  else {
    sizeMin = checkFrameLen(size[0], 'size');
    sizeMax = checkFrameLen(size[1], 'size');
    if (sizeMin > sizeMax) [sizeMin, sizeMax] = [sizeMax, sizeMin];
  }
  const pingish = o.mode === 'ping' || o.mode === 'pong';
  const rate = o.rate ?? 0;
  if (typeof rate !== 'number' || !(rate >= 0) || !Number.isFinite(rate))
    throw new OptionError('rate', 'a number of packets per second >= 0', rate);
  const waitSec = o.waitSec ?? 0;
  if (typeof waitSec !== 'number' || !(waitSec >= 0) || waitSec > 3600)
    throw new OptionError('waitSec', 'a number of seconds from 0 to 3600', waitSec);
  return {
    mode: o.mode,
    port: o.port,
    sizeMin,
    sizeMax,
    burst: intIn(o.burst ?? (pingish ? 1 : 512), 'burst', 1, 32768),
    count: intIn(o.count ?? 0, 'count', 0, Number.MAX_SAFE_INTEGER),
    rate,
    reportMs: intIn(o.reportMs ?? 1000, 'reportMs', 0, 3_600_000),
    waitSec,
    seed: intIn(o.seed ?? 1, 'seed', 0, 0xffffffff),
    injectGap: intIn(o.injectGap ?? -1, 'injectGap', -1, 0xffffffff),
    pingTimeoutMs: intIn(o.pingTimeoutMs ?? 1000, 'pingTimeoutMs', 1, 3_600_000),
    frame: { ...(o.frame ?? {}) },
  };
}
