/**
 * A third thread of a run, started by a transport's `setup` (the engine runs
 * one sender and one receiver worker per case): a second sender into the
 * same switch (vale-2to1-64b) or the drainer of a copy monitor on the
 * sending port (vale-64b-rw-monitored, pipe-64b-rw-captured). It runs
 * helper-worker.js from dist and talks to the case's sender worker through
 * a small SharedArrayBuffer of flags and counts (the aux block below), not
 * through the engine's control block, which it does not see. Its counts are
 * plain Float64 stores, published by the DONE flag raised after them.
 *
 * The handshake, driven by the sender worker:
 * 1. the sender opens its port, sets OPENED and waits for READY (the
 *    helper has opened its port or monitor; a monitor needs the monitored
 *    port open first);
 * 2. the sender calls `ready()`; once the run starts it sets GO;
 * 3. when the sender's loop ends it sets STOP (and, for a monitor, SENT:
 *    what it sent, every packet the monitor was to see); the helper ends,
 *    closes its port, writes its counts and sets DONE;
 * 4. the sender waits for DONE and adds the counts to its own (a second
 *    sender) or leaves them to `release` (a monitor: seen + dropped must be
 *    SENT).
 *
 * A helper that throws sets ABORT; a side waiting on the block then throws.
 * Every wait has a deadline, so a helper that dies cannot hang a side.
 */
import { Worker } from 'node:worker_threads';
import { BenchCaseError } from '../errors.js';

/** Int32 words of the aux block. */
export const AUX_OPENED = 0;
export const AUX_READY = 1;
export const AUX_GO = 2;
export const AUX_STOP = 3;
export const AUX_DONE = 4;
export const AUX_ABORT = 5;
/** The helper's checksum fold (a second sender's), int32. */
export const AUX_SUM = 6;
const AUX_I32_WORDS = 8;
/** Float64 words (after the int32 words): the helper's packets, its drops, the sender's count. */
export const AUX_F_PACKETS = 0;
export const AUX_F_DROPS = 1;
export const AUX_F_SENT = 2;
const AUX_F64_WORDS = 4;

/** How long a side waits for the other end of the aux block before it gives up. */
export const HELPER_WAIT_MS = 10_000;

/** What the helper worker does. */
export type HelperKind = 'vale-sender' | 'monitor-drain' | 'monitor-capture';

/** The helper worker's workerData. */
export interface HelperInit {
  kind: HelperKind;
  caseName: string;
  aux: SharedArrayBuffer;
  /** The region the ports are in. */
  sab: SharedArrayBuffer;
  /** The port it opens: a switch port to send from, or a monitor name (`vale0:tx/t`, `pipe{1/t`). */
  portName: string;
  burst: number;
  /** vale-sender: the switch port whose room it checks, and the margin it leaves for the other sender. */
  roomPort?: string;
  margin?: number;
}

/** The aux block's two views. */
export interface Aux {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
}

export function createAux(): SharedArrayBuffer {
  return new SharedArrayBuffer(AUX_I32_WORDS * 4 + AUX_F64_WORDS * 8);
}

export function auxViews(sab: SharedArrayBuffer): Aux {
  return {
    i32: new Int32Array(sab, 0, AUX_I32_WORDS),
    f64: new Float64Array(sab, AUX_I32_WORDS * 4, AUX_F64_WORDS),
  };
}

/** Sets flag `word` and wakes whoever waits on it. */
export function raise(aux: Aux, word: number): void {
  Atomics.store(aux.i32, word, 1);
  Atomics.notify(aux.i32, word);
}

/**
 * Blocks until flag `word` is set. Throws BenchCaseError ('worker-error')
 * when the other thread set ABORT or after HELPER_WAIT_MS.
 */
export function waitFlag(aux: Aux, word: number, caseName: string, what: string): void {
  const deadline = performance.now() + HELPER_WAIT_MS;
  while (Atomics.load(aux.i32, word) === 0) {
    if (Atomics.load(aux.i32, AUX_ABORT) !== 0)
      throw new BenchCaseError(caseName, 'worker-error', `the helper thread failed (${what})`);
    if (performance.now() > deadline)
      throw new BenchCaseError(caseName, 'worker-error', `timed out waiting for ${what}`);
    Atomics.wait(aux.i32, word, 0, 50);
  }
}

/** The main thread's handle on a running helper worker. */
export interface Helper {
  readonly aux: Aux;
  /** The helper's error, once it reported one. */
  error(): string | undefined;
  /** Ends the worker (it normally ends by itself once DONE is set). */
  terminate(): void;
}

/** Starts helper-worker.js from dist with `init`. Main thread. */
export function startHelper(init: Omit<HelperInit, 'aux'>, aux: SharedArrayBuffer): Helper {
  const views = auxViews(aux);
  let failure: string | undefined;
  const worker = new Worker(new URL('../helper-worker.js', import.meta.url), {
    workerData: { ...init, aux } satisfies HelperInit,
  });
  worker.on('message', (m: { error?: string }) => {
    if (typeof m.error === 'string') failure = m.error;
  });
  worker.on('error', (e) => {
    failure = e.message;
    raise(views, AUX_ABORT);
  });
  return {
    aux: views,
    error: () => failure,
    terminate() {
      raise(views, AUX_ABORT);
      void worker.terminate();
    },
  };
}

/**
 * `release` of a case whose helper drained a copy monitor: after a
 * successful run the helper must have ended cleanly and the monitor must
 * have seen or counted as dropped every packet the sender sent.
 */
export function checkMonitorHelper(caseName: string, helper: Helper, ok: boolean): void {
  helper.terminate();
  if (!ok) return;
  const err = helper.error();
  if (err !== undefined) throw new BenchCaseError(caseName, 'worker-error', `monitor: ${err}`);
  const { i32, f64 } = helper.aux;
  if (Atomics.load(i32, AUX_DONE) === 0)
    throw new BenchCaseError(caseName, 'integrity', 'the monitor drainer did not finish');
  const seen = f64[AUX_F_PACKETS]!;
  const dropped = f64[AUX_F_DROPS]!;
  const sent = f64[AUX_F_SENT]!;
  if (seen + dropped !== sent)
    throw new BenchCaseError(
      caseName,
      'integrity',
      `the monitor saw ${seen} and dropped ${dropped} of the ${sent} packets sent`,
    );
}
