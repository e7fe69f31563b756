/** Resolving a network port's name and options into one checked configuration. */
import { checkOpenOptions, OptionError } from '@pktfabric/core';
import {
  DEFAULT_HWM,
  DEFAULT_LINGER_MS,
  DEFAULT_MAX_BATCH,
  DEFAULT_PEER_TIMEOUT_MS,
  MAX_BATCH,
  MAX_HWM,
  MAX_LINGER_MS,
  MAX_PEER_TIMEOUT_MS,
  MIN_PEER_TIMEOUT_MS,
  type NetDirection,
  type NetMode,
  type NetOpenOptions,
} from './api.js';
import { parseNetName } from './net-name.js';

export interface ResolvedNet {
  endpoint: string;
  direction: NetDirection;
  mode: NetMode;
  bind: boolean;
  hwm: number;
  maxBatch: number;
  peerTimeoutMs: number;
  waitPeerMs: number;
  lingerMs: number;
  slots?: number;
  spin?: number;
  regionName?: string;
}

function int(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
    throw new OptionError(name, `an integer from ${lo} to ${hi}`, v);
  return v;
}

/** Name first, then the options object (its fields win). Throws NetNameError or OptionError. Allocates. */
export function resolveNet(name: string, opts: NetOpenOptions): ResolvedNet {
  if (opts === null || typeof opts !== 'object')
    throw new OptionError('opts', 'an object of network port options', opts);
  const open = checkOpenOptions({ ...(opts.spin !== undefined ? { spin: opts.spin } : {}) });
  const nm = parseNetName(name);
  const direction = opts.direction ?? nm.direction;
  if (direction !== 'in' && direction !== 'out' && direction !== 'both')
    throw new OptionError(
      'direction',
      '"in", "out" or "both" (in the name, e.g. zmq:tcp://host:5555@out, or in the options)',
      direction,
    );
  const mode = opts.mode ?? nm.mode ?? 'lossless';
  if (mode !== 'lossless' && mode !== 'fanout')
    throw new OptionError('mode', '"lossless" or "fanout"', mode);
  if (direction === 'both' && mode !== 'lossless')
    throw new OptionError('mode', '"lossless" for a port used both ways (a PAIR socket)', mode);
  const bind = opts.bind ?? nm.bind ?? direction === 'out';
  if (typeof bind !== 'boolean') throw new OptionError('bind', 'a boolean', bind);
  if (!bind && /^tcp:\/\/\*:/.test(nm.endpoint))
    throw new OptionError('endpoint', 'a host to connect to (* only binds)', nm.endpoint);
  if (!bind && /:(\*|0)$/.test(nm.endpoint) && nm.transport === 'tcp')
    throw new OptionError('endpoint', 'a port to connect to (* and 0 only bind)', nm.endpoint);
  const r: ResolvedNet = {
    endpoint: nm.endpoint,
    direction,
    mode,
    bind,
    hwm: int('hwm', opts.hwm ?? nm.hwm ?? DEFAULT_HWM, 1, MAX_HWM),
    maxBatch: int('maxBatch', opts.maxBatch ?? nm.maxBatch ?? DEFAULT_MAX_BATCH, 1, MAX_BATCH),
    peerTimeoutMs: int(
      'peerTimeoutMs',
      opts.peerTimeoutMs ?? nm.peerTimeoutMs ?? DEFAULT_PEER_TIMEOUT_MS,
      MIN_PEER_TIMEOUT_MS,
      MAX_PEER_TIMEOUT_MS,
    ),
    waitPeerMs: int('waitPeerMs', opts.waitPeerMs ?? 0, 0, MAX_PEER_TIMEOUT_MS),
    lingerMs: int('lingerMs', opts.lingerMs ?? DEFAULT_LINGER_MS, 0, MAX_LINGER_MS),
  };
  if (opts.slots !== undefined) r.slots = opts.slots;
  if (open.spin !== undefined) r.spin = open.spin;
  if (opts.regionName !== undefined) {
    if (typeof opts.regionName !== 'string' || opts.regionName === '')
      throw new OptionError('regionName', 'the name of a shared region', opts.regionName);
    r.regionName = opts.regionName;
  }
  return r;
}
