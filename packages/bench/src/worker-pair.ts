/**
 * The engine: runs one case once between two workers and returns its rate.
 *
 * The main thread creates what the case shares (a region with one pipe, a
 * hand ring, or a MessageChannel) and a control block, starts a sender and a
 * receiver worker from dist (bench-worker.js), and waits until both are set
 * up. Then it moves the control block through RUN (warm-up), MEASURE (the
 * receiver's window opens) and STOP (the window closes; the sender stops and
 * the receiver drains). The result is the receiver's packets over its window;
 * sender and receiver must agree on the total count and checksum.
 *
 * Failure never hangs the caller: a worker error or early exit, or a run that
 * outlives the hang guard, terminates both workers and rejects with
 * BenchCaseError. Workers that finished are given a grace period to exit by
 * themselves and are terminated after it.
 */
import { MessageChannel, Worker, type TransferListItem } from 'node:worker_threads';
import { createRegion, DEFAULT_BUF_COUNT, ringBytes, type Region } from '@pktfabric/core';
import { createPipe, watchWorker, type Pipe } from '@pktfabric/pipes';
import {
  CASES,
  DEFAULT_BURST,
  DEFAULT_DURATION_S,
  DEFAULT_SLOTS,
  type CaseName,
  type CaseOptions,
  type CaseRun,
} from './api.js';
import { Control, createControl } from './control.js';
import { BenchCaseError } from './errors.js';
import { createHandRing } from './transports/hand-ring.js';
import { PHASE_MEASURE, PHASE_RUN, PHASE_STOP } from './layout/control-layout.js';
import type { Role, SideResult, WorkerInit, WorkerMessage } from './protocol.js';
import { builtSibling } from './util/worker-url.js';

const WORKER_URL = builtSibling(import.meta.url, './bench-worker.js');
/** Bytes per payload slot of the hand ring: the region's default buffer size. */
const HAND_RING_SLOT_BYTES = 2048;
/** The pipe every pipe case uses: `pipe{1` sends, `pipe}1` receives. */
const PIPE_ID = 1;
/** Milliseconds a finished worker gets to exit before it is terminated. */
const EXIT_GRACE_MS = 5000;

interface Resolved {
  durationMs: number;
  warmupMs: number;
  burst: number;
  slots: number;
  hangGuardMs: number;
}

function resolve(opts: CaseOptions): Resolved {
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

interface Shared {
  sender: Partial<WorkerInit>;
  receiver: Partial<WorkerInit>;
  senderTransfer: TransferListItem[];
  receiverTransfer: TransferListItem[];
  /** pipe cases: the region and the pipe (released after the run). */
  region?: Region;
  pipe?: Pipe;
}

function share(caseName: CaseName, r: Resolved): Shared {
  const { transport } = CASES[caseName];
  if (transport === 'pipe') {
    const region = createRegion({
      bufCount: Math.max(DEFAULT_BUF_COUNT, 4 * r.slots + 64),
      ...(r.slots > DEFAULT_SLOTS ? { ringSize: ringBytes(r.slots) } : {}),
    });
    const pipe = createPipe(region, { id: PIPE_ID, slots: r.slots });
    return {
      sender: { sab: region.sab, portName: pipe.master },
      receiver: { sab: region.sab, portName: pipe.slave },
      senderTransfer: [],
      receiverTransfer: [],
      region,
      pipe,
    };
  }
  if (transport === 'handring') {
    const sab = createHandRing(r.slots, HAND_RING_SLOT_BYTES);
    return { sender: { sab }, receiver: { sab }, senderTransfer: [], receiverTransfer: [] };
  }
  const { port1, port2 } = new MessageChannel();
  return {
    sender: { port: port1 },
    receiver: { port: port2 },
    senderTransfer: [port1],
    receiverTransfer: [port2],
  };
}

/**
 * pipe cases, after both workers are gone: drops the creator's reference to
 * the pipe (destroying it) and checks that every buffer went back to the pool.
 */
function releasePipe(caseName: CaseName, shared: Shared): void {
  if (shared.pipe === undefined || shared.region === undefined) return;
  shared.pipe.release();
  const buf = shared.region.pools().find((p) => p.name === 'buf')!;
  if (buf.free !== buf.objTotal - buf.reserved)
    throw new BenchCaseError(
      caseName,
      'integrity',
      `after the pipe was destroyed ${buf.free} of ${buf.objTotal - buf.reserved} buffers are free`,
    );
}

/** One worker's lifecycle as promises. Each has a no-op catch attached, so a late rejection is never unhandled. */
class Side {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  readonly result: Promise<SideResult>;
  readonly exited: Promise<number>;

  constructor(caseName: CaseName, role: Role, init: WorkerInit, transfer: TransferListItem[]) {
    this.worker = new Worker(WORKER_URL, { workerData: init, transferList: transfer });
    const w = this.worker;
    let readyOk!: () => void;
    let readyFail!: (e: Error) => void;
    let resultOk!: (r: SideResult) => void;
    let resultFail!: (e: Error) => void;
    this.ready = new Promise((a, b) => ((readyOk = a), (readyFail = b)));
    this.result = new Promise((a, b) => ((resultOk = a), (resultFail = b)));
    this.exited = new Promise((a) => w.once('exit', a));
    const fail = (e: Error): void => {
      readyFail(e);
      resultFail(e);
    };
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') readyOk();
      else if (m.type === 'result') resultOk(m.result);
      else
        fail(
          new BenchCaseError(
            caseName,
            'worker-error',
            `${role}: ${m.error.name}: ${m.error.message}\n${m.error.stack ?? ''}`,
          ),
        );
    });
    w.on('error', (e: Error) =>
      fail(new BenchCaseError(caseName, 'worker-error', `${role}: ${e.stack ?? e.message}`)),
    );
    w.once('exit', (code: number) =>
      // Settled promises ignore this; it only matters for a worker that died early.
      fail(new BenchCaseError(caseName, 'worker-exit', `${role} exited with code ${code}`)),
    );
    for (const p of [this.ready, this.result]) p.catch(() => {});
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
  if (!Object.hasOwn(CASES, caseName)) throw new RangeError(`unknown bench case ${caseName}`);
  const r = resolve(opts);
  const shared = share(caseName, r);
  const controlSab = createControl();
  const control = new Control(controlSab);
  const base = { caseName, control: controlSab, burst: r.burst };
  const sender = new Side(
    caseName,
    'sender',
    { ...base, role: 'sender', ...shared.sender },
    shared.senderTransfer,
  );
  const receiver = new Side(
    caseName,
    'receiver',
    { ...base, role: 'receiver', ...shared.receiver },
    shared.receiverTransfer,
  );
  if (shared.region !== undefined) {
    // A worker that dies holding its end closes it, so the survivor sees POLLHUP.
    watchWorker(shared.region, shared.sender.portName!, sender.worker);
    watchWorker(shared.region, shared.receiver.portName!, receiver.worker);
  }
  const timers: NodeJS.Timeout[] = [];
  const guard = new Promise<never>((_, fail) => {
    timers.push(
      setTimeout(
        () =>
          fail(
            new BenchCaseError(
              caseName,
              'hang',
              `no result after ${r.hangGuardMs} ms; both workers terminated`,
            ),
          ),
        r.hangGuardMs,
      ),
    );
  });
  guard.catch(() => {});
  let ok = false;
  try {
    await Promise.race([Promise.all([sender.ready, receiver.ready]), guard]);
    control.setPhase(PHASE_RUN);
    timers.push(setTimeout(() => control.setPhase(PHASE_MEASURE), r.warmupMs));
    timers.push(setTimeout(() => control.setPhase(PHASE_STOP), r.warmupMs + r.durationMs));
    const [s, x] = await Promise.race([Promise.all([sender.result, receiver.result]), guard]);
    ok = true;
    const run = combine(caseName, s, x);
    await Promise.all([reap(sender, EXIT_GRACE_MS), reap(receiver, EXIT_GRACE_MS)]);
    releasePipe(caseName, shared);
    return run;
  } finally {
    for (const t of timers) clearTimeout(t);
    if (!ok) {
      control.setPhase(PHASE_STOP);
      await Promise.all([terminate(sender), terminate(receiver)]);
    } else {
      // combine threw (integrity): the workers already reported; make sure they are gone.
      await Promise.all([reap(sender, EXIT_GRACE_MS), reap(receiver, EXIT_GRACE_MS)]);
    }
  }
}

function combine(caseName: CaseName, s: SideResult, x: SideResult): CaseRun {
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
  };
}
