/**
 * Running pktgen ends from a program: `startPktgen` / `runPktgen` run one
 * mode on one port of a region the caller owns, in a worker of its own;
 * `runPktgenPair` makes a region and a pipe and runs two modes against each
 * other (what the CLI does). Setup code: allocates.
 */
import { Worker } from 'node:worker_threads';
import { attachRegion, createRegion, OptionError, Region, ringBytes } from '@pktfabric/core';
import { createPipe, parsePipeName, pipeEndName, watchWorker } from '@pktfabric/pipes';
import { PktgenError, reviveError } from '../errors.js';
import { builtSibling } from '../util/worker-url.js';
import { createControl, requestStop } from './control.js';
import type { PktgenEvent, PktgenSummary, WorkerMessage } from './events.js';
import { PEER_MODE, resolvePktgenOptions, type PktgenMode, type PktgenOptions } from './options.js';
import type { PktgenWorkerData } from './worker.js';

export interface PktgenRunOptions extends PktgenOptions {
  /** The region that holds the port (its SharedArrayBuffer, or a Region view). */
  region: Region | SharedArrayBuffer;
  /** When the region is shared by processes: its name, which the worker opens it by. */
  regionName?: string;
  /** Receives every interval event and, last, the `done` event. */
  onEvent?: (ev: PktgenEvent) => void;
  /** Aborting stops the end (it then reports `ended: 'stopped'`). */
  signal?: AbortSignal;
}

export interface PktgenHandle {
  /** The worker's threadId. */
  readonly threadId: number;
  /** Asks the end to stop; `done` then resolves with what it did so far. */
  stop(): void;
  /** Resolves with the summary once the worker has exited; rejects with PktgenError. */
  readonly done: Promise<PktgenSummary>;
}

/**
 * Starts one pktgen end in a new worker on `opts.port` of `opts.region`. The
 * other end must be opened by someone else holding the same region (another
 * worker of this process). The worker closes its end when it finishes; if it
 * dies, the end is marked closed so the peer wakes up (watchWorker).
 */
export function startPktgen(opts: PktgenRunOptions): PktgenHandle {
  const o = resolvePktgenOptions(opts);
  const region = opts.region instanceof Region ? opts.region : attachRegion(opts.region);
  const ctrlSab = createControl();
  const ctrl = new Int32Array(ctrlSab);
  const data: PktgenWorkerData = {
    sab: opts.regionName === undefined ? region.sab : new SharedArrayBuffer(0),
    ...(opts.regionName !== undefined ? { regionName: opts.regionName } : {}),
    ctrl: ctrlSab,
    opts: o,
  };
  const worker = new Worker(builtSibling(import.meta.url, './worker.js'), { workerData: data });
  const unwatch = watchWorker(region, worker);
  const stop = (): void => requestStop(ctrl);
  opts.signal?.addEventListener('abort', stop, { once: true });
  if (opts.signal?.aborted === true) stop();
  const done = new Promise<PktgenSummary>((resolve, reject) => {
    let summary: PktgenSummary | null = null;
    let error: Error | null = null;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'interval') opts.onEvent?.(m);
      else if (m.type === 'done') {
        summary = m.summary;
        opts.onEvent?.({ type: 'done', summary: m.summary });
      } else if (m.type === 'error') error ??= reviveError(m.error);
    });
    worker.on('error', (e) => {
      error ??= e;
    });
    worker.on('exit', (code) => {
      unwatch();
      opts.signal?.removeEventListener('abort', stop);
      if (error === null && summary === null)
        error = new Error(`worker exited with code ${code} before finishing`);
      if (error !== null) reject(new PktgenError(o.mode, o.port, error));
      else resolve(summary!);
    });
  });
  return { threadId: worker.threadId, stop, done };
}

/** `startPktgen(opts).done`. */
export function runPktgen(opts: PktgenRunOptions): Promise<PktgenSummary> {
  return startPktgen(opts).done;
}

export interface PktgenPairOptions extends Omit<PktgenOptions, 'mode' | 'port'> {
  /** The two modes, e.g. `['tx', 'rx']`. The second defaults to the first one's natural peer. */
  modes: readonly [PktgenMode, PktgenMode?];
  /** The first mode's port; the second mode opens the other end of the same pipe. @defaultValue 'pipe{1' */
  port?: string;
  /** Slots per ring of the pipe (a power of two). @defaultValue 1024 */
  slots?: number;
  /** Receives both ends' events; `end` is 0 for the first mode, 1 for the second. */
  onEvent?: (ev: PktgenEvent, end: 0 | 1) => void;
  /** Aborting stops both ends. */
  signal?: AbortSignal;
  /** Options for one end only, over the common ones (e.g. a count for the sender alone). */
  overrides?: readonly [
    Partial<Omit<PktgenOptions, 'mode' | 'port'>>?,
    Partial<Omit<PktgenOptions, 'mode' | 'port'>>?,
  ];
}

export interface PktgenPairResult {
  ends: [PktgenSummary, PktgenSummary];
  /** True when, after both ends closed and the pipe was released, every buffer was back in the pool. */
  buffersConserved: boolean;
}

/**
 * Creates a region and one pipe, runs `modes[0]` on `port` and `modes[1]` on
 * the other end, each in its own worker, and waits for both. When one end
 * fails the other is stopped; the promise then rejects with the failing end's
 * PktgenError.
 */
export async function runPktgenPair(opts: PktgenPairOptions): Promise<PktgenPairResult> {
  const [m0, m1 = PEER_MODE[m0]] = opts.modes;
  const port0 = opts.port ?? 'pipe{1';
  const pn = parsePipeName(port0);
  if (pn.exclusive) throw new OptionError('port', 'a pipe end without flags, e.g. pipe{1', port0);
  const port1 = pipeEndName(pn.id, 1 - pn.end);
  const { modes: _m, port: _p, slots: _s, onEvent, signal: _sig, overrides, ...common } = opts;
  const ends = [
    { ...common, ...overrides?.[0], mode: m0, port: port0 },
    { ...common, ...overrides?.[1], mode: m1, port: port1 },
  ];
  // Validate both ends before anything starts, so that a bad option leaves nothing running.
  for (const e of ends) resolvePktgenOptions(e);
  const slots = opts.slots ?? 1024;
  const region = createRegion({
    bufCount: 2 * slots + 64,
    ringSize: Math.max(ringBytes(slots), ringBytes(1024)),
    ringCount: 8,
    ifCount: 4,
    nameTableSlots: 8,
  });
  const pipe = createPipe(region, { id: pn.id, slots });
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted === true) ac.abort();
  const handles: PktgenHandle[] = [];
  try {
    ends.forEach((e, i) =>
      handles.push(
        startPktgen({
          ...e,
          region,
          signal: ac.signal,
          onEvent: onEvent === undefined ? undefined : (ev) => onEvent(ev, i as 0 | 1),
        }),
      ),
    );
  } catch (e) {
    ac.abort();
    await Promise.allSettled(handles.map((h) => h.done));
    pipe.release();
    throw e;
  }
  // When one end fails, stop the other so that nothing is left running.
  const settled = await Promise.allSettled(
    handles.map((h) =>
      h.done.catch((e: unknown) => {
        ac.abort();
        throw e;
      }),
    ),
  );
  opts.signal?.removeEventListener('abort', onAbort);
  pipe.release();
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  const buf = region.counters('buf');
  const reserved = region.pools().find((p) => p.name === 'buf')!.reserved;
  return {
    ends: settled.map((s) => (s as PromiseFulfilledResult<PktgenSummary>).value) as [
      PktgenSummary,
      PktgenSummary,
    ],
    buffersConserved: buf.free === region.bufCount - reserved,
  };
}

export interface PktgenSharedOptions extends PktgenOptions {
  /** Name of the region shared by processes (created by the first process, opened by the others). */
  regionName: string;
  /** Receives every interval event and, last, the `done` event. */
  onEvent?: (ev: PktgenEvent) => void;
  /** Aborting stops the end. */
  signal?: AbortSignal;
}

/**
 * Runs one pktgen end on `port` of the region shared by processes named
 * `regionName`: opens it, or creates it (default sizes) when no process has
 * yet; the pipe is made by the first open of either end. The other end is
 * another process doing the same (e.g. `pktgen -f rx -i pipe}1 --region
 * demo` in another shell). When this process was the last user, the region
 * is removed at the end. Loads @pktfabric/shm (the native addon).
 */
export async function runPktgenShared(opts: PktgenSharedOptions): Promise<PktgenSummary> {
  const o = resolvePktgenOptions(opts);
  const shm = await import('@pktfabric/shm');
  let region: Region;
  try {
    region = shm.openSharedRegion(opts.regionName);
  } catch (e) {
    if (!(e instanceof shm.ShmError) || e.code !== 'ENOENT') throw e;
    try {
      region = shm.createSharedRegion(opts.regionName, {});
    } catch (e2) {
      // Another process created it first.
      if (!(e2 instanceof shm.ShmError) || e2.code !== 'EEXIST') throw e2;
      region = shm.openSharedRegion(opts.regionName);
    }
  }
  try {
    return await runPktgen({ ...opts, ...o, region, regionName: opts.regionName });
  } finally {
    region.detach();
    if (region.owners.inUse() === 0) {
      try {
        shm.unlinkSharedRegion(opts.regionName);
      } catch {
        // another process removed it already
      }
    }
  }
}
