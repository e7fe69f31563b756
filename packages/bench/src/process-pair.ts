/**
 * The engine for cases whose sides are processes (Transport.sides
 * `'processes'`): worker-pair.ts's run, with two child processes forked from
 * dist (bench-process.js) instead of two workers.
 *
 * Per run: a unique name (`bench-<pid>-<n>-<random>`) for the transport's
 * region (SetupContext.regionName) and `<name>-ctl` for a control block of
 * its own, both named shared-memory objects (@pktfabric/shm) that the
 * children open by name; the control block's sleeps and wake-ups are futexes
 * (process-control.ts). The children get their ProcessInit as their first IPC
 * message and answer `ready`, `result` or `error` like workers. Both names
 * are removed as soon as both children have them open (the mappings stay),
 * and again, quietly, when the run ends, so a run leaves no object behind
 * whatever happens to it, also when a side fails or is killed.
 *
 * Failure never hangs the caller: a child's error or early exit, or a run
 * that outlives the hang guard, kills both children (SIGKILL) and rejects
 * with BenchCaseError. Children that finished get a grace period to exit by
 * themselves and are killed after it. The transport's `release` runs once
 * both have exited. A child whose bench dies kills itself
 * (process-watchdog.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createShm, unlinkShm } from '@pktfabric/shm';
import type { CaseOptions, CaseRun } from './api.js';
import { CASES, transportOf, type CaseName } from './cases.js';
import { CONTROL_BYTES, PHASE_STOP } from './layout/control-layout.js';
import { ProcessControl } from './process-control.js';
import type { ProcessInit, Role, SideResult, WorkerMessage } from './protocol.js';
import { builtSibling } from './util/worker-url.js';
import { combine, hangGuard, release, resolve, SideSignals, startPhases } from './worker-pair.js';

const ENTRY = fileURLToPath(builtSibling(import.meta.url, './bench-process.js'));
/** Milliseconds a finished child gets to exit before it is killed. */
const EXIT_GRACE_MS = 5000;

let runs = 0;

/** A fresh name for one run's shared objects (shm names: 1..64 of A-Z a-z 0-9 . _ -). */
export function processRunName(): string {
  return `bench-${process.pid}-${++runs}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Removes a shared-memory name if it is still there. */
function unlinkQuietly(name: string): void {
  try {
    unlinkShm(name);
  } catch {
    // already removed (or never created)
  }
}

/** One child's lifecycle as promises (each with a no-op catch, so a late rejection is never unhandled). */
class ProcessSide {
  readonly proc: ChildProcess;
  readonly ready: Promise<void>;
  readonly result: Promise<SideResult>;
  readonly exited: Promise<void>;

  constructor(caseName: CaseName, role: Role, init: ProcessInit) {
    this.proc = fork(ENTRY, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const p = this.proc;
    const s = new SideSignals(caseName, `${role} process`);
    this.ready = s.ready;
    this.result = s.result;
    this.exited = new Promise((a) => p.once('exit', () => a()));
    p.on('message', (m: WorkerMessage) => s.message(m));
    p.on('error', (e: Error) => s.fail('worker-error', `${role} process: ${e.stack ?? e.message}`));
    p.once('exit', (code, signal) =>
      // Settled promises ignore this; it only matters for a child that died early.
      s.fail(
        'worker-exit',
        `${role} process exited ${signal !== null ? `on ${signal}` : `with code ${code}`}`,
      ),
    );
    p.send(init);
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  kill(): void {
    if (this.running) this.proc.kill('SIGKILL');
  }

  /** Waits for the child to exit on its own for up to `ms`, then kills it. */
  async reap(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((a) => (timer = setTimeout(() => a('late'), ms)));
    const r = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (r === 'late') {
      this.kill();
      await this.exited;
    }
  }
}

/**
 * Runs a case whose sides are processes once and returns its rate. Rejects
 * with BenchCaseError when the run fails (ShmUnavailableError when the
 * addon is not there); both children have exited and both names are gone by
 * then. Called by runCase (worker-pair.ts) for such cases.
 */
export async function runProcessCase(caseName: CaseName, opts: CaseOptions = {}): Promise<CaseRun> {
  const r = resolve(opts);
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: build the bench first`);
  const regionName = processRunName();
  const controlName = `${regionName}-ctl`;
  let shared;
  try {
    shared = await transportOf(caseName).setup({
      caseName,
      work: CASES[caseName].work,
      packetSize: CASES[caseName].packetSize,
      mode: CASES[caseName].mode,
      slots: r.slots,
      burst: r.burst,
      regionName,
    });
  } catch (e) {
    unlinkQuietly(regionName);
    throw e;
  }
  let control: ProcessControl;
  try {
    control = new ProcessControl(createShm(controlName, CONTROL_BYTES).buffer);
  } catch (e) {
    release(shared, false);
    unlinkQuietly(regionName);
    throw e;
  }
  const base = { caseName, controlName, burst: r.burst };
  const sender = new ProcessSide(caseName, 'sender', {
    ...base,
    role: 'sender',
    data: shared.sender.data,
  });
  const receiver = new ProcessSide(caseName, 'receiver', {
    ...base,
    role: 'receiver',
    data: shared.receiver.data,
  });
  const timers: NodeJS.Timeout[] = [];
  const guard = hangGuard(caseName, r.hangGuardMs, 'both processes killed', timers);
  let reported = false;
  let passed = false;
  try {
    await Promise.race([Promise.all([sender.ready, receiver.ready]), guard]);
    // Both have mapped both objects: the names are no longer needed.
    unlinkQuietly(regionName);
    unlinkQuietly(controlName);
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
      sender.kill();
      receiver.kill();
    }
    await Promise.all([sender.reap(EXIT_GRACE_MS), receiver.reap(EXIT_GRACE_MS)]);
    unlinkQuietly(regionName);
    unlinkQuietly(controlName);
    release(shared, passed);
  }
}
