/**
 * @pktfabric/shm: named POSIX shared memory mapped by several processes,
 * futex wait/wake that crosses processes, and process liveness.
 *
 * The native addon (native/shm.c, built on install by scripts/build.mjs) is
 * loaded on first use, never at import: a program that only uses threads
 * never touches it. When it is missing every call throws
 * `ShmUnavailableError` saying why (no compiler, the compile error, ...).
 *
 * Arguments are checked here, up front, with a `ShmError` naming the
 * parameter and its limit; the addon checks again what memory safety needs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShmError, ShmUnavailableError } from './errors.js';

export { ShmError, ShmUnavailableError } from './errors.js';

/** What the mapped memory is handed to JS as. */
export type MemoryKind = 'sab' | 'external-arraybuffer';

/** Every object's system name is `/` + this prefix + the caller's name. */
export const SHM_NAME_PREFIX = 'pktfabric-';
/** A name: 1 to 64 of A-Z a-z 0-9 . _ - (the prefix is added to it). */
export const SHM_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** The largest object: 2^31-1 bytes. */
export const SHM_MAX_BYTES = 2 ** 31 - 1;

export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/** A word's container: a typed array or DataView (offsets count from its start) or a whole buffer. */
export type WordTarget = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

export interface ShmMapping {
  /** The caller's name, without the prefix. */
  readonly name: string;
  /** The system name given to shm_open (`/pktfabric-<name>`); on Linux the file /dev/shm/pktfabric-<name>. */
  readonly systemName: string;
  /** The mapped bytes. Unmapped when this buffer is garbage-collected. */
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  readonly kind: MemoryKind;
  readonly byteLength: number;
}

export interface ShmOptions {
  /**
   * `auto` (default): a SharedArrayBuffer where the runtime can wrap external
   * memory as one, else an ArrayBuffer. `external-arraybuffer`: always an
   * ArrayBuffer (to test that path on any Node).
   */
  readonly memory?: 'auto' | 'external-arraybuffer';
}

interface NativeMapping {
  buffer: SharedArrayBuffer | ArrayBuffer;
  kind: MemoryKind;
  byteLength: number;
}

interface Native {
  create(name: string, bytes: number, allowSab: boolean): NativeMapping;
  open(name: string, allowSab: boolean): NativeMapping;
  unlink(name: string): void;
  futexWait(
    target: WordTarget,
    byteOffset: number,
    expected: number,
    timeoutMs: number,
  ): WaitResult;
  futexWake(target: WordTarget, byteOffset: number, count: number): number;
  futexWaitAsync(
    target: WordTarget,
    byteOffset: number,
    expected: number,
    timeoutMs: number,
  ): Promise<WaitResult>;
  processAlive(pid: number): boolean;
  readonly memoryKind: MemoryKind;
  readonly sysFutex: number;
}

// ------------------------------------------------------------------ loading

type Loaded = { native: Native } | { reason: string };
let loaded: Loaded | undefined;

function packageRoot(): string {
  // src/index.ts under vitest, dist/src/index.js when built: walk up to package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('@pktfabric/shm: cannot find its package.json');
}

/** Where the addon is: $PKTFABRIC_SHM_ADDON, else build/shm.node in this package. */
export function addonPath(): string {
  return process.env['PKTFABRIC_SHM_ADDON'] || join(packageRoot(), 'build', 'shm.node');
}

function load(): Loaded {
  if (loaded) return loaded;
  const path = addonPath();
  if (!existsSync(path)) {
    const why = join(dirname(path), 'unavailable.txt');
    loaded = existsSync(why)
      ? { reason: `${path} was not built: ${readFileSync(why, 'utf8').trim()}` }
      : {
          reason: `${path} does not exist (its install script did not run: run 'npm run build:native -w @pktfabric/shm')`,
        };
    return loaded;
  }
  try {
    loaded = { native: createRequire(import.meta.url)(path) as Native };
  } catch (err) {
    loaded = { reason: `loading ${path} failed: ${(err as Error).message}` };
  }
  return loaded;
}

function native(): Native {
  const l = load();
  if ('reason' in l) throw new ShmUnavailableError(l.reason);
  return l.native;
}

/** Whether the native addon is there and loads. Loads it on first call. */
export function shmAvailable(): boolean {
  return 'native' in load();
}

/** Why the addon is unavailable, or undefined when it is available. */
export function shmUnavailableReason(): string | undefined {
  const l = load();
  return 'reason' in l ? l.reason : undefined;
}

/** What `createShm` / `openShm` return by default on this runtime. Throws ShmUnavailableError. */
export function memoryKind(): MemoryKind {
  return native().memoryKind;
}

/** The futex system call's number on this machine (for tests that look at /proc/<pid>/task/<tid>/syscall). */
export function futexSyscallNumber(): number {
  return native().sysFutex;
}

// ------------------------------------------------------------------ checks

function bad(param: string, message: string, code = 'EINVAL'): never {
  throw new ShmError(code, `${param}: ${message}`, { param });
}

/** Re-throws the addon's errors (Error with .code) as ShmError. */
function call<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw rewrap(err);
  }
}

function rewrap(err: unknown): unknown {
  if (err instanceof ShmError || !(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  return new ShmError(typeof code === 'string' ? code : 'EUNKNOWN', err.message, { cause: err });
}

/** The system name of `name`: `/pktfabric-<name>`. Throws ShmError (param 'name') for a bad name. */
export function shmSystemName(name: string): string {
  if (typeof name !== 'string' || !SHM_NAME_PATTERN.test(name)) {
    bad('name', `must be 1 to 64 of A-Z a-z 0-9 . _ - (got ${JSON.stringify(name)})`);
  }
  if (name === '.' || name === '..') bad('name', `must not be '.' or '..'`);
  return `/${SHM_NAME_PREFIX}${name}`;
}

function checkBytes(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > SHM_MAX_BYTES) {
    bad('bytes', `must be an integer from 1 to ${SHM_MAX_BYTES} (2^31-1) (got ${String(bytes)})`);
  }
}

function checkTimeout(timeoutMs: number): void {
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    bad('timeoutMs', `must be a number >= 0 or Infinity (got ${String(timeoutMs)})`);
  }
}

function checkExpected(expected: number): number {
  if (!Number.isInteger(expected) || expected < -(2 ** 31) || expected > 2 ** 32 - 1) {
    bad('expected', `must be an integer from -2^31 to 2^32-1 (got ${String(expected)})`);
  }
  return expected | 0;
}

/**
 * Checks a word's place and returns what to hand the addon: a plain
 * SharedArrayBuffer becomes an Int32Array over it (Node 20's Node-API cannot
 * read a SharedArrayBuffer's address, only a view's).
 */
function word(target: WordTarget, byteOffset: number): WordTarget {
  let base = 0;
  let length: number;
  if (ArrayBuffer.isView(target)) {
    base = target.byteOffset;
    length = target.byteLength;
  } else if (target instanceof ArrayBuffer) {
    length = target.byteLength;
  } else if (typeof SharedArrayBuffer !== 'undefined' && target instanceof SharedArrayBuffer) {
    length = target.byteLength;
    target = new Int32Array(target, 0, target.byteLength >>> 2);
  } else {
    return bad('buffer', 'must be a TypedArray, DataView, ArrayBuffer or SharedArrayBuffer');
  }
  if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset > length - 4) {
    bad(
      'byteOffset',
      `must be an integer from 0 to ${length - 4} (the buffer's ${length} bytes less 4) (got ${String(byteOffset)})`,
      'ERANGE',
    );
  }
  if ((base + byteOffset) % 4 !== 0) {
    bad('byteOffset', `must address a 4-byte aligned word (view offset ${base} + ${byteOffset})`);
  }
  return target;
}

// -------------------------------------------------------------- the objects

function allowSab(options: ShmOptions | undefined): boolean {
  const memory = options?.memory ?? 'auto';
  if (memory !== 'auto' && memory !== 'external-arraybuffer') {
    bad('options.memory', `must be 'auto' or 'external-arraybuffer' (got ${String(memory)})`);
  }
  return memory === 'auto';
}

function mapping(name: string, systemName: string, m: NativeMapping): ShmMapping {
  return { name, systemName, buffer: m.buffer, kind: m.kind, byteLength: m.byteLength };
}

/**
 * Creates the object `/pktfabric-<name>` (exclusive: EEXIST if it exists;
 * mode 0600) of `bytes` zeroed bytes and maps it. Does not block.
 */
export function createShm(name: string, bytes: number, options?: ShmOptions): ShmMapping {
  const sys = shmSystemName(name);
  checkBytes(bytes);
  const sab = allowSab(options);
  const n = native();
  return mapping(
    name,
    sys,
    call(() => n.create(sys, bytes, sab)),
  );
}

/**
 * Opens and maps the whole of an existing object. Refused unless it is owned
 * by this process's uid (ESHM_OWNER) and gives group and other no access
 * (ESHM_MODE); ENOENT if there is none. Does not block.
 */
export function openShm(name: string, options?: ShmOptions): ShmMapping {
  const sys = shmSystemName(name);
  const sab = allowSab(options);
  const n = native();
  return mapping(
    name,
    sys,
    call(() => n.open(sys, sab)),
  );
}

/** Removes the name; mappings stay valid until unmapped. ENOENT if there is none. */
export function unlinkShm(name: string): void {
  const sys = shmSystemName(name);
  const n = native();
  call(() => n.unlink(sys));
}

// -------------------------------------------------------------------- futex

/**
 * Blocks this thread while the int32 at `byteOffset` equals `expected`,
 * until a futexWake on the same word from any process that maps it, or
 * `timeoutMs` (Infinity: no limit).
 */
export function futexWait(
  target: WordTarget,
  byteOffset: number,
  expected: number,
  timeoutMs = Infinity,
): WaitResult {
  const t = word(target, byteOffset);
  const e = checkExpected(expected);
  checkTimeout(timeoutMs);
  const n = native();
  return call(() => n.futexWait(t, byteOffset, e, timeoutMs));
}

/** Wakes up to `count` (default all) futex waiters of the word. Returns how many woke. Does not block. */
export function futexWake(target: WordTarget, byteOffset: number, count = Infinity): number {
  const t = word(target, byteOffset);
  if (typeof count !== 'number' || Number.isNaN(count) || count < 0) {
    bad('count', `must be a number >= 0 or Infinity (got ${String(count)})`);
  }
  const n = native();
  return call(() => n.futexWake(t, byteOffset, Math.floor(count)));
}

/**
 * Like futexWait on a thread of its own: never blocks the event loop. The
 * promise keeps the event loop alive and the buffer (so the mapping) from
 * being collected until it settles. One OS thread per pending wait.
 */
export function futexWaitAsync(
  target: WordTarget,
  byteOffset: number,
  expected: number,
  timeoutMs = Infinity,
): Promise<WaitResult> {
  try {
    const t = word(target, byteOffset);
    const e = checkExpected(expected);
    checkTimeout(timeoutMs);
    const n = native();
    return n.futexWaitAsync(t, byteOffset, e, timeoutMs).catch((err: unknown) => {
      throw rewrap(err);
    });
  } catch (err) {
    return Promise.reject(rewrap(err));
  }
}

// ------------------------------------------------------------ process death

/**
 * Whether process `pid` is alive. A zombie (it exited; its parent has not
 * reaped it yet: state Z in /proc/PID/stat) is dead: its parent may not reap
 * it for a long time (a Node parent reaps only when its event loop turns).
 * A process of another user counts as alive. Does not block.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid < 1 || pid > SHM_MAX_BYTES) {
    bad('pid', `must be an integer from 1 to 2^31-1 (got ${String(pid)})`);
  }
  const n = native();
  return call(() => n.processAlive(pid));
}

// ------------------------------------------------------------------- waiter

/**
 * A waiter over futexes, the same shape as @pktfabric/core's `Waiter` seam
 * (structural: no dependency on core): wait and wake on an Int32Array's
 * element, across processes when the array views a shared mapping. Works on
 * both memory kinds. Does not interoperate with Atomics.wait/notify: both
 * sides of a word must use futexes.
 */
export const futexWaiter = {
  kind: 'futex',
  wait(i32: Int32Array, index: number, expected: number, timeoutMs: number): WaitResult {
    return futexWait(i32, index * 4, expected, timeoutMs);
  },
  waitAsync(
    i32: Int32Array,
    index: number,
    expected: number,
    timeoutMs: number,
  ): Promise<WaitResult> {
    return futexWaitAsync(i32, index * 4, expected, timeoutMs);
  },
  wake(i32: Int32Array, index: number, count?: number): number {
    return futexWake(i32, index * 4, count ?? Infinity);
  },
} as const;
export * from './region.js';
