/**
 * Pipeline specs: the text grammar and the JSON form, both parsed into the
 * same `PipelineSpec`.
 *
 * Text grammar (whitespace separates tokens; `|` separates stages):
 * ```
 * pipeline := stage ( "|" stage )*
 * stage    := kind token*
 * kind     := gen | count | drop | swap-mac | filter | checksum | sink | user
 *           | zmq-in | zmq-out          (network ends, first / last only: net-ends.ts)
 *           | PATH                      (a path: ./x.js, /abs/x.mjs -> user module=PATH)
 * token    := xN                        (run N replicas of this stage, N >= 1)
 *           | key=value                 (a parameter)
 *           | field=value | field!=value  (filter: a dotted field, e.g. udp.dport=9)
 * ```
 * Example: `gen size=60 count=1000000 | swap-mac x2 | filter udp.dport=9 | count`.
 *
 * JSON: `{ "stages": [ { "stage": "gen", "size": 60 }, { "stage": "swap-mac",
 * "replicas": 2 }, { "stage": "filter", "udp.dport": 9 } ] }` (or just the
 * array). Every key but `stage`, `replicas` and `name` is a parameter.
 */
import { SpecError } from '../errors.js';

export interface StageSpec {
  /** A built-in stage kind, or `user`. */
  kind: string;
  /** Parameters as text (`size: '60'`, `field: 'udp.dport'`). */
  params: Record<string, string>;
  /** Workers running this stage side by side. @defaultValue 1 */
  replicas: number;
  /** Display name: `name=` if given, else the kind (a user stage: its module's file name). */
  name: string;
}

export interface PipelineSpec {
  stages: StageSpec[];
}

export const STAGE_KINDS = [
  'gen',
  'count',
  'drop',
  'swap-mac',
  'filter',
  'checksum',
  'sink',
  'user',
  'zmq-in',
  'zmq-out',
] as const;

export const MAX_REPLICAS = 64;

function looksLikePath(w: string): boolean {
  return /^(\.{1,2}\/|\/|[A-Za-z]:[\\/])/.test(w) || /\.(m?js|cjs)$/.test(w);
}

function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] ?? p;
}

function finish(
  kind: string,
  params: Record<string, string>,
  replicas: number,
  pos: number,
): StageSpec {
  if (kind === 'verify') kind = 'checksum';
  if (!(STAGE_KINDS as readonly string[]).includes(kind))
    throw new SpecError(
      `unknown stage "${kind}" (known: ${STAGE_KINDS.join(', ')}, or a module path)`,
      pos,
    );
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS)
    throw new SpecError(
      `replicas must be an integer from 1 to ${MAX_REPLICAS} (got ${replicas})`,
      pos,
    );
  if (kind === 'user' && (params.module === undefined || params.module === ''))
    throw new SpecError('a user stage needs module=PATH', pos);
  const name = params.name ?? (kind === 'user' ? baseName(params.module!) : kind);
  delete params.name;
  return { kind, params, replicas, name };
}

/** Dotted keys (`udp.dport`) are filter predicates: they become field / value / op. */
function putParam(
  params: Record<string, string>,
  key: string,
  op: '=' | '!=',
  value: string,
  pos: number,
): void {
  if (key.includes('.')) {
    if (params.field !== undefined) throw new SpecError('a filter takes one field predicate', pos);
    params.field = key;
    params.value = value;
    params.op = op;
    return;
  }
  if (op !== '=')
    throw new SpecError(`"${key}!=" is only for dotted fields such as udp.dport!=9`, pos);
  if (params[key] !== undefined) throw new SpecError(`parameter "${key}" given twice`, pos);
  params[key] = value;
}

/** Parses the text form. Throws SpecError naming the stage. */
export function parseSpecText(text: string): PipelineSpec {
  if (typeof text !== 'string' || text.trim() === '') throw new SpecError('empty pipeline');
  const stages = text.split('|').map((part, pos) => {
    const words = part
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '');
    if (words.length === 0) throw new SpecError('empty stage (two "|" in a row?)', pos);
    let kind = words[0]!;
    const params: Record<string, string> = {};
    if (looksLikePath(kind)) {
      params.module = kind;
      kind = 'user';
    }
    let replicas = 1;
    for (const w of words.slice(1)) {
      const rep = /^[xX](\d+)$/.exec(w);
      if (rep !== null) {
        replicas = Number(rep[1]);
        continue;
      }
      const kv = /^([A-Za-z_][\w.-]*)(!=|=)(.*)$/.exec(w);
      if (kv === null) throw new SpecError(`cannot read "${w}" (expected key=value or xN)`, pos);
      putParam(params, kv[1]!, kv[2] as '=' | '!=', kv[3]!, pos);
    }
    return finish(kind, params, replicas, pos);
  });
  return { stages };
}

/** Parses the JSON form (an object with `stages`, or the array itself). Throws SpecError. */
export function parseSpecJson(json: unknown): PipelineSpec {
  const list = Array.isArray(json)
    ? json
    : json !== null &&
        typeof json === 'object' &&
        Array.isArray((json as { stages?: unknown }).stages)
      ? (json as { stages: unknown[] }).stages
      : null;
  if (list === null)
    throw new SpecError('JSON spec must be an array of stages or { "stages": [...] }');
  if (list.length === 0) throw new SpecError('empty pipeline');
  const stages = list.map((s, pos) => {
    if (s === null || typeof s !== 'object' || Array.isArray(s))
      throw new SpecError('each stage must be an object such as { "stage": "gen" }', pos);
    const o = s as Record<string, unknown>;
    if (typeof o.stage !== 'string') throw new SpecError('missing "stage" (the stage kind)', pos);
    const params: Record<string, string> = {};
    let replicas = 1;
    for (const [k, v] of Object.entries(o)) {
      if (k === 'stage') continue;
      if (k === 'replicas') {
        replicas = typeof v === 'number' ? v : Number(v);
        continue;
      }
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
        throw new SpecError(`parameter "${k}" must be a string, number or boolean`, pos);
      const value = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
      if (k === 'name' || k === 'module' || k === 'field' || k === 'value' || k === 'op')
        params[k] = value;
      else putParam(params, k, '=', value, pos);
    }
    let kind = o.stage;
    if (looksLikePath(kind)) {
      params.module = kind;
      kind = 'user';
    }
    return finish(kind, params, replicas, pos);
  });
  return { stages };
}

/**
 * Parses either form: a string that starts with `[` or `{` is JSON text,
 * another string is the text grammar, an object is the JSON form.
 */
export function parseSpec(spec: string | PipelineSpec | unknown[] | object): PipelineSpec {
  if (typeof spec === 'string') {
    const t = spec.trim();
    if (t.startsWith('[') || t.startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(t);
      } catch (e) {
        throw new SpecError(`invalid JSON: ${(e as Error).message}`);
      }
      return parseSpecJson(json);
    }
    return parseSpecText(t);
  }
  if (isParsed(spec))
    return { stages: spec.stages.map((s) => ({ ...s, params: { ...s.params } })) };
  return parseSpecJson(spec);
}

function isParsed(spec: unknown): spec is PipelineSpec {
  return (
    spec !== null &&
    typeof spec === 'object' &&
    Array.isArray((spec as PipelineSpec).stages) &&
    (spec as PipelineSpec).stages.every(
      (s) =>
        s !== null &&
        typeof s === 'object' &&
        typeof s.kind === 'string' &&
        typeof s.params === 'object',
    )
  );
}

/** Formats a spec back into the text grammar. */
export function formatSpec(spec: PipelineSpec): string {
  return spec.stages
    .map((s) => {
      const words = [s.kind === 'user' ? s.params.module! : s.kind];
      if (s.replicas > 1) words.push(`x${s.replicas}`);
      for (const [k, v] of Object.entries(s.params)) {
        if (s.kind === 'user' && k === 'module') continue;
        if (s.kind === 'filter' && (k === 'field' || k === 'value' || k === 'op')) continue;
        words.push(`${k}=${v}`);
      }
      if (s.kind === 'filter' && s.params.field !== undefined)
        words.push(`${s.params.field}${s.params.op ?? '='}${s.params.value ?? ''}`);
      const dflt = s.kind === 'user' ? baseName(s.params.module!) : s.kind;
      if (s.name !== dflt) words.push(`name=${s.name}`);
      return words.join(' ');
    })
    .join(' | ');
}
