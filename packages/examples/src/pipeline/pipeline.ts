/**
 * The pipeline coordinator (main thread): builds the region and the pipes,
 * starts one worker per stage replica, drives them through their comlink
 * control API, gathers stats, and tears everything down — on success, on
 * stop (Ctrl-C), and when a stage throws (then every other stage is stopped,
 * every worker terminated, and `done` rejects with a StageError).
 *
 * With `processes: true` each stage replica runs in a child process of its
 * own instead of a worker, over a region shared by processes
 * (@pktfabric/shm, Linux): the same stage code, the same control API (over
 * the IPC channel), the same result.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, constants } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import {
  createRegion,
  OptionError,
  reapDeadProcesses,
  ringBytes,
  type Region,
  type RegionOptions,
} from '@pktfabric/core';
import { createPipe, POLL_SPIN, watchWorker, type Pipe } from '@pktfabric/pipes';
import { SpecError, StageError } from '../errors.js';
import { nodeEndpoint, processEndpoint } from '../util/comlink-endpoint.js';
import { builtSibling } from '../util/worker-url.js';
import { parseSpec, type PipelineSpec } from './spec.js';
import type { StageStats } from './stage-stats.js';
import type { StageApi, StageInit } from './stage-api.js';
import { validatePipeline } from './stages/registry.js';
import { splitNetEnds } from './net-ends.js';
import { planTopology } from './topology.js';

/** Peeks before parking when stage threads outnumber cores (see pipes' OpenOptions.spin). */
const OVERSUBSCRIBED_SPIN = 256;

export interface PipelineOptions {
  /** Slots per ring of every pipe (a power of two, 4..32768). @defaultValue 1024 */
  slots?: number;
  /** Packets per batch (gen: per sync). @defaultValue 512 */
  burst?: number;
  /** How often `onStats` is called, in ms; 0 for never. @defaultValue 1000 */
  statsIntervalMs?: number;
  /** Called with live per-stage stats every `statsIntervalMs`. */
  onStats?: (snap: PipelineSnapshot) => void;
  /** Aborting stops the pipeline like `stop()`. */
  signal?: AbortSignal;
  /** After `stop()`, how long the stages may drain before they are stopped at once. @defaultValue 2000 */
  drainTimeoutMs?: number;
  /** Directory user-stage module paths are relative to. @defaultValue process.cwd() */
  cwd?: string;
  /**
   * Run each stage replica in a child process of its own instead of a worker
   * thread, over a region shared by processes (Linux; needs @pktfabric/shm's
   * addon, else ShmUnavailableError before anything starts). The region's
   * name is unique to the pipeline and removed once every stage has opened
   * it. @defaultValue false
   */
  processes?: boolean;
}

/** One stage's numbers, summed over its replicas. */
export interface StageTotals {
  name: string;
  kind: string;
  index: number;
  replicas: number;
  packets: number;
  bytes: number;
  drops: number;
  out: number;
  batches: number;
  counters: Record<string, number>;
  /** Packets per second: in a snapshot, over the last interval; in the result, over the stage's active time. */
  pps: number;
  /** Longest active time of its replicas (first packet to last), ms. */
  activeMs: number;
}

export interface PipelineSnapshot {
  /** ms since start(). */
  elapsedMs: number;
  stages: StageTotals[];
}

export interface PipelineResult {
  elapsedMs: number;
  stages: StageTotals[];
  /** True when it ended by stop() / the signal rather than by the end of gen's count. */
  stopped: boolean;
  /** True when every buffer was back in the pool after the pipes were destroyed. */
  buffersConserved: boolean;
}

/** After a stop-now (failure, or a drain that took too long), how long stages get before they are terminated. */
const FORCE_TIMEOUT_MS = 3000;

/** Where a stage replica runs: a worker thread or a child process. */
interface StageHost {
  readonly endpoint: Comlink.Endpoint;
  /** Resolves with the exit code once it has exited. */
  readonly exited: Promise<number>;
  /** Calls `f` with the errors it reports (a worker's uncaught error; a process that failed to start). */
  onError(f: (e: Error) => void): void;
  /** Ends it: a worker is terminated; a process is let go (its channel closed) and killed if it lingers. */
  terminate(): Promise<void>;
}

function workerHost(region: Region): StageHost {
  const worker = new Worker(builtSibling(import.meta.url, './stage-worker.js'));
  // A worker that dies holding its ends closes them, so its neighbours see POLLHUP.
  watchWorker(region, worker);
  return {
    endpoint: nodeEndpoint(worker),
    exited: new Promise<number>((res) => worker.once('exit', res)),
    onError: (f) => worker.on('error', f),
    terminate: async () => {
      await worker.terminate();
    },
  };
}

/** How long a stage process gets to exit by itself once its channel is closed, before SIGKILL. */
const PROCESS_EXIT_MS = 1000;

/**
 * A stage in a child process. One that dies holding its ends needs no
 * watcher: its neighbours' polls find it dead in the region's owner table.
 */
function processHost(): StageHost {
  const child = fork(fileURLToPath(builtSibling(import.meta.url, './stage-process.js')), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const exited = new Promise<number>((res) =>
    child.once('exit', (code, signal) =>
      res(code ?? 128 + (signal !== null ? (constants.signals[signal] ?? 0) : 0)),
    ),
  );
  return {
    endpoint: processEndpoint(child),
    exited,
    onError: (f) => child.on('error', f),
    async terminate() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // A stage whose channel closes stops at once and exits (stage-process.ts).
      if (child.connected) child.disconnect();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>(
        (res) => (timer = setTimeout(() => res(true), PROCESS_EXIT_MS)),
      );
      const killed = await Promise.race([exited.then(() => false), late]);
      clearTimeout(timer);
      if (killed) child.kill('SIGKILL');
      await exited;
    },
  };
}

interface Member {
  index: number;
  replica: number;
  host: StageHost;
  remote: Comlink.Remote<StageApi>;
  /** Resolves with the exit code when the worker has exited. */
  exited: Promise<number>;
  alive: boolean;
  /** An uncaught error the worker reported before exiting. */
  crash: Error | null;
  final: StageStats | null;
  last: StageStats | null;
}

/** Rejects when the worker exits first; used to race every control call. */
function orExit<T>(m: Member, p: Promise<T>): Promise<T> {
  return Promise.race([
    p,
    m.exited.then((code) => {
      throw m.crash ?? new Error(`worker exited (code ${code})`);
    }),
  ]);
}

export class Pipeline {
  readonly spec: PipelineSpec;
  readonly region: Region;
  /** Resolves when every stage has finished; rejects with StageError when one failed. */
  readonly done: Promise<PipelineResult>;
  private readonly members: Member[];
  private readonly pipes: Pipe[];
  private readonly opts: PipelineOptions;
  private startMs = -1;
  private stopped = false;
  private failure: StageError | null = null;
  private settleDone!: (r: PipelineResult) => void;
  private failDone!: (e: Error) => void;
  private timer: NodeJS.Timeout | null = null;
  private drainTimer: NodeJS.Timeout | null = null;
  private prev: { ms: number; packets: number[] } | null = null;
  private onAbort: (() => void) | null = null;
  private torndown = false;
  private finished = false;
  private forceTimer: NodeJS.Timeout | null = null;

  /** Use `createPipeline`. */
  constructor(
    spec: PipelineSpec,
    region: Region,
    pipes: Pipe[],
    members: Member[],
    opts: PipelineOptions,
  ) {
    this.spec = spec;
    this.region = region;
    this.pipes = pipes;
    this.members = members;
    this.opts = opts;
    this.done = new Promise<PipelineResult>((res, rej) => {
      this.settleDone = res;
      this.failDone = rej;
    });
    // A rejection nobody awaited yet must not crash the process; callers still see it through `done`.
    this.done.catch(() => undefined);
  }

  /** Workers that have not exited yet. */
  get liveWorkers(): number {
    return this.members.filter((m) => m.alive).length;
  }

  /** Starts every stage. Returns at once; await `done` for the end. */
  start(): void {
    if (this.startMs >= 0) throw new Error('pipeline already started');
    this.startMs = performance.now();
    const runs = this.members.map((m) =>
      orExit(m, m.remote.run()).then(
        (st) => {
          m.final = st;
        },
        (e: unknown) => {
          this.fail(m, e);
        },
      ),
    );
    void Promise.all(runs).then(() => this.finish());
    const every = this.opts.statsIntervalMs ?? 1000;
    if (this.opts.onStats !== undefined && every > 0) {
      this.timer = setInterval(() => {
        this.stats().then(
          (s) => this.opts.onStats?.(s),
          () => undefined,
        );
      }, every);
    }
    const sig = this.opts.signal;
    if (sig !== undefined) {
      this.onAbort = () => void this.stop();
      if (sig.aborted) this.onAbort();
      else sig.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /**
   * Stops the pipeline: gen stops making packets and what is in flight drains
   * to the end; stages still running after `drainTimeoutMs` are stopped at
   * once. Resolves with the result (as `done`).
   */
  stop(): Promise<PipelineResult> {
    if (!this.stopped && this.failure === null) {
      this.stopped = true;
      this.tell(1);
      this.drainTimer = setTimeout(() => this.tell(2), this.opts.drainTimeoutMs ?? 2000);
    }
    return this.done;
  }

  /** Live per-stage stats (each replica answers within one time slice). */
  async stats(): Promise<PipelineSnapshot> {
    const all = await Promise.all(
      this.members.map(async (m) => {
        if (m.final !== null || !m.alive) return m.final ?? m.last;
        try {
          const s = await orExit(m, m.remote.stats());
          if (s !== null) m.last = s;
          return s;
        } catch {
          return m.last;
        }
      }),
    );
    const now = performance.now();
    const stages = this.totals(all);
    const prev = this.prev;
    for (const st of stages) {
      st.pps =
        prev === null
          ? st.activeMs > 0
            ? (st.packets * 1000) / st.activeMs
            : 0
          : ((st.packets - prev.packets[st.index]!) * 1000) / (now - prev.ms);
    }
    this.prev = { ms: now, packets: stages.map((s) => s.packets) };
    return { elapsedMs: this.startMs < 0 ? 0 : now - this.startMs, stages };
  }

  private totals(list: (StageStats | null)[]): StageTotals[] {
    const out: StageTotals[] = this.spec.stages.map((s, index) => ({
      name: s.name,
      kind: s.kind,
      index,
      replicas: s.replicas,
      packets: 0,
      bytes: 0,
      drops: 0,
      out: 0,
      batches: 0,
      counters: {},
      pps: 0,
      activeMs: 0,
    }));
    for (const st of list) {
      if (st === null) continue;
      const t = out[st.index]!;
      t.packets += st.packets;
      t.bytes += st.bytes;
      t.drops += st.drops;
      t.out += st.out;
      t.batches += st.batches;
      t.activeMs = Math.max(t.activeMs, st.activeMs);
      for (const [k, v] of Object.entries(st.counters)) t.counters[k] = (t.counters[k] ?? 0) + v;
    }
    for (const t of out) t.pps = t.activeMs > 0 ? (t.packets * 1000) / t.activeMs : 0;
    return out;
  }

  /** Sends stop(mode) to every live stage (mode 1 matters to sources only). Mode 2 also arms a hard timeout that terminates what still runs. */
  private tell(mode: 1 | 2): void {
    if (mode === 2 && this.forceTimer === null)
      this.forceTimer = setTimeout(() => void this.finish(), FORCE_TIMEOUT_MS);
    for (const m of this.members) {
      if (!m.alive || m.final !== null) continue;
      orExit(m, m.remote.stop(mode)).catch(() => undefined);
    }
  }

  private fail(m: Member, e: unknown): void {
    if (this.failure !== null) return;
    const s = this.spec.stages[m.index]!;
    const cause = e instanceof Error ? e : new Error(String(e));
    this.failure = new StageError(s.name, m.index, m.replica, cause);
    this.tell(2);
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const elapsedMs = performance.now() - this.startMs;
    const finals = this.members.map((m) => m.final);
    await this.teardown();
    if (this.failure !== null) {
      this.failDone(this.failure);
      return;
    }
    const buf = this.region.counters('buf');
    this.settleDone({
      elapsedMs,
      stages: this.totals(finals),
      stopped: this.stopped,
      buffersConserved: buf.free === this.region.bufCount - 2,
    });
  }

  /**
   * Terminates every worker or process (each has closed its ends, or they
   * are closed for it: a worker's on exit, a killed process's by the reap
   * below) and releases the pipes.
   */
  private async teardown(): Promise<void> {
    if (this.torndown) return;
    this.torndown = true;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.drainTimer !== null) clearTimeout(this.drainTimer);
    if (this.forceTimer !== null) clearTimeout(this.forceTimer);
    if (this.onAbort !== null) this.opts.signal?.removeEventListener('abort', this.onAbort);
    await terminateAll(this.members);
    // Processes killed holding their ends (nothing for thread memory).
    reapDeadProcesses(this.region);
    for (const p of this.pipes) p.release();
  }

  /** Builds everything and initialises every stage; see createPipeline. */
  static async create(
    specIn: string | PipelineSpec | object,
    opts: PipelineOptions = {},
  ): Promise<Pipeline> {
    const { spec, netIn, netOut } = splitNetEnds(parseSpec(specIn));
    validatePipeline(spec, netIn !== null, netOut !== null);
    const slots = opts.slots ?? 1024;
    const burst = opts.burst ?? 512;
    if (!Number.isInteger(burst) || burst < 1 || burst > 32768)
      throw new OptionError('burst', 'an integer from 1 to 32768', burst);
    const cwd = opts.cwd ?? process.cwd();
    const moduleUrls = spec.stages.map((s, pos) => {
      if (s.kind !== 'user') return undefined;
      const file = resolvePath(cwd, s.params.module!);
      if (!existsSync(file)) throw new SpecError(`user stage module not found: ${file}`, pos);
      return pathToFileURL(file).href;
    });
    const topo = planTopology(spec, netIn, netOut);
    // A network end is one more pipe (of the default 1024 slots), made when its stage opens it.
    const N = (netIn !== null ? 1 : 0) + (netOut !== null ? 1 : 0);
    const P = topo.pipeIds.length + N;
    const geometry: RegionOptions = {
      bufCount: P * 2 * Math.max(slots, N > 0 ? 1024 : 0) + 64,
      ringSize: Math.max(ringBytes(slots), ringBytes(N > 0 ? 1024 : 4)),
      ringCount: 4 * P + 2,
      ifCount: 2 * P + 2,
      nameTableSlots: P + 4,
    };
    const shm = opts.processes === true ? await import('@pktfabric/shm') : null;
    const regionName =
      shm === null
        ? undefined
        : `pipeline-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    const region =
      shm === null ? createRegion(geometry) : shm.createSharedRegion(regionName!, geometry);
    const pipes: Pipe[] = [];
    const members: Member[] = [];
    try {
      for (const id of topo.pipeIds) pipes.push(createPipe(region, { id, slots }));
      spec.stages.forEach((s, index) => {
        for (let replica = 0; replica < s.replicas; replica++) {
          const host = shm === null ? workerHost(region) : processHost();
          const m: Member = {
            index,
            replica,
            host,
            remote: Comlink.wrap<StageApi>(host.endpoint),
            exited: host.exited,
            alive: true,
            crash: null,
            final: null,
            last: null,
          };
          host.onError((e) => {
            m.crash ??= e;
          });
          void m.exited.then(() => {
            m.alive = false;
          });
          members.push(m);
        }
      });
      // More busy stage threads than cores: park soon instead of spinning on
      // a core the next stage needs.
      const spin = members.length > availableParallelism() ? OVERSUBSCRIBED_SPIN : POLL_SPIN;
      const inits = members.map((m) => {
        const s = spec.stages[m.index]!;
        const cfg: StageInit = {
          // Processes open the region by name (its memory cannot be posted to them).
          ...(regionName === undefined ? { sab: region.sab } : { regionName }),
          stage: s,
          index: m.index,
          replica: m.replica,
          inputs: topo.inputs[m.index]![m.replica]!,
          outputs: topo.outputs[m.index]![m.replica]!,
          burst,
          spin,
          moduleUrl: moduleUrls[m.index],
        };
        return orExit(m, m.remote.init(cfg)).then(
          () => null,
          (e: unknown) => {
            const cause = e instanceof Error ? e : new Error(String(e));
            return new StageError(s.name, m.index, m.replica, cause);
          },
        );
      });
      const errors = (await Promise.all(inits)).filter((e) => e !== null);
      if (errors.length > 0) throw errors[0]!;
    } catch (e) {
      await terminateAll(members);
      reapDeadProcesses(region);
      for (const p of pipes) p.release();
      throw e;
    } finally {
      // Every stage has opened it (or failed): the name is no longer needed; the mappings stay.
      if (regionName !== undefined) shm!.unlinkSharedRegion(regionName);
    }
    return new Pipeline(spec, region, pipes, members, opts);
  }
}

async function terminateAll(members: Member[]): Promise<void> {
  await Promise.all(
    members.map(async (m) => {
      if (m.alive) await m.host.terminate();
      await m.exited;
    }),
  );
}

/** Parses and checks `spec`, builds the region and pipes, starts and initialises one worker per stage replica. Throws SpecError, OptionError or StageError (a stage failed to initialise; nothing is left running). */
export function createPipeline(
  spec: string | PipelineSpec | object,
  opts: PipelineOptions = {},
): Promise<Pipeline> {
  return Pipeline.create(spec, opts);
}

/** createPipeline + start + done. */
export async function runPipeline(
  spec: string | PipelineSpec | object,
  opts: PipelineOptions = {},
): Promise<PipelineResult> {
  const p = await createPipeline(spec, opts);
  p.start();
  return p.done;
}
