/**
 * The owner seam: identities of the threads and processes that use a region,
 * allocated inside the region (owner-table-layout.ts), and the liveness
 * check that tells when one of them is gone.
 *
 * A thread takes an owner id the first time it needs one (opening a port,
 * taking the region lock). Lock words and port if objects record owner ids.
 * When a liveness source reports a party dead, `reapOwners` marks its ids
 * dead, breaks any lock they hold, asks every registered port kind to close
 * what they had open, and frees the ids.
 *
 * Liveness today: a Worker's `exit` event (`workerLiveness`). Next: a
 * process's pidfd, for regions shared by processes.
 */
import { threadId } from 'node:worker_threads';
import { ExhaustedError } from '../errors.js';
import {
  OWNER_CLAIMING,
  OWNER_DEAD,
  OWNER_ENTRY_BYTES,
  OWNER_FREE,
  OWNER_GEN_I32,
  OWNER_LIVE,
  OWNER_PID_I32,
  OWNER_STATE_I32,
  OWNER_THREAD_ID_I32,
} from '../layout/owner-table-layout.js';
import type { Region } from '../region.js';

export interface OwnerInfo {
  id: number;
  state: number;
  pid: number;
  threadId: number;
  gen: number;
}

/** The owner table of one region, as seen from this thread. */
export class OwnerTable {
  readonly capacity: number;
  private readonly i32: Int32Array;
  private readonly base: number;
  private myId = 0;

  constructor(i32: Int32Array, off: number, capacity: number) {
    this.i32 = i32;
    this.base = off >>> 2;
    this.capacity = capacity;
  }

  private at(id: number, field: number): number {
    return this.base + (id - 1) * (OWNER_ENTRY_BYTES >>> 2) + field;
  }

  /**
   * This thread's owner id: the live entry that names this process and
   * thread, or a newly claimed one. Throws ExhaustedError when the table is
   * full. Does not allocate after the first call.
   */
  mine(): number {
    const id = this.myId;
    if (
      id !== 0 &&
      Atomics.load(this.i32, this.at(id, OWNER_STATE_I32)) === OWNER_LIVE &&
      this.i32[this.at(id, OWNER_PID_I32)] === process.pid &&
      this.i32[this.at(id, OWNER_THREAD_ID_I32)] === threadId
    )
      return id;
    this.myId = this.find(process.pid, threadId)[0] ?? this.claim(process.pid, threadId);
    return this.myId;
  }

  /** Claims a free entry for (pid, thread). Throws ExhaustedError when none is free. */
  claim(pid: number, thread: number): number {
    for (let id = 1; id <= this.capacity; id++) {
      const s = this.at(id, OWNER_STATE_I32);
      if (Atomics.load(this.i32, s) !== OWNER_FREE) continue;
      if (Atomics.compareExchange(this.i32, s, OWNER_FREE, OWNER_CLAIMING) !== OWNER_FREE) continue;
      this.i32[this.at(id, OWNER_PID_I32)] = pid;
      this.i32[this.at(id, OWNER_THREAD_ID_I32)] = thread;
      this.i32[this.at(id, OWNER_GEN_I32)] = (this.i32[this.at(id, OWNER_GEN_I32)]! + 1) | 0;
      Atomics.store(this.i32, s, OWNER_LIVE);
      return id;
    }
    throw new ExhaustedError('owner table', 1);
  }

  /** Live ids that name (pid, thread). Allocates the result. */
  find(pid: number, thread: number): number[] {
    const out: number[] = [];
    for (let id = 1; id <= this.capacity; id++) {
      if (
        Atomics.load(this.i32, this.at(id, OWNER_STATE_I32)) === OWNER_LIVE &&
        this.i32[this.at(id, OWNER_PID_I32)] === pid &&
        this.i32[this.at(id, OWNER_THREAD_ID_I32)] === thread
      )
        out.push(id);
    }
    return out;
  }

  /** Marks a live id dead. Returns false when it was not live (someone else reaps it). */
  markDead(id: number): boolean {
    return (
      Atomics.compareExchange(this.i32, this.at(id, OWNER_STATE_I32), OWNER_LIVE, OWNER_DEAD) ===
      OWNER_LIVE
    );
  }

  /** Returns an id to the table (after its holdings were recovered, or on Region.detach). */
  free(id: number): void {
    this.i32[this.at(id, OWNER_PID_I32)] = 0;
    this.i32[this.at(id, OWNER_THREAD_ID_I32)] = 0;
    Atomics.store(this.i32, this.at(id, OWNER_STATE_I32), OWNER_FREE);
    if (id === this.myId) this.myId = 0;
  }

  info(id: number): OwnerInfo {
    return {
      id,
      state: Atomics.load(this.i32, this.at(id, OWNER_STATE_I32)),
      pid: this.i32[this.at(id, OWNER_PID_I32)]!,
      threadId: this.i32[this.at(id, OWNER_THREAD_ID_I32)]!,
      gen: this.i32[this.at(id, OWNER_GEN_I32)]!,
    };
  }

  /** Ids in use (claiming, live or dead). */
  inUse(): number {
    let n = 0;
    for (let id = 1; id <= this.capacity; id++)
      if (Atomics.load(this.i32, this.at(id, OWNER_STATE_I32)) !== OWNER_FREE) n++;
    return n;
  }
}

/** A party whose death the liveness seam reports. */
export interface Liveness {
  /** Process id of the party. */
  readonly pid: number;
  /** Its thread id within that process (0 for a process's main thread). */
  readonly threadId: number;
  /** Calls `onGone` once when the party ends. Returns a function that stops watching. */
  watch(onGone: () => void): () => void;
}

/** A worker thread of this process, gone when it emits `exit` (it returned, threw, or was terminated). */
export function workerLiveness(worker: {
  readonly threadId: number;
  once(ev: 'exit', fn: () => void): unknown;
  off(ev: 'exit', fn: () => void): unknown;
}): Liveness {
  const tid = worker.threadId;
  return {
    pid: process.pid,
    threadId: tid,
    watch(onGone) {
      const fn = (): void => onGone();
      worker.once('exit', fn);
      return () => {
        worker.off('exit', fn);
      };
    },
  };
}

/**
 * What a port kind does for a dead owner: close, on its behalf, every port
 * it had open (buffers back, peers woken with POLLHUP). Called with the
 * region lock held. Returns the number of ports it closed.
 */
export type Reaper = (region: Region, ownerId: number) => number;

const reapers = new Map<string, Reaper>();

/** Registers what a port kind does when an owner dies (once per kind; later calls replace it). */
export function registerReaper(kind: string, reaper: Reaper): void {
  reapers.set(kind, reaper);
}

/**
 * Recovers everything held by the owner ids of (pid, thread): each id is
 * marked dead, a region lock it holds is broken, every registered port kind
 * closes its ports, and the id is freed. Returns the number of ports closed.
 */
export function reapOwners(region: Region, pid: number, thread: number): number {
  let closed = 0;
  for (const id of region.owners.find(pid, thread)) {
    if (!region.owners.markDead(id)) continue;
    region.lock.breakIfHeldBy(id);
    region.lock.withLock(() => {
      for (const reap of reapers.values()) closed += reap(region, id);
    });
    region.owners.free(id);
  }
  return closed;
}

/**
 * Recovers what every dead process recorded in the owner table held, when
 * the region's memory can tell (`RegionMemory.alive`, memory shared by
 * processes): each live id whose process is gone is reaped as `reapOwners`
 * does. Ids of this process are left alone (its threads are watched with
 * `watchOwner`). Returns the number of ports closed. Cheap when nobody died:
 * one liveness check per other process in the table.
 */
export function reapDeadProcesses(region: Region): number {
  const alive = region.memory.alive;
  if (alive === undefined) return 0;
  let closed = 0;
  const seen = new Map<number, boolean>();
  for (let id = 1; id <= region.owners.capacity; id++) {
    const o = region.owners.info(id);
    if (o.state !== OWNER_LIVE || o.pid === process.pid || o.pid <= 0) continue;
    let ok = seen.get(o.pid);
    if (ok === undefined) {
      ok = alive(o.pid);
      seen.set(o.pid, ok);
    }
    if (!ok) closed += reapOwners(region, o.pid, o.threadId);
  }
  return closed;
}

/**
 * Parent-side liveness: when the watched party dies, everything it held in
 * the region is recovered (`reapOwners`) and the peers of its ports wake
 * with POLLHUP. Returns a function that stops watching.
 */
export function watchOwner(region: Region, party: Liveness): () => void {
  return party.watch(() => {
    reapOwners(region, party.pid, party.threadId);
  });
}
