/**
 * A transport: how the two workers of a bench case move packets. One object
 * per transport, in a file of its own under transports/, listed once in
 * transports/registry.ts. The engine (worker-pair.ts, bench-worker.ts), the
 * suite, the report and the chart only ever go through this interface, so a
 * new transport (a VALE switch port, a cross-process pipe, ...) is one new
 * file plus one line in the registry.
 *
 * A run of a case, as the engine drives it:
 * 1. main thread: `setup(ctx)` creates what the two sides share (a region
 *    with a pipe, a ring, a MessageChannel, ...) and says what each worker
 *    gets (`data`, cloned or transferred into its workerData);
 * 2. the engine starts a sender and a receiver worker from dist and calls
 *    `started` with them (e.g. to watch them for death);
 * 3. in each worker: `run(ctx)` sets its side up (opens its port, makes its
 *    views and its PacketWork with `ctx.makeWork`), calls `ctx.ready()` once
 *    (which blocks until the main thread starts the run), then moves packets
 *    until the control block says stop, and returns its SideResult: packets,
 *    the fold of their checksums, notify calls (-1 when it does not count
 *    them) and, on the receiver, its measured window (control.ts,
 *    MeasureWindow);
 * 4. main thread, after both workers are gone: `release(ok)`.
 *
 * The per-packet work (packet-work.ts) is the same for every transport: a
 * transport picks how packets travel, never what is done to them, and the
 * engine fails a run whose sender and receiver checksums differ.
 */
import type { TransferListItem, Worker } from 'node:worker_threads';
import type { CaseMode, Work } from './api.js';
import type { Control } from './control.js';
import type { PacketWork } from './packet-work.js';
import type { Role, SideResult } from './protocol.js';

/** One case a transport runs: its name (in the report and bench-results.json) and its per-packet work. */
export interface TransportCase<N extends string = string> {
  readonly name: N;
  readonly work: Work;
  /**
   * The `frame` work's frame size in bytes (e.g. 60 or 1514): required with
   * that work, refused with the others (their size is the work's). It is the
   * case's packetSize, so its GB/s is the frames' bytes.
   */
  readonly frameBytes?: number;
  /**
   * The checks mode its ports are opened with (`'slots'` or `'ring'`), for
   * transports that open core ports; omitted (null in the report) otherwise.
   */
  readonly mode?: Exclude<CaseMode, null>;
  /**
   * A case (of any transport) doing the same thing through a lower-level
   * API, e.g. pipe-64b-rw for the easy-layer pipe cases: the report's
   * "vs low-level" ratio divides by its median. Omitted for most cases.
   */
  readonly lowLevel?: string;
  /**
   * A round-trip case (ping-pong, one packet in flight) instead of a
   * throughput case, and how its waiting side waits: `'spin'` (a poll that
   * spins and does not park while the peer answers) or `'park'` (a poll
   * that sleeps on the doorbell at once). Its rows report round-trip times.
   */
  readonly rtt?: RttWait;
  /**
   * For a case whose sides run in two processes (Transport.sides): the same
   * case between two threads, which its bar compares it with.
   */
  readonly threads?: string;
}

/** How a round-trip case's waiting side waits (TransportCase.rtt). */
export type RttWait = 'spin' | 'park';

/** Where a transport's two sides run: two worker threads (the default) or two child processes. */
export type Sides = 'threads' | 'processes';

/** The legend entry and colour of a transport's bars in the chart; transports of one family share one. */
export interface Family {
  readonly label: string;
  /** A CSS colour. */
  readonly color: string;
}

/** What `setup` gets (main thread), once per run. */
export interface SetupContext {
  readonly caseName: string;
  readonly work: Work;
  /** Bytes per packet (CaseInfo.packetSize: the work's, or the case's frameBytes). */
  readonly packetSize: number;
  /** The case's checks mode (TransportCase.mode), null when it declares none. */
  readonly mode: CaseMode;
  /** Slots per ring, a power of two (CaseOptions.slots). */
  readonly slots: number;
  /** Packets per batch (CaseOptions.burst). */
  readonly burst: number;
  /**
   * Transports whose sides are processes: the name of the one shared-memory
   * object to create (a unique name per run; the sides open it by name, and
   * the engine removes it once both have, or when the run ends). Undefined
   * for thread transports.
   */
  readonly regionName?: string;
}

/** What one worker receives: `data` goes into its workerData, with `transfer` as the transfer list. */
export interface SideShare<D> {
  readonly data: D;
  readonly transfer?: readonly TransferListItem[];
}

/** What `setup` made for one run. */
export interface Shared<D> {
  readonly sender: SideShare<D>;
  readonly receiver: SideShare<D>;
  /** Called once both workers exist, before either is ready (thread transports only). */
  started?(workers: { readonly sender: Worker; readonly receiver: Worker }): void;
  /**
   * Called once after both workers are gone. `ok`: the run succeeded so far;
   * a check that throws (BenchCaseError 'integrity') then fails it. After a
   * failed run whatever it throws is ignored and the run keeps its error.
   */
  release?(ok: boolean): void;
}

/** What `run` gets (in the worker of one side). */
export interface SideContext<D> {
  readonly caseName: string;
  readonly role: Role;
  readonly work: Work;
  /** Bytes per packet (CaseInfo.packetSize: the work's, or the case's frameBytes). */
  readonly packetSize: number;
  /** The case's checks mode (TransportCase.mode), null when it declares none. */
  readonly mode: CaseMode;
  readonly burst: number;
  /** The control block: `stopped()`, `markSenderDone`, `sentTotal()`, ... (control.ts). */
  readonly control: Control;
  /** What `setup` handed this side. */
  readonly data: D;
  /**
   * The case's per-packet work over the memory `u8` (a region, a ring, a
   * buffer). Make one per side, so the hot loop's call sites stay monomorphic.
   */
  makeWork(u8: Uint8Array): PacketWork;
  /**
   * Reports this side ready and blocks until the main thread starts the run.
   * Call it exactly once, when set up: setting up is not part of the run.
   */
  ready(): void;
}

/**
 * A transport. `N` is the union of its case names, `D` what each side gets
 * from `setup`. Declare one with `defineTransport`, which keeps the case
 * names as literal types (they make up CaseName).
 */
export interface Transport<N extends string = string, D = unknown> {
  /** Unique among the registered transports. */
  readonly name: string;
  readonly family: Family;
  /**
   * Where its two sides run (default `'threads'`). With `'processes'` the
   * engine (process-pair.ts) forks two child processes from dist
   * (bench-process.js) instead of starting two workers; `data` then crosses
   * an IPC channel and memory is shared by name (SetupContext.regionName).
   */
  readonly sides?: Sides;
  /**
   * Why this transport cannot run `caseName` (one of its cases) here (e.g.
   * the shared-memory addon did not build, or there is no /dev/shm), or
   * undefined when it can. The CLI skips such cases and prints the reason.
   */
  unavailable?(caseName: string): string | undefined;
  /** The cases of this transport, in report order. */
  readonly cases: readonly TransportCase<N>[];
  /** Main thread: creates what the two sides of one run share. */
  setup(ctx: SetupContext): Shared<D> | Promise<Shared<D>>;
  /** Worker: runs one side of one run (see the steps above). */
  run(ctx: SideContext<D>): SideResult | Promise<SideResult>;
}

/** Returns `t`, typed with its case names as literals. */
export function defineTransport<const N extends string, D>(t: Transport<N, D>): Transport<N, D> {
  return t;
}
