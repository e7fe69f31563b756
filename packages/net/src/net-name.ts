/**
 * Network port names: `zmq:ENDPOINT[@opt,opt,...]`.
 *
 * ENDPOINT is a ZeroMQ endpoint, `tcp://HOST:PORT` (HOST an address, a name
 * or `*` for every interface when binding; PORT 1..65535, or `*`/0 for one
 * the system picks when binding) or `ipc://PATH`. Options: `in` / `out` / `both`,
 * `bind` / `connect`, `lossless` / `fanout`, `hwm=N`, `batch=N`,
 * `timeout=MS`. Examples: `zmq:tcp://127.0.0.1:5555`,
 * `zmq:tcp://*:5555@out,fanout`, `zmq:tcp://10.0.0.2:5555@in,timeout=1000`.
 */
import {
  MAX_BATCH,
  MAX_HWM,
  MAX_PEER_TIMEOUT_MS,
  MIN_PEER_TIMEOUT_MS,
  type NetName,
} from './api.js';
import { NetNameError } from './errors.js';

export const NET_PREFIX = 'zmq:';

/** True when `name` is a network port name (starts with `zmq:`). */
export function isNetName(name: string): boolean {
  return typeof name === 'string' && name.startsWith(NET_PREFIX);
}

const HOST = /^(\*|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$/;

/** Parses a network port name; throws NetNameError naming the problem and where. Allocates. */
export function parseNetName(name: string): NetName {
  if (typeof name !== 'string') throw new NetNameError(String(name), 'not a string');
  if (!name.startsWith(NET_PREFIX))
    throw new NetNameError(name, `a network port name starts with "${NET_PREFIX}"`, 0);
  const at = name.indexOf('@', NET_PREFIX.length);
  const endpoint = name.slice(NET_PREFIX.length, at < 0 ? name.length : at);
  const out: NetName = parseEndpoint(name, endpoint);
  if (at >= 0) parseOptions(name, at + 1, out);
  return out;
}

function parseEndpoint(name: string, ep: string): NetName {
  const base = NET_PREFIX.length;
  if (ep.startsWith('ipc://')) {
    if (ep.length === 6) throw new NetNameError(name, 'ipc:// needs a path', base + 6);
    return { endpoint: ep, transport: 'ipc' };
  }
  if (!ep.startsWith('tcp://'))
    throw new NetNameError(name, 'the endpoint must start with tcp:// or ipc://', base);
  const hp = ep.slice(6);
  const colon = hp.lastIndexOf(':');
  if (colon <= 0) throw new NetNameError(name, 'tcp:// needs HOST:PORT', base + 6);
  const host = hp.slice(0, colon);
  const port = hp.slice(colon + 1);
  if (!HOST.test(host))
    throw new NetNameError(name, 'HOST must be an address, a host name or *', base + 6);
  if (port !== '*' && !(/^[0-9]{1,5}$/.test(port) && Number(port) <= 65535))
    throw new NetNameError(name, 'PORT must be 0 .. 65535 or *', base + 6 + colon + 1);
  return { endpoint: ep, transport: 'tcp' };
}

function parseOptions(name: string, from: number, out: NetName): void {
  let pos = from;
  for (const opt of name.slice(from).split(',')) {
    const eq = opt.indexOf('=');
    const key = eq < 0 ? opt : opt.slice(0, eq);
    const val = eq < 0 ? '' : opt.slice(eq + 1);
    const num = (lo: number, hi: number): number => {
      if (!/^[0-9]+$/.test(val) || Number(val) < lo || Number(val) > hi)
        throw new NetNameError(name, `${key}= must be an integer ${lo} .. ${hi}`, pos + eq + 1);
      return Number(val);
    };
    const flag = (): void => {
      if (eq >= 0) throw new NetNameError(name, `${key} takes no value`, pos + eq);
    };
    switch (key) {
      case 'in':
      case 'out':
      case 'both':
        flag();
        out.direction = key;
        break;
      case 'bind':
      case 'connect':
        flag();
        out.bind = key === 'bind';
        break;
      case 'lossless':
      case 'fanout':
        flag();
        out.mode = key;
        break;
      case 'hwm':
        out.hwm = num(1, MAX_HWM);
        break;
      case 'batch':
        out.maxBatch = num(1, MAX_BATCH);
        break;
      case 'timeout':
        out.peerTimeoutMs = num(MIN_PEER_TIMEOUT_MS, MAX_PEER_TIMEOUT_MS);
        break;
      default:
        throw new NetNameError(
          name,
          `unknown option ${JSON.stringify(key)} (in, out, both, bind, connect, lossless, fanout, hwm=, batch=, timeout=)`,
          pos,
        );
    }
    pos += opt.length + 1;
  }
}
