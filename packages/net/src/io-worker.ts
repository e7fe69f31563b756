/**
 * The I/O worker of one network port: it holds the ZeroMQ socket and the
 * pipe end `pipe}N` whose other end is the user's port, and moves whole
 * batches between them (pump-out.ts, pump-in.ts) on its own event loop, so
 * the user's port keeps the synchronous Port API in any thread. It stops when
 * the user's end closes (after sending what was left, for at most lingerMs
 * when the peer holds it back), and always closes its socket and its end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { attachRegion, type Region } from '@pktfabric/core';
import { openPort, type PipeEndpoint } from '@pktfabric/pipes';
import * as zmq from 'zeromq';
import { CounterWriter } from './counters.js';
import { NetEndpointError } from './errors.js';
import type { IoConfig, IoMessage } from './io-protocol.js';
import { LinkWatch } from './link.js';
import { pumpIn } from './pump-in.js';
import { pumpOut } from './pump-out.js';

/** Largest message a receiving socket accepts (ZMQ_MAXMSGSIZE): a bigger one drops that connection. */
export const MAX_RECEIVE_BYTES = 64 << 20;
/**
 * Peeks the I/O worker's pipe end makes before it sleeps. A port pair is
 * four threads (two users, two I/O workers) plus ZeroMQ's own I/O threads,
 * often on fewer cores: a spinning worker takes the core from the thread it
 * waits for, so it parks almost at once and takes whole runs per wake-up.
 */
export const IO_SPIN = 0;
/** How often the supervisor looks whether the user's end has closed. */
const SUPERVISE_MS = 100;

const cfg = workerData as IoConfig;
const post = (m: IoMessage): void => parentPort!.postMessage(m);

function makeSocket(): zmq.Push | zmq.Publisher | zmq.Pull | zmq.Subscriber | zmq.Pair {
  const ivl = Math.max(100, Math.floor(cfg.peerTimeoutMs / 3));
  const common = {
    linger: 0,
    heartbeatInterval: ivl,
    heartbeatTimeout: cfg.peerTimeoutMs,
    heartbeatTimeToLive: Math.max(100, cfg.peerTimeoutMs),
    reconnectInterval: 100,
    reconnectMaxInterval: 1000,
  };
  if (cfg.direction === 'both')
    return new zmq.Pair({ ...common, maxMessageSize: MAX_RECEIVE_BYTES });
  if (cfg.direction === 'out')
    return cfg.mode === 'fanout'
      ? new zmq.Publisher({ ...common, sendHighWaterMark: cfg.hwm })
      : new zmq.Push({ ...common, sendHighWaterMark: cfg.hwm });
  const opts = { ...common, receiveHighWaterMark: cfg.hwm, maxMessageSize: MAX_RECEIVE_BYTES };
  if (cfg.mode === 'fanout') {
    const s = new zmq.Subscriber(opts);
    s.subscribe();
    return s;
  }
  return new zmq.Pull(opts);
}

/** Resolves lingerMs after the last batch left (at once if none did), or when the supervisor gave up. */
function lingerOpen(st: { stopping: boolean; progress: number }): Promise<void> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (st.stopping || performance.now() - st.progress >= cfg.lingerMs) {
        clearInterval(t);
        resolve();
      }
    }, SUPERVISE_MS);
  });
}

async function openRegion(): Promise<Region> {
  if (cfg.sab !== undefined) return attachRegion(cfg.sab);
  return (await import('@pktfabric/shm')).openSharedRegion(cfg.regionName!);
}

let ep: PipeEndpoint | null = null;
let sock: ReturnType<typeof makeSocket> | null = null;
let link: LinkWatch | null = null;
let supervisor: ReturnType<typeof setInterval> | null = null;
try {
  const region = await openRegion();
  ep = openPort(region, cfg.pipeEnd, { spin: IO_SPIN });
  const ctr = new CounterWriter(region, cfg.netIf);
  link = new LinkWatch(region, cfg.netIf, cfg.userIf, cfg.peerTimeoutMs, ctr, () =>
    post({ type: 'up' }),
  );
  const s = makeSocket();
  sock = s;
  const l = link;
  void (async () => {
    for await (const ev of s.events) l.event(ev.type);
  })().catch(() => {});
  try {
    if (cfg.bind) await s.bind(cfg.endpoint);
    else s.connect(cfg.endpoint);
  } catch (e) {
    const z = e as { code?: string; message?: string };
    throw new NetEndpointError(
      cfg.endpoint,
      cfg.bind ? 'bind' : 'connect',
      z.code ?? 'EINVAL',
      z.message ?? String(e),
    );
  }
  post({ type: 'ready', endpoint: cfg.bind ? (s.lastEndpoint ?? cfg.endpoint) : cfg.endpoint });
  const st = { stopping: false, peers: () => l.peers, progress: 0 };
  const theEnd = ep;
  // The user's end closed: `in` stops now; `out` sends what is left, but
  // gives up once no batch has left for lingerMs (a peer holding it back).
  let closeAt = -1;
  supervisor = setInterval(() => {
    if (closeAt < 0) {
      if (!theEnd.peerClosed) return;
      closeAt = performance.now();
    }
    if (
      cfg.direction === 'in' ||
      performance.now() - Math.max(closeAt, st.progress) > cfg.lingerMs
    ) {
      st.stopping = true;
      s.close();
    }
  }, SUPERVISE_MS);
  if (cfg.direction === 'out') {
    await pumpOut(ep, s as zmq.Push, ctr, cfg.maxBatch, cfg.mode === 'fanout', st);
    // ZeroMQ still holds up to hwm batches per peer (and the kernel more)
    // and has no "queue empty" signal, and a socket closed in a thread that
    // then exits loses them: keep it open lingerMs after the last batch.
    if (!st.stopping) await lingerOpen(st);
  } else if (cfg.direction === 'in') await pumpIn(ep, s as zmq.Pull, ctr, st);
  else {
    // Both ways on one PAIR socket (one send and one receive pending at a
    // time is what ZeroMQ allows): when the user closes, the out side drains
    // and lingers, then the in side is stopped by closing the socket.
    const pair = s as zmq.Pair;
    const inDone = pumpIn(ep, pair, ctr, st);
    await pumpOut(ep, pair, ctr, cfg.maxBatch, false, st);
    if (!st.stopping) await lingerOpen(st);
    st.stopping = true;
    s.close();
    await inDone;
  }
} catch (e) {
  const err = e as Error;
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err))
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') fields[k] = v;
  post({
    type: 'error',
    error: {
      name: err?.name ?? 'Error',
      message: err?.message ?? String(e),
      ...(err?.stack !== undefined ? { stack: err.stack } : {}),
      fields,
    },
  });
} finally {
  if (supervisor !== null) clearInterval(supervisor);
  try {
    if (sock !== null && !sock.closed) sock.close();
  } catch {
    // already closed
  }
  link?.close();
  ep?.close();
}
