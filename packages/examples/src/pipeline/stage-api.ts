/**
 * The control API of one stage replica, the same in a worker thread
 * (stage-worker.ts) and in a process of its own (stage-process.ts), exposed
 * with comlink: `init` opens the pipe ends and builds the stage, `run` moves
 * packets until the end of the stream (or a stop) and resolves with the final
 * stats, `stop` asks it to end, `stats` reads its counters at any time. The
 * data path runs in slices of SLICE_MS and yields to the event loop in
 * between, so control calls are answered within a slice.
 */
import { attachRegion, type Region } from '@pktfabric/core';
import type { Port } from '@pktfabric/core';
import { closeNamedPort, openNamedPort } from '../util/open-port.js';
import type { StageSpec } from './spec.js';
import { SourceRuntime, StageRuntime, type StopMode } from './stage-runtime.js';
import type { StageStats } from './stage-stats.js';
import type { BatchFn, StageContext } from './stages/context.js';
import { resolveGen, share } from './stages/gen.js';
import { builtinStage } from './stages/registry.js';

/** How long the data path runs before it yields to the event loop. */
export const SLICE_MS = 20;

export interface StageInit {
  /** The region (stages in threads); absent when `regionName` is given. */
  sab?: SharedArrayBuffer;
  /**
   * Stages in processes (`--processes`): the name of the region shared by
   * processes, which the stage opens itself (its memory cannot be posted to
   * another process, nor to a worker on Node 20).
   */
  regionName?: string;
  stage: StageSpec;
  index: number;
  replica: number;
  /** Ends this replica reads from (slave ends of the pipes from the previous stage). */
  inputs: string[];
  /** Ends this replica writes to (master ends of the pipes to the next stage). */
  outputs: string[];
  burst: number;
  /** Peeks before a blocking poll parks (pipes' OpenOptions.spin). */
  spin: number;
  /** A user stage's module, as a file: URL. */
  moduleUrl?: string;
}

export interface StageApi {
  init(cfg: StageInit): Promise<void>;
  run(): Promise<StageStats>;
  stop(mode: StopMode): void;
  stats(): StageStats | null;
}

async function loadUserStage(url: string, ctx: StageContext): Promise<BatchFn> {
  const mod = (await import(url)) as {
    default?: unknown;
    process?: unknown;
    setup?: (ctx: StageContext) => unknown;
  };
  if (typeof mod.setup === 'function') await mod.setup(ctx);
  const fn = mod.default ?? mod.process;
  if (typeof fn !== 'function')
    throw new TypeError(
      `${ctx.name}: the module must export a default function (batch, ctx) => void (see the README)`,
    );
  return fn as BatchFn;
}

/** The region of a stage: its SharedArrayBuffer, or the region shared by processes it names. */
async function openRegion(cfg: StageInit): Promise<Region> {
  if (cfg.regionName === undefined) return attachRegion(cfg.sab!);
  const { openSharedRegion } = await import('@pktfabric/shm');
  return openSharedRegion(cfg.regionName);
}

/** Maps one at a time, in order (each open finishes before the next starts). */
async function mapAsync<T, U>(list: readonly T[], fn: (t: T) => Promise<U>): Promise<U[]> {
  const out: U[] = [];
  for (const t of list) out.push(await fn(t));
  return out;
}

/** The control API of one stage replica (one per worker or process). */
export function createStageApi(): StageApi {
  let rt: SourceRuntime | StageRuntime | null = null;
  let pendingStop: StopMode = 0;
  /** Every port this stage opened (network ports' I/O workers are waited for at the end). */
  let ports: Port[] = [];
  return {
    async init(cfg) {
      const region = await openRegion(cfg);
      const opened: Port[] = [];
      ports = opened;
      const named = {
        spin: cfg.spin,
        ...(cfg.regionName !== undefined ? { regionName: cfg.regionName } : {}),
      };
      try {
        const inputs = await mapAsync(cfg.inputs, async (n) => {
          const ep = await openNamedPort(region, n, { ...named, direction: 'in' });
          opened.push(ep);
          return ep;
        });
        const outputs = await mapAsync(cfg.outputs, async (n) => {
          const ep = await openNamedPort(region, n, { ...named, direction: 'out' });
          opened.push(ep);
          return ep;
        });
        const s = cfg.stage;
        const ctx = {
          name: s.name,
          kind: s.kind,
          index: cfg.index,
          replica: cfg.replica,
          replicas: s.replicas,
          params: Object.freeze({ ...s.params }),
          counters: {} as Record<string, number>,
        };
        if (s.kind === 'gen') {
          const g = resolveGen(s.params);
          g.count = share(g.count, cfg.replica, s.replicas);
          g.rate = g.rate > 0 ? g.rate / s.replicas : 0;
          rt = new SourceRuntime(region, ctx, outputs, cfg.burst, g);
        } else {
          const fn = s.kind === 'user' ? await loadUserStage(cfg.moduleUrl!, ctx) : builtinStage(s);
          rt = new StageRuntime(region, ctx, inputs, outputs, cfg.burst, fn);
        }
        if (pendingStop !== 0) rt.stopMode = pendingStop;
      } catch (e) {
        await Promise.all(opened.map((p) => closeNamedPort(p).catch(() => {})));
        throw e;
      }
    },

    async run() {
      const r = rt;
      if (r === null) throw new Error('run() before init()');
      try {
        while (!r.step(performance.now() + SLICE_MS)) {
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } finally {
        r.closeAll();
        await Promise.all(ports.map((p) => closeNamedPort(p).catch(() => {})));
      }
      return r.stats();
    },

    stop(mode) {
      if (rt === null) pendingStop = mode > pendingStop ? mode : pendingStop;
      else if (mode > rt.stopMode) rt.stopMode = mode;
    },

    stats() {
      return rt === null ? null : rt.stats();
    },
  };
}
