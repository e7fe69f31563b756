/**
 * Network ends of a pipeline: `zmq-in endpoint=...` may start a stage list
 * and `zmq-out endpoint=...` may end one. They run no worker: the stage next
 * to one opens a network port (@pktfabric/net) instead of a pipe, so
 * `gen | swap-mac | zmq-out endpoint=tcp://*:5555` on one host and
 * `zmq-in endpoint=tcp://HOST:5555 | count` on another is two commands.
 *
 * Parameters: `endpoint` (a ZeroMQ endpoint, required), `mode` (lossless or
 * fanout, default lossless), `bind` (1 / 0; default: zmq-out binds, zmq-in
 * connects), `timeout` (ms without a peer before the end is hung up, 3000).
 */
import { NetNameError, parseNetName } from '@pktfabric/net';
import { SpecError } from '../errors.js';
import type { PipelineSpec, StageSpec } from './spec.js';

export const NET_END_KINDS = ['zmq-in', 'zmq-out'] as const;
export const NET_END_PARAMS = ['endpoint', 'mode', 'bind', 'timeout'];

export interface SplitSpec {
  /** The stages that run in workers. */
  spec: PipelineSpec;
  /** Port name the first worker stage reads, when the list starts with zmq-in. */
  netIn: string | null;
  /** Port name the last worker stage writes, when the list ends with zmq-out. */
  netOut: string | null;
}

function netName(s: StageSpec, pos: number, dir: 'in' | 'out'): string {
  for (const k of Object.keys(s.params))
    if (!NET_END_PARAMS.includes(k))
      throw new SpecError(
        `${s.kind} takes no parameter "${k}" (it takes: ${NET_END_PARAMS.join(', ')})`,
        pos,
      );
  const { endpoint, mode, bind, timeout } = s.params;
  if (endpoint === undefined) throw new SpecError(`${s.kind} needs endpoint=tcp://HOST:PORT`, pos);
  if (mode !== undefined && mode !== 'lossless' && mode !== 'fanout')
    throw new SpecError(`${s.kind}: mode must be lossless or fanout (got ${mode})`, pos);
  if (bind !== undefined && !['0', '1', 'true', 'false'].includes(bind))
    throw new SpecError(`${s.kind}: bind must be 1 or 0 (got ${bind})`, pos);
  if (s.replicas !== 1) throw new SpecError(`${s.kind} runs no worker: no xN`, pos);
  const opts: string[] = [dir];
  if (mode !== undefined) opts.push(mode);
  if (bind !== undefined) opts.push(bind === '1' || bind === 'true' ? 'bind' : 'connect');
  if (timeout !== undefined) opts.push(`timeout=${timeout}`);
  const name = `zmq:${endpoint}@${opts.join(',')}`;
  try {
    parseNetName(name);
  } catch (e) {
    if (e instanceof NetNameError) throw new SpecError(`${s.kind}: ${e.message}`, pos);
    throw e;
  }
  return name;
}

/** Takes the network ends off a spec. Throws SpecError for one in the middle or a bad parameter. */
export function splitNetEnds(spec: PipelineSpec): SplitSpec {
  const st = spec.stages;
  let from = 0;
  let to = st.length;
  let netIn: string | null = null;
  let netOut: string | null = null;
  if (st[0]?.kind === 'zmq-in') {
    netIn = netName(st[0], 0, 'in');
    from = 1;
  }
  if (st.length > 1 && st[st.length - 1]!.kind === 'zmq-out') {
    netOut = netName(st[st.length - 1]!, st.length - 1, 'out');
    to = st.length - 1;
  }
  for (let pos = from; pos < to; pos++) {
    const k = st[pos]!.kind;
    if (k === 'zmq-in') throw new SpecError('zmq-in can only start a pipeline', pos);
    if (k === 'zmq-out') throw new SpecError('zmq-out can only end a pipeline', pos);
  }
  const inner = st.slice(from, to);
  if (inner.length === 0) throw new SpecError('a pipeline needs at least one stage that runs');
  if (netIn !== null && inner[0]!.replicas !== 1)
    throw new SpecError('the stage after zmq-in runs once (no xN): it owns the network port', from);
  if (netOut !== null && inner[inner.length - 1]!.replicas !== 1)
    throw new SpecError(
      'the stage before zmq-out runs once (no xN): it owns the network port',
      to - 1,
    );
  return { spec: { stages: inner }, netIn, netOut };
}
