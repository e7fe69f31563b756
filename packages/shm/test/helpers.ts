/** Test helpers: a forked child process to command, unique names, and "is that thread asleep in FUTEX_WAIT?". */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { futexSyscallNumber, shmAvailable, shmUnavailableReason, unlinkShm } from '../src/index.js';
import type { FromChild, ToChild } from './fixtures/protocol.js';

/** Generous guard against a hang; never a synchronisation. */
export const HANG_MS = 20_000;

const CHILD = fileURLToPath(new URL('../dist/test/fixtures/child.js', import.meta.url));

/**
 * Whether to run the addon's tests. Unavailable in CI: run them anyway so
 * they fail loudly with the reason; elsewhere skip them, saying why.
 */
export const addonAvailable = shmAvailable();
export const runAddonTests = addonAvailable || !!process.env['CI'];
if (!addonAvailable) {
  console.warn(`@pktfabric/shm tests: the addon is unavailable: ${shmUnavailableReason()}`);
}

let counter = 0;
const made = new Set<string>();
/** A fresh object name for this test process; `cleanup()` unlinks what is left. */
export function uniqueName(tag: string): string {
  const name = `t-${tag}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  made.add(name);
  return name;
}
export function cleanup(): void {
  for (const name of made) {
    try {
      unlinkShm(name);
    } catch {
      // already gone
    }
  }
  made.clear();
}

export function devShmPath(name: string): string {
  return `/dev/shm/pktfabric-${name}`;
}

function withTimeout<T>(p: Promise<T>, what: string, ms = HANG_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang guard: ${what} after ${ms} ms`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

export class Child {
  readonly proc: ChildProcess;
  private readonly inbox: FromChild[] = [];
  private waiting: (() => void) | undefined;
  private exitCode: number | null | undefined;
  readonly exited: Promise<void>;

  constructor(env: NodeJS.ProcessEnv = {}) {
    if (!existsSync(CHILD)) throw new Error(`${CHILD} is missing: run the package's build first`);
    this.proc = fork(CHILD, [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: FromChild) => {
      this.inbox.push(m);
      this.waiting?.();
    });
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        this.waiting?.();
        resolve();
      });
    });
  }

  /** Throws what the child reported if its last message is an error. */
  checkError(): void {
    const m = this.inbox.find((x) => x.type === 'error');
    if (m) throw new Error(`child reported ${JSON.stringify(m)}`);
  }

  get pid(): number {
    return this.proc.pid!;
  }

  send(msg: ToChild): void {
    this.proc.send(msg);
  }

  /** The next message of this type (messages of other types before it are an error). */
  next<T extends FromChild['type']>(type: T): Promise<Extract<FromChild, { type: T }>> {
    const take = async (): Promise<Extract<FromChild, { type: T }>> => {
      for (;;) {
        const m = this.inbox.shift();
        if (m) {
          if (m.type === type) return m as Extract<FromChild, { type: T }>;
          throw new Error(`child sent ${JSON.stringify(m)} while the test waited for '${type}'`);
        }
        if (this.exitCode !== undefined) {
          throw new Error(`child exited (${this.exitCode}) while the test waited for '${type}'`);
        }
        await new Promise<void>((resolve) => (this.waiting = resolve));
        this.waiting = undefined;
      }
    };
    return withTimeout(take(), `child message '${type}'`);
  }

  async request<T extends FromChild['type']>(
    msg: ToChild,
    type: T,
  ): Promise<Extract<FromChild, { type: T }>> {
    this.send(msg);
    return this.next(type);
  }

  async kill(): Promise<void> {
    if (this.exitCode === undefined) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/** Forks the child fixture and waits for its 'ready'. */
export async function startChild(env?: NodeJS.ProcessEnv): Promise<Child> {
  const c = new Child(env);
  await c.next('ready');
  return c;
}

/**
 * Resolves once a thread of process `pid` sleeps in a non-private FUTEX_WAIT
 * for the value `expected` (read from /proc/<pid>/task/<tid>/syscall: the
 * call's number, then its arguments: address, op (0 = FUTEX_WAIT), value).
 * Node's own threads wait with private futexes, so this is our wait. Polls
 * /proc, an observation, not a guess at timing; fails after HANG_MS.
 */
export async function untilFutexWaiting(
  pid: number,
  expected: number,
  child?: Child,
): Promise<void> {
  const nr = String(futexSyscallNumber());
  const val = `0x${(expected >>> 0).toString(16)}`;
  const deadline = Date.now() + HANG_MS;
  for (;;) {
    child?.checkError();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      let line: string;
      try {
        line = readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // thread gone
        throw err;
      }
      const f = line.trim().split(' ');
      if (f[0] === nr && f[2] === '0x0' && f[3] === val) return;
    }
    if (Date.now() > deadline) {
      throw new Error(`hang guard: no thread of ${pid} sleeps in FUTEX_WAIT on ${val}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
