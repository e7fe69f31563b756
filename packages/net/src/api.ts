/** Public option and result types of @pktfabric/net, each with its default. */
import type { OpenOptions } from '@pktfabric/core';

/**
 * Which way packets go through the port: `out` (the user sends), `in` (the
 * user receives) or `both` (a ZeroMQ PAIR socket: one peer, lossless both
 * ways; for request / response such as pktgen's ping and pong).
 */
export type NetDirection = 'in' | 'out' | 'both';
/**
 * `lossless`: ZeroMQ PUSH/PULL; a full or absent peer holds the sender back
 * (its ring fills, POLLOUT waits), nothing is dropped silently.
 * `fanout`: PUB/SUB; every subscriber gets every batch it keeps up with; a
 * slow subscriber loses batches (it counts them as gaps and drops).
 */
export type NetMode = 'lossless' | 'fanout';

/** Options of `openNetPort` (the name's `@...` options give the same; these win). */
export interface NetOpenOptions extends OpenOptions {
  /** Required, in the name (`@in` / `@out`) or here. */
  direction?: NetDirection;
  /** @defaultValue 'lossless' */
  mode?: NetMode;
  /** Bind the endpoint (true) or connect to it. @defaultValue true for `out`, false for `in` and `both` */
  bind?: boolean;
  /** Batches ZeroMQ queues per peer (ZMQ_SNDHWM / ZMQ_RCVHWM), 1 .. 65536. @defaultValue 16 */
  hwm?: number;
  /** Frames per ZeroMQ message at most, 1 .. 4096. @defaultValue 256 */
  maxBatch?: number;
  /**
   * How long every peer must have been gone before the port reports POLLHUP,
   * in ms, 100 .. 3600000. ZeroMQ's heartbeats (ZMTP PING every
   * peerTimeoutMs / 3) find a peer that went away without closing.
   * @defaultValue 3000
   */
  peerTimeoutMs?: number;
  /** Wait at most this long (ms) in openNetPort for a first peer; 0 does not wait. Rejects with NetPeerTimeoutError. @defaultValue 0 */
  waitPeerMs?: number;
  /** On close, how long (ms) queued batches may still take to leave (ZMQ_LINGER), 0 .. 60000. @defaultValue 2000 */
  lingerMs?: number;
  /** Slots of the port's ring (a power of two, 4 .. 32768). @defaultValue 1024 */
  slots?: number;
  /** Name of the shared region (`@pktfabric/shm`) when the region is not a SharedArrayBuffer: the I/O worker opens it by name. */
  regionName?: string;
}

/** What the name says (parseNetName). Fields the name leaves out are undefined. */
export interface NetName {
  /** The ZeroMQ endpoint, e.g. `tcp://127.0.0.1:5555`. */
  endpoint: string;
  transport: 'tcp' | 'ipc';
  direction?: NetDirection;
  mode?: NetMode;
  bind?: boolean;
  hwm?: number;
  maxBatch?: number;
  peerTimeoutMs?: number;
}

/** The counters of a network port (layout/net-layout.ts). */
export interface NetCounters {
  /** 'waiting' (no peer yet), 'up', 'hup' (peers gone for peerTimeoutMs), 'closed'. */
  link: 'waiting' | 'up' | 'hup' | 'closed';
  peers: number;
  packets: number;
  bytes: number;
  batches: number;
  gaps: number;
  drops: number;
  bad: number;
  reconnects: number;
}

export const DEFAULT_HWM = 16;
export const DEFAULT_MAX_BATCH = 256;
/**
 * Peeks the user's end makes in poll before it sleeps, unless `spin` is
 * given: none. The I/O worker it waits for needs a core (a port pair is four
 * threads plus ZeroMQ's), and a spinning poll takes it; pass a spin when
 * the threads have cores to spare.
 */
export const DEFAULT_NET_SPIN = 0;
export const DEFAULT_PEER_TIMEOUT_MS = 3000;
export const DEFAULT_LINGER_MS = 2000;
export const MAX_HWM = 65536;
export const MAX_BATCH = 4096;
export const MIN_PEER_TIMEOUT_MS = 100;
export const MAX_PEER_TIMEOUT_MS = 3_600_000;
export const MAX_LINGER_MS = 60_000;
