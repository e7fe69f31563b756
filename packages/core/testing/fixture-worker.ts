/**
 * Worker fixtures started from built output: Node 20 workers cannot load
 * .ts, so a test's fixture `test/fixtures/NAME.ts` runs as
 * `dist/test/fixtures/NAME.js` of its package (generally: the test file's
 * folder mirrored under the package's `dist/`, as tsc builds it).
 *
 * `FixtureWorker` collects the fixture's messages into a queue that `next`
 * reads by type. An `ErrorMessage` from the fixture (rebuilt as a
 * `WorkerError`), an 'error' event (an uncaught throw) or the worker's exit
 * rejects every pending and later wait that the queue cannot answer.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WorkerError, type ErrorMessage } from './errors.js';
import { HangError, waitFor } from './wait-for.js';

/** The nearest folder at or above `dir` with a package.json. */
function packageRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) throw new Error(`no package.json at or above ${dir}`);
  }
}

/**
 * The built fixture `NAME` of the test file at `testUrl` (its
 * `import.meta.url`): `<package>/dist/<test folder>/fixtures/NAME.js`. Throws
 * a clear error when it has not been built.
 */
export function fixtureUrl(testUrl: string | URL, name: string): URL {
  const testDir = dirname(fileURLToPath(testUrl));
  const root = packageRoot(testDir);
  const file = join(root, 'dist', relative(root, testDir), 'fixtures', `${name}.js`);
  if (!existsSync(file))
    throw new Error(
      `${file} is missing: build the fixtures first (npx tsc -p tsconfig.build.json in ${root}, or npm run build at the root)`,
    );
  return pathToFileURL(file);
}

export interface FixtureOptions {
  /** An 'error' event is part of the test (recorded in `uncaught`, rejects nothing). */
  expectUncaught?: boolean;
}

/** How long `next` waits by default before calling it a hang. */
export const NEXT_TIMEOUT_MS = 60_000;

interface Waiter<M> {
  type: string;
  resolve: (m: M) => void;
  reject: (e: Error) => void;
}

/** A worker running a built fixture, with its messages collected. */
export class FixtureWorker<M extends { type: string }> {
  readonly name: string;
  readonly worker: Worker;
  /** Resolves with the exit code; created at spawn, so an early exit is never missed. */
  readonly exited: Promise<number>;
  /** The exit code once the worker has exited, else null. */
  exitCode: number | null = null;
  /** The 'error' event (an uncaught throw in the worker), once seen. */
  uncaught: Error | null = null;
  private readonly queue: M[] = [];
  private readonly waiters: Waiter<M>[] = [];
  private failure: Error | null = null;

  /**
   * Starts fixture `name` of the test file at `testUrl` (its `import.meta.url`)
   * with `data` as its workerData.
   */
  constructor(testUrl: string | URL, name: string, data?: unknown, opts: FixtureOptions = {}) {
    this.name = name;
    this.worker = new Worker(fixtureUrl(testUrl, name), { workerData: data });
    this.worker.on('message', (m: M | ErrorMessage) => {
      if (m.type === 'error') this.fail(new WorkerError((m as ErrorMessage).error));
      else this.push(m as M);
    });
    this.worker.on('error', (e) => {
      this.uncaught = e;
      if (opts.expectUncaught !== true) this.fail(e);
    });
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.exitCode = code;
        this.fail(new Error(`worker ${name} exited (code ${code}) while a message was awaited`));
        resolve(code);
      }),
    );
  }

  /**
   * The next message of `type` (queued or still to come). Rejects when the
   * fixture fails or exits first, or with a `HangError` after `timeoutMs`.
   */
  next<T extends M['type']>(
    type: T,
    timeoutMs = NEXT_TIMEOUT_MS,
  ): Promise<Extract<M, { type: T }>> {
    const k = this.queue.findIndex((m) => m.type === type);
    if (k >= 0) return Promise.resolve(this.queue.splice(k, 1)[0] as Extract<M, { type: T }>);
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<M> = {
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<M, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new HangError(`a '${type}' message from worker ${this.name}`, timeoutMs));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /**
   * The fixture's result: its next `type` message, once the worker has then
   * exited with code 0 (any other exit code rejects).
   */
  async result<T extends M['type']>(
    type: T,
    timeoutMs = NEXT_TIMEOUT_MS,
  ): Promise<Extract<M, { type: T }>> {
    const m = await this.next(type, timeoutMs);
    const code = await waitFor(`worker ${this.name} to exit`, this.exited, { timeoutMs });
    if (code !== 0)
      throw new Error(`worker ${this.name} exited with code ${code} after its '${type}' message`);
    return m;
  }

  post(m: unknown): void {
    this.worker.postMessage(m);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private push(m: M): void {
    const k = this.waiters.findIndex((w) => w.type === m.type);
    if (k >= 0) this.waiters.splice(k, 1)[0]!.resolve(m);
    else this.queue.push(m);
  }

  private fail(e: Error): void {
    if (this.failure === null) this.failure = e;
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
  }
}
