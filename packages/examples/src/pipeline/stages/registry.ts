/** Which stages exist, which parameters each takes, and building a built-in stage's function. */
import { OptionError } from '@pktfabric/core';
import { SpecError } from '../../errors.js';
import { FrameWriter } from '../../frames/frame-writer.js';
import type { PipelineSpec, StageSpec } from '../spec.js';
import { makeChecksum } from './checksum.js';
import type { BatchFn } from './context.js';
import { makeDrop } from './drop.js';
import { makeFilter, parseMatch } from './filter.js';
import { GEN_PARAMS, resolveGen } from './gen.js';
import { swapMac } from './swap-mac.js';

/** Parameters each kind accepts (null: any, passed to the user stage). */
const PARAMS: Record<string, readonly string[] | null> = {
  gen: GEN_PARAMS,
  count: [],
  sink: [],
  'swap-mac': [],
  drop: ['p', 'seed'],
  filter: ['field', 'value', 'op'],
  checksum: ['drop'],
  user: null,
};

function flag(v: string | undefined): boolean {
  return v === '1' || v === 'true' || v === 'yes';
}

/**
 * Builds the batch function of a built-in stage other than gen; `null` for
 * count and sink, which only count. Throws OptionError on bad parameters.
 */
export function builtinStage(s: StageSpec): BatchFn | null {
  switch (s.kind) {
    case 'count':
    case 'sink':
      return null;
    case 'swap-mac':
      return swapMac;
    case 'drop': {
      const p = s.params.p === undefined ? 1 : Number(s.params.p);
      if (!(p >= 0 && p <= 1)) throw new OptionError('p', 'a probability from 0 to 1', s.params.p);
      const seed = s.params.seed === undefined ? 1 : Number(s.params.seed);
      if (!Number.isInteger(seed) || seed < 0)
        throw new OptionError('seed', 'a non-negative integer', s.params.seed);
      return makeDrop(p, seed);
    }
    case 'filter': {
      if (s.params.field === undefined)
        throw new OptionError('field', 'a predicate such as udp.dport=9', undefined);
      return makeFilter(parseMatch(s.params.field, s.params.op ?? '=', s.params.value ?? ''));
    }
    case 'checksum':
      return makeChecksum(flag(s.params.drop));
    default:
      throw new OptionError('stage', 'a built-in stage other than gen', s.kind);
  }
}

/**
 * Checks a whole pipeline (its network ends already taken off, see
 * net-ends.ts): gen first (and only first) unless it starts from zmq-in
 * (`netIn`), at least one stage after gen (or zmq-out, `netOut`), sink only last, and each stage's
 * parameters. Throws SpecError naming the stage.
 */
export function validatePipeline(spec: PipelineSpec, netIn = false, netOut = false): void {
  const st = spec.stages;
  if (!netIn && !netOut && st.length < 2)
    throw new SpecError('a pipeline needs gen and at least one stage after it');
  st.forEach((s, pos) => {
    if (s.kind === 'gen' && (pos !== 0 || netIn))
      throw new SpecError('gen can only be the first stage', pos);
    if (pos === 0 && !netIn && s.kind !== 'gen')
      throw new SpecError(`the first stage must be gen or zmq-in (got ${s.kind})`, pos);
    if (s.kind === 'sink' && pos !== st.length - 1)
      throw new SpecError('sink can only be the last stage', pos);
    const allowed = PARAMS[s.kind];
    if (allowed === undefined) throw new SpecError(`unknown stage "${s.kind}"`, pos);
    if (allowed !== null) {
      for (const k of Object.keys(s.params))
        if (!allowed.includes(k))
          throw new SpecError(
            `${s.kind} takes no parameter "${k}"${allowed.length > 0 ? ` (it takes: ${allowed.join(', ')})` : ''}`,
            pos,
          );
    }
    try {
      if (s.kind === 'gen') new FrameWriter(resolveGen(s.params).frame);
      else if (s.kind !== 'user') builtinStage(s);
    } catch (e) {
      if (e instanceof OptionError) throw new SpecError(`${s.kind}: ${e.message}`, pos);
      throw e;
    }
  });
}
