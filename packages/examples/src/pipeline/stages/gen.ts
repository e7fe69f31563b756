/** gen's parameters: what frames to make, how many, how fast. */
import { OptionError } from '@pktfabric/core';
import { parseRange } from '../../frames/addresses.js';
import type { FrameOptions } from '../../frames/frame-writer.js';
import { MAX_FRAME_BYTES, MIN_FRAME_BYTES } from '../../frames/frame-layout.js';

export const GEN_PARAMS = [
  'size',
  'count',
  'rate',
  'burst',
  'seed',
  'sport',
  'dport',
  'src',
  'dst',
  'smac',
  'dmac',
  'udp-checksum',
] as const;

export interface GenConfig {
  sizeMin: number;
  sizeMax: number;
  /** Packets in all (split over replicas), 0 = until stopped. */
  count: number;
  /** Packets per second in all (split over replicas), 0 = unlimited. */
  rate: number;
  /** Packets per sync, 0 = the pipeline's burst. */
  burst: number;
  seed: number;
  frame: FrameOptions;
}

function int(params: Record<string, string>, key: string, dflt: number, max: number): number {
  const t = params[key];
  if (t === undefined) return dflt;
  const v = /^\d+$/.test(t) ? Number(t) : NaN;
  if (!(v >= 0 && v <= max)) throw new OptionError(key, `an integer from 0 to ${max}`, t);
  return v;
}

/**
 * Reads gen's parameters: `size=60` or `size=60-1514` (random per packet),
 * `count=N` (0 = until stopped), `rate=PPS`, `burst=N`, `seed=N`,
 * `sport=`/`dport=` (a port or a range cycled through), `src=`/`dst=` (IPv4),
 * `smac=`/`dmac=`, `udp-checksum=1`. Throws OptionError.
 */
export function resolveGen(params: Record<string, string>): GenConfig {
  const size = parseRange(params.size ?? '60', 'size', MIN_FRAME_BYTES, MAX_FRAME_BYTES);
  const frame: FrameOptions = {
    sport: params.sport,
    dport: params.dport,
    srcIp: params.src,
    dstIp: params.dst,
    srcMac: params.smac,
    dstMac: params.dmac,
    udpChecksum: params['udp-checksum'] === '1' || params['udp-checksum'] === 'true',
  };
  return {
    sizeMin: size.min,
    sizeMax: size.max,
    count: int(params, 'count', 0, Number.MAX_SAFE_INTEGER),
    rate: int(params, 'rate', 0, 1e10),
    burst: int(params, 'burst', 0, 32768),
    seed: int(params, 'seed', 1, 0xffffffff),
    frame,
  };
}

/** The share of `total` that replica `r` of `n` takes (earlier replicas take the remainder). */
export function share(total: number, r: number, n: number): number {
  const base = Math.floor(total / n);
  return base + (r < total - base * n ? 1 : 0);
}
