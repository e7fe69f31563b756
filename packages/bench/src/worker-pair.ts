/**
 * The engine: runs one case once between two workers and returns its rate.
 *
 * The main thread has the case's transport (transport.ts) create what the
 * two sides share (a region with one pipe, a hand ring, a MessageChannel,
 * ...), makes a control block, starts a sender and a receiver worker from
 * dist (bench-worker.js), and waits until both are set up. Then it moves the
 * control block through RUN (warm-up), MEASURE (the receiver's window opens)
 * and STOP (the window closes; the sender stops and the receiver drains). The result is the receiver's packets over its window;
 * sender and receiver must agree on the total count and checksum.
 *
 * Failure never hangs the caller: a worker error or early exit, or a run that
 * outlives the hang guard, terminates both workers and rejects with
 * BenchCaseError. Workers that finished are given a grace period to exit by
 * themselves and are terminated after it. The transport's `release` runs
 * once both are gone.
 *
 * A transport whose sides are processes (Transport.sides) runs in
 * process-pair.ts instead, the same way with two child processes.
 */
import { Worker, type TransferListItem } from 'node:worker_threads';
import {
  DEFAULT_BURST,
  DEFAULT_DURATION_S,
  DEFAULT_SLOTS,
  type CaseOptions,
  type CaseRun,
} from './api.js';
import { CASES, isCaseName, transportOf, type CaseName } from './cases.js';
import { Control, createControl } from './control.js';
import { BenchCaseError } from './errors.js';
import { PHASE_MEASURE, PHASE_RUN, PHASE_STOP } from './layout/control-layout.js';
import type { Role, SideResult, WorkerInit, WorkerMessage } from './protocol.js';
import type { Shared } from './transport.js';
import { builtSibling } from './util/worker-url.js';
import { runProcessCase } from './process-pair.js';

const WORKER_URL = builtSibling(import.meta.url, './bench-worker.js');
/** Milliseconds a finished worker gets to exit before it is terminated. */
const EXIT_GRACE_MS = 5000;

export interface Resolved {
  durationMs: number;
  warmupMs: number;
  burst: number;
  slots: number;
  hangGuardMs: number;
}

/** The options of one run with their defaults, checked (RangeError). */
export function resolve(opts: CaseOptions): Resolved {
  const durationS = opts.durationS ?? DEFAULT_DURATION_S;
  if (!(durationS > 0 && durationS <= 3600))
    throw new RangeError(`durationS must be in (0, 3600], got ${durationS}`);
  const warmupS = opts.warmupS ?? Math.min(0.5, durationS / 2);
  if (!(warmupS >= 0 && warmupS <= 3600))
    throw new RangeError(`warmupS must be in [0, 3600], got ${warmupS}`);
  const burst = opts.burst ?? DEFAULT_BURST;
  if (!Number.isInteger(burst) || burst < 1 || burst > 65536)
    throw new RangeError(`burst must be an integer from 1 to 65536, got ${burst}`);
  const slots = opts.slots ?? DEFAULT_SLOTS;
  if (!Number.isInteger(slots) || slots < 4 || slots > 32768 || (slots & (slots - 1)) !== 0)
    throw new RangeError(`slots must be a power of two from 4 to 32768, got ${slots}`);
  const hangGuardMs = opts.hangGuardMs ?? (warmupS + durationS) * 1000 + 30_000;
  if (!(hangGuardMs > 0)) throw new RangeError(`hangGuardMs must be > 0, got ${hangGuardMs}`);
  return { durationMs: durationS * 1000, warmupMs: warmupS * 1000, burst, slots, hangGuardMs };
}

/**
 * Calls the transport's `release` once both workers are gone. After a failed
 * run (`ok` false) whatever it throws is dropped, so the run keeps its error.
 */
export function release(shared: Shared<unknown>, ok: boolean): void {
  if (shared.release === undefined) return;
  if (ok) {
    shared.release(true);
    return;
  }
  try {
    shared.release(false);
  } catch {
    // the run already failed; its error is the one to report
  }
}

/**
 * The `ready` and `result` promises of one side of a run (a worker or a
 * child process), settled from its messages; each has a no-op catch
 * attached, so a late rejection is never unhandled. `label` names the side
 * in errors ("sender", "receiver process").
 */
export class SideSignals {
  readonly ready: Promise<void>;
  readonly result: Promise<SideResult>;
  private readyOk!: () => void;
  private readyFail!: (e: Error) => void;
  private resultOk!: (r: SideResult) => void;
  private resultFail!: (e: Error) => void;

  constructor(
    private readonly caseName: CaseName,
    private readonly label: string,
  ) {
    this.ready = new Promise((a, b) => ((this.readyOk = a), (this.readyFail = b)));
    this.result = new Promise((a, b) => ((this.resultOk = a), (this.resultFail = b)));
    for (const p of [this.ready, this.result]) p.catch(() => {});
  }

  /** A message from the side: it is ready, its result, or the error it stopped on. */
  message(m: WorkerMessage): void {
    if (m.type === 'ready') this.readyOk();
    else if (m.type === 'result') this.resultOk(m.result);
    else
      this.fail(
        'worker-error',
        `${this.label}: ${m.error.name}: ${m.error.message}\n${m.error.stack ?? ''}`,
      );
  }

  /** The side failed: both promises reject with BenchCaseError (a settled one ignores it). */
  fail(reason: 'worker-error' | 'worker-exit', detail: string): void {
    const e = new BenchCaseError(this.caseName, reason, detail);
    this.readyFail(e);
    this.resultFail(e);
  }
}

/** One worker's lifecycle as promises. Each has a no-op catch attached, so a late rejection is never unhandled. */
class Side {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  readonly result: Promise<SideResult>;
  readonly exited: Promise<number>;

  constructor(
    caseName: CaseName,
    role: Role,
    init: WorkerInit,
    transfer: readonly TransferListItem[],
  ) {
    this.worker = new Worker(WORKER_URL, { workerData: init, transferList: [...transfer] });
    const w = this.worker;
    const s = new SideSignals(caseName, role);
    this.ready = s.ready;
    this.result = s.result;
    this.exited = new Promise((a) => w.once('exit', a));
    w.on('message', (m: WorkerMessage) => s.message(m));
    w.on('error', (e: Error) => s.fail('worker-error', `${role}: ${e.stack ?? e.message}`));
    // Settled promises ignore this; it only matters for a worker that died early.
    w.once('exit', (code: number) => s.fail('worker-exit', `${role} exited with code ${code}`));
  }
}

async function terminate(side: Side): Promise<void> {
  await side.worker.terminate();
}

/** Waits for a worker to exit on its own for up to `ms`, then terminates it. Returns true if it had to. */
async function reap(side: Side, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((a) => (timer = setTimeout(() => a('late'), ms)));
  const r = await Promise.race([side.exited, late]);
  clearTimeout(timer);
  if (r !== 'late') return false;
  await terminate(side);
  return true;
}

/**
 * Runs `caseName` once and returns its rate. Rejects with BenchCaseError when
 * the run fails; both workers are gone by then.
 */
export async function runCase(caseName: CaseName, opts: CaseOptions = {}): Promise<CaseRun> {
  if (!isCaseName(caseName)) throw new RangeError(`unknown bench case ${caseName}`);
  if (transportOf(caseName).sides === 'processes') return runProcessCase(caseName, opts);
  const r = resolve(opts);
  const shared = await transportOf(caseName).setup({
    caseName,
    work: CASES[caseName].work,
    packetSize: CASES[caseName].packetSize,
    mode: CASES[caseName].mode,
    slots: r.slots,
    burst: r.burst,
  });
  const controlSab = createControl();
  const control = new Control(controlSab);
  const base = { caseName, control: controlSab, burst: r.burst };
  const sender = new Side(
    caseName,
    'sender',
    { ...base, role: 'sender', data: shared.sender.data },
    shared.sender.transfer ?? [],
  );
  const receiver = new Side(
    caseName,
    'receiver',
    { ...base, role: 'receiver', data: shared.receiver.data },
    shared.receiver.transfer ?? [],
  );
  const timers: NodeJS.Timeout[] = [];
  const guard = hangGuard(caseName, r.hangGuardMs, 'both workers terminated', timers);
  let reported = false;
  let passed = false;
  try {
    shared.started?.({ sender: sender.worker, receiver: receiver.worker });
    await Promise.race([Promise.all([sender.ready, receiver.ready]), guard]);
    startPhases(control, r, timers);
    const [s, x] = await Promise.race([Promise.all([sender.result, receiver.result]), guard]);
    reported = true;
    const run = combine(caseName, s, x, control.lineRttNs());
    passed = true;
    return run;
  } finally {
    for (const t of timers) clearTimeout(t);
    if (!reported) {
      control.setPhase(PHASE_STOP);
      await Promise.all([terminate(sender), terminate(receiver)]);
    } else {
      // Both reported (combine may still have thrown): give them time to exit.
      await Promise.all([reap(sender, EXIT_GRACE_MS), reap(receiver, EXIT_GRACE_MS)]);
    }
    release(shared, passed);
  }
}

/**
 * The hang guard of one run: rejects with BenchCaseError 'hang' (saying
 * `what` was done about the sides) after `ms`. Its timer goes into `timers`,
 * which the caller clears; the rejection is never unhandled.
 */
export function hangGuard(
  caseName: CaseName,
  ms: number,
  what: string,
  timers: NodeJS.Timeout[],
): Promise<never> {
  const guard = new Promise<never>((_, fail) => {
    timers.push(
      setTimeout(
        () => fail(new BenchCaseError(caseName, 'hang', `no result after ${ms} ms; ${what}`)),
        ms,
      ),
    );
  });
  guard.catch(() => {});
  return guard;
}

/** Starts a run: RUN now, MEASURE after the warm-up, STOP after the window. The timers go into `timers`. */
export function startPhases(control: Control, r: Resolved, timers: NodeJS.Timeout[]): void {
  control.setPhase(PHASE_RUN);
  timers.push(setTimeout(() => control.setPhase(PHASE_MEASURE), r.warmupMs));
  timers.push(setTimeout(() => control.setPhase(PHASE_STOP), r.warmupMs + r.durationMs));
}

/** The run's result from its two sides' (the receiver's window); BenchCaseError when they disagree. */
export function combine(
  caseName: CaseName,
  s: SideResult,
  x: SideResult,
  lineRttNs = NaN,
): CaseRun {
  if (s.packets !== x.packets || s.checksum !== x.checksum)
    throw new BenchCaseError(
      caseName,
      'integrity',
      `sent ${s.packets} packets (checksum ${s.checksum}), received ${x.packets} (checksum ${x.checksum})`,
    );
  if (!(x.windowPackets > 0 && x.windowSeconds > 0))
    throw new BenchCaseError(
      caseName,
      'no-window',
      `receiver window: ${x.windowPackets} packets in ${x.windowSeconds} s`,
    );
  const kicks = s.kicks >= 0 && x.kicks >= 0 ? s.kicks + x.kicks : null;
  return {
    case: caseName,
    pps: x.windowPackets / x.windowSeconds,
    windowPackets: x.windowPackets,
    windowSeconds: x.windowSeconds,
    totalPackets: x.packets,
    kicks,
    kicksPerMillion: kicks === null ? null : (kicks / x.packets) * 1e6,
    ...(x.rtt !== undefined ? { rtt: x.rtt } : {}),
    lineRttNs,
  };
}
