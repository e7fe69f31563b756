/**
 * Opening a network port: a pipe in the caller's region whose master end is
 * the port returned (core's Port: send / recv / batches / iteration / streams
 * / poll / pollAsync from any thread that holds the region), and whose slave
 * end is held by an I/O worker thread that owns the ZeroMQ socket
 * (io-worker.ts).
 */
import { Worker } from 'node:worker_threads';
import {
  IF_KIND_WORDS,
  IF_KIND_WORDS_I32,
  IF_PEER_IF_I32,
  ifWord,
  isRegion,
  OptionError,
  type DestroyReport,
  type Region,
} from '@pktfabric/core';
import { createPipe, PipeEndpoint, watchWorker, type Pipe } from '@pktfabric/pipes';
import { DEFAULT_NET_SPIN, type NetCounters, type NetOpenOptions } from './api.js';
import { readNetCounters } from './counters.js';
import { NetEndpointError, NetIoError, NetPeerTimeoutError } from './errors.js';
import type { IoConfig, IoMessage } from './io-protocol.js';
import {
  CONF_BIND,
  CONF_FANOUT,
  CONF_BOTH,
  CONF_OUT,
  NET_CONF_I32,
  NET_MAGIC,
  NET_MAGIC_I32,
} from './layout/net-layout.js';
import { NetSync } from './net-sync.js';
import { resolveNet, type ResolvedNet } from './options.js';

/** The I/O worker's script: built output (also when this module runs from source under vitest). */
function ioWorkerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts')
    ? new URL('../dist/src/io-worker.js', here)
    : new URL('./io-worker.js', here);
}

/** A network port: a Port like any other, plus its endpoint, counters and the I/O worker's end. */
export class NetPort extends PipeEndpoint {
  /** The name it was opened with, e.g. `zmq:tcp://127.0.0.1:5555@out`. */
  readonly netName: string;
  /** The endpoint in use: for a bind to port `*` or 0, the port the system picked. */
  endpoint = '';
  readonly direction: 'in' | 'out' | 'both';
  readonly mode: 'lossless' | 'fanout';
  /** If object holding the counters (the I/O worker's end; layout/net-layout.ts). */
  readonly netIf: number;
  /** Set when the I/O worker failed (the port has hung up). */
  ioError: Error | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(region: Region, pipeEnd: string, name: string, r: ResolvedNet) {
    super(region, pipeEnd, { spin: r.spin ?? DEFAULT_NET_SPIN }, (s, peerIf) => {
      return new NetSync(s, region, peerIf);
    });
    this.netName = name;
    this.direction = r.direction;
    this.mode = r.mode;
    this.netIf = region.i32[ifWord(region, this.ifIdx, IF_PEER_IF_I32)]!;
  }

  /** Packets, bytes, batches, gaps, drops, bad messages, reconnects and the link state now. Allocates the result. */
  counters(): NetCounters {
    return readNetCounters(this.region, this.netIf);
  }

  /** @internal */
  adopt(worker: Worker, endpoint: string): void {
    this.endpoint = endpoint;
    this.exited = new Promise((resolve) => {
      if (worker.threadId < 0) resolve();
      else worker.once('exit', () => resolve());
    });
    worker.on('message', (m: IoMessage) => {
      if (m.type === 'error') this.ioError = new NetIoError(this.netName, m.error.message);
    });
    worker.on('error', (e) => {
      this.ioError = new NetIoError(this.netName, e.message);
    });
  }

  /**
   * Closes the port like any port (synchronous). The I/O worker then sends
   * what was still in the ring (an `out` port; for at most lingerMs if the
   * peer holds it back), closes the socket and its end; `ioDone()` resolves
   * when it has.
   */
  override close(): DestroyReport | null {
    return super.close();
  }

  /** Resolves when the I/O worker has finished after close() (or failed). */
  ioDone(): Promise<void> {
    return this.exited;
  }
}

function netError(e: { name: string; message: string; fields: Record<string, unknown> }): Error {
  const f = e.fields;
  if (e.name === 'NetEndpointError')
    return new NetEndpointError(
      String(f['endpoint']),
      f['op'] === 'connect' ? 'connect' : 'bind',
      String(f['code']),
      e.message,
    );
  return new NetIoError('', `${e.name}: ${e.message}`);
}

/**
 * Opens network port `name` (`zmq:tcp://host:port[@options]`, see
 * net-name.ts) in `region`. Resolves once the socket is bound or connecting
 * (and, with `waitPeerMs`, once a peer is there). Rejects with NetNameError,
 * OptionError, NetEndpointError (bind / connect refused: address in use, no
 * such interface, ...), NetPeerTimeoutError, or a pool's ExhaustedError.
 * Starts one worker thread. Allocates.
 */
export async function openNetPort(
  region: Region,
  name: string,
  opts: NetOpenOptions = {},
): Promise<NetPort> {
  if (!isRegion(region))
    throw new OptionError('region', 'a Region (from createRegion or attachRegion)', region);
  const r = resolveNet(name, opts);
  const sab =
    region.memory.kind === 'sab' ? (region.memory.buffer as SharedArrayBuffer) : undefined;
  if (sab === undefined && r.regionName === undefined)
    throw new OptionError(
      'regionName',
      'the shared region name (the I/O worker opens a region not in a SharedArrayBuffer by name)',
      undefined,
    );
  const pipe: Pipe = createPipe(region, r.slots !== undefined ? { slots: r.slots } : {});
  let port: NetPort | null = null;
  let worker: Worker | null = null;
  try {
    port = new NetPort(region, pipe.master, name, r);
    const netIf = port.netIf;
    const i32 = region.i32;
    for (let w = 3; w < IF_KIND_WORDS; w++) i32[ifWord(region, netIf, IF_KIND_WORDS_I32 + w)] = 0;
    i32[ifWord(region, netIf, NET_CONF_I32)] =
      (r.direction === 'out' ? CONF_OUT : r.direction === 'both' ? CONF_BOTH : 0) |
      (r.mode === 'fanout' ? CONF_FANOUT : 0) |
      (r.bind ? CONF_BIND : 0);
    Atomics.store(i32, ifWord(region, netIf, NET_MAGIC_I32), NET_MAGIC);
    const cfg: IoConfig = {
      pipeEnd: pipe.slave,
      userIf: port.ifIdx,
      netIf,
      endpoint: r.endpoint,
      direction: r.direction,
      mode: r.mode,
      bind: r.bind,
      hwm: r.hwm,
      maxBatch: r.maxBatch,
      peerTimeoutMs: r.peerTimeoutMs,
      lingerMs: r.lingerMs,
      ...(sab !== undefined ? { sab } : { regionName: r.regionName! }),
    };
    const w = new Worker(ioWorkerUrl(), { workerData: cfg });
    worker = w;
    watchWorker(region, w);
    const endpoint = await started(w, r);
    port.adopt(w, endpoint);
    return port;
  } catch (e) {
    // Closing the user's end stops the worker (it closes its socket and end
    // and exits); terminating a thread that holds ZeroMQ sockets can abort
    // the process, so that is only the fallback.
    port?.close();
    if (worker !== null) await exitOf(worker, EXIT_WAIT_MS);
    throw e;
  } finally {
    // The worker's open holds the pipe now (or, on failure, nothing does).
    pipe.release();
  }
}

/** How long a failed open waits for its worker to stop by itself before terminating it. */
const EXIT_WAIT_MS = 10_000;

function exitOf(w: Worker, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => void w.terminate().then(() => resolve()), ms);
    w.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Waits for the worker's 'ready' (and first 'up' with waitPeerMs); rejects with its error. */
function started(w: Worker, r: ResolvedNet): Promise<string> {
  return new Promise((resolve, reject) => {
    let endpoint: string | null = null;
    let up = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const done = (err: Error | null): void => {
      w.off('message', onMsg);
      w.off('error', onErr);
      w.off('exit', onExit);
      if (timer !== null) clearTimeout(timer);
      if (err !== null) reject(err);
      else resolve(endpoint!);
    };
    const onMsg = (m: IoMessage): void => {
      if (m.type === 'error') done(netError(m.error));
      else if (m.type === 'up') {
        up = true;
        if (endpoint !== null) done(null);
      } else if (m.type === 'ready') {
        endpoint = m.endpoint;
        if (r.waitPeerMs === 0 || up) done(null);
        else
          timer = setTimeout(
            () => done(new NetPeerTimeoutError(endpoint!, r.waitPeerMs)),
            r.waitPeerMs,
          );
      }
    };
    const onErr = (e: Error): void => done(new NetIoError(r.endpoint, e.message));
    const onExit = (code: number): void =>
      done(new NetIoError(r.endpoint, `the I/O worker exited (${code}) before it was ready`));
    w.on('message', onMsg);
    w.on('error', onErr);
    w.on('exit', onExit);
  });
}
