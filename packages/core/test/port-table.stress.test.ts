/**
 * Port-name table with real workers.
 *
 * 1. Three workers run a seeded mix of operations on one table at once: their
 *    own names (exact outcomes known), shared names that collide (counted),
 *    and read-modify-write increments of one entry under withLock. At the end
 *    the table holds exactly what the counts imply, the counter has every
 *    increment, and the generation word moved once per successful change.
 * 2. A worker blocked on the lock held by another worker parks, and wakes when
 *    the holder releases (the release notifies it).
 *
 * Needs the built fixture: `npx tsc -p tsconfig.build.json` first.
 */
import { describe, expect, it } from 'vitest';
import {
  createRegion,
  HDR_NAME_LOCK_I32,
  PORT_KIND_PIPE,
  PORT_KIND_VALE,
  PortTable,
  type Region,
} from '../src/index.js';
import { FixtureWorker, testSeed, waitFor, waitForWord } from '../testing/index.js';
import {
  COUNTER_NAME,
  CTL_GO,
  CTL_HELD,
  CTL_LOOKUP,
  CTL_READY,
  CTL_RELEASE,
  CTL_WORDS,
  FIXTURE,
  type PortTableWorkerData,
  type PortTableWorkerResult,
} from './fixtures/port-table-worker.js';

const WORKERS = 3;
const OPS_PER_WORKER = 50_000;
const OWN = 12;
const SHARED = 16;

const seed = testSeed(import.meta.url);

function region(): Region {
  return createRegion({
    bufSize: 64,
    bufCount: 16,
    ringCount: 2,
    ifCount: 2,
    ifSize: 384,
    nameTableSlots: WORKERS * OWN + SHARED + 1,
    memId: 11,
  });
}

type Run = FixtureWorker<PortTableWorkerResult>;

function start(data: Omit<PortTableWorkerData, 'fixture'>): Run {
  const workerData: PortTableWorkerData = { fixture: FIXTURE, ...data };
  return new FixtureWorker<PortTableWorkerResult>(import.meta.url, 'port-table-worker', workerData);
}

/** Resolves when ctl[i] >= target (Atomics.waitAsync; the workers notify). */
function ctlAtLeast(what: string, ctl: Int32Array, i: number, target: number): Promise<void> {
  return waitForWord(what, ctl, i, (v) => v >= target);
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('PortTable under concurrent workers', () => {
  it('ends with exactly the entries the operations imply', { timeout: 60_000 }, async () => {
    console.log(`port-table stress: ${WORKERS} workers x ${OPS_PER_WORKER} ops`);
    const r = region();
    const table = new PortTable(r);
    table.insert(COUNTER_NAME, PORT_KIND_VALE, 0);
    const gen0 = table.generation();
    const ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));

    const runs = Array.from({ length: WORKERS }, (_, k) =>
      start({
        mode: 'mix',
        sab: r.sab,
        ctl: ctl.buffer as SharedArrayBuffer,
        id: k,
        seed: (seed + Math.imul(k + 1, 0x9e3779b9)) >>> 0,
        ops: OPS_PER_WORKER,
        own: OWN,
        shared: SHARED,
      }),
    );
    // Each one's 'done' message, once it has exited with code 0.
    const done = Promise.all(runs.map((x) => x.result('done')));
    try {
      await Promise.race([ctlAtLeast('every worker ready', ctl, CTL_READY, WORKERS), done]);
      Atomics.store(ctl, CTL_GO, 1);
      Atomics.notify(ctl, CTL_GO);
      const results = await done;

      for (const res of results) {
        expect(res.problems).toEqual([]);
        expect(res.ops).toBe(OPS_PER_WORKER);
      }
      const byName = new Map(table.list().map((e) => [e.name, e]));

      // own names: exactly what each worker says it holds
      for (const res of results) {
        const inTable = [...byName.keys()].filter((n) => n.startsWith(`w${res.id}-`)).sort();
        expect(inTable).toEqual([...res.held].sort());
        expect(res.ownInserts - res.ownRemoves).toBe(res.held.length);
      }

      // shared names: registered at the end iff inserted once more than removed
      let sharedPresent = 0;
      let collisions = 0;
      for (let j = 0; j < SHARED; j++) {
        const inserted = sum(results.map((x) => x.sharedInserted[j]!));
        const removed = sum(results.map((x) => x.sharedRemoved[j]!));
        collisions += sum(results.map((x) => x.sharedBusy[j]!));
        const net = inserted - removed;
        expect(net === 0 || net === 1, `c-${j}: ${inserted} inserted, ${removed} removed`).toBe(
          true,
        );
        expect(byName.has(`c-${j}`)).toBe(net === 1);
        if (net === 1) {
          const e = byName.get(`c-${j}`)!;
          expect(e.kind).toBe(PORT_KIND_PIPE);
          expect(e.ifIndex).toBeGreaterThanOrEqual(0);
          expect(e.ifIndex).toBeLessThan(WORKERS);
          sharedPresent++;
        }
      }
      expect(collisions).toBeGreaterThan(0); // the shared names did collide

      // the counter has every increment: no lost update under withLock
      const increments = sum(results.map((x) => x.increments));
      expect(byName.get(COUNTER_NAME)).toEqual({
        name: COUNTER_NAME,
        kind: PORT_KIND_VALE,
        ifIndex: increments,
      });

      // nothing else is in the table
      expect(byName.size).toBe(sum(results.map((x) => x.held.length)) + sharedPresent + 1);

      // the generation moved once per successful change, and only then
      const changes = sum(
        results.map(
          (x) =>
            x.ownInserts +
            x.ownRemoves +
            sum(x.sharedInserted) +
            sum(x.sharedRemoved) +
            2 * x.increments,
        ),
      );
      expect(table.generation()).toBe(gen0 + changes);
      expect(Atomics.load(r.i32, HDR_NAME_LOCK_I32)).toBe(0);
      console.log(
        `port-table stress: ${changes} changes, ${collisions} busy collisions, ${increments} increments, ` +
          `${sum(results.map((x) => x.parked))} parked acquires`,
      );
    } finally {
      await Promise.allSettled(runs.map((x) => x.terminate()));
    }
  });

  it(
    'a worker waiting for the lock parks and wakes when the holder releases',
    {
      timeout: 60_000,
    },
    async () => {
      const r = region();
      const table = new PortTable(r);
      table.insert(COUNTER_NAME, PORT_KIND_VALE, 42);
      const ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
      const base = {
        sab: r.sab,
        ctl: ctl.buffer as SharedArrayBuffer,
        seed,
        ops: 0,
        own: 0,
        shared: 0,
      };
      const holder = start({ ...base, mode: 'hold', id: 0 });
      const waiter: Run[] = [];
      try {
        await ctlAtLeast('the holder to take the lock', ctl, CTL_HELD, 1);
        // held by the holder's owner id (allocated in the region for its thread), nobody waiting
        const holderId = r.owners.find(process.pid, holder.worker.threadId)[0]!;
        expect(holderId).toBeGreaterThan(0);
        expect(Atomics.load(r.i32, HDR_NAME_LOCK_I32)).toBe(holderId << 1);
        waiter.push(start({ ...base, mode: 'lookup', id: 1 }));
        await ctlAtLeast('the waiter to call lookup', ctl, CTL_LOOKUP, 1);
        // The waiter marks the word contended just before Atomics.wait. Poll for
        // that state (bounded); it cannot finish while the holder holds the lock.
        await waitFor(
          'the waiter to mark the lock contended',
          () => (Atomics.load(r.i32, HDR_NAME_LOCK_I32) & 1) === 1,
        );
        expect(Atomics.load(ctl, CTL_LOOKUP)).toBe(1); // still blocked in lookup

        Atomics.store(ctl, CTL_RELEASE, 1);
        Atomics.notify(ctl, CTL_RELEASE);
        const [h, w] = await Promise.all([holder.result('done'), waiter[0]!.result('done')]);
        expect(h.problems).toEqual([]);
        expect(w.found).toEqual({ kind: PORT_KIND_VALE, ifIndex: 42, entry: 0 });
        expect(w.parked).toBeGreaterThanOrEqual(1);
        expect(Atomics.load(r.i32, HDR_NAME_LOCK_I32)).toBe(0);
      } finally {
        Atomics.store(ctl, CTL_RELEASE, 1);
        Atomics.notify(ctl, CTL_RELEASE);
        await Promise.allSettled([holder, ...waiter].map((x) => x.terminate()));
      }
    },
  );

  it('a parent breaks the lock of a worker that died holding it (releaseIfHeldBy)', async () => {
    const r = region();
    const table = new PortTable(r);
    table.insert(COUNTER_NAME, PORT_KIND_VALE, 7);
    const ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
    const holder = start({
      sab: r.sab,
      ctl: ctl.buffer as SharedArrayBuffer,
      seed,
      ops: 0,
      own: 0,
      shared: 0,
      mode: 'hold',
      id: 0,
    });
    await ctlAtLeast('the holder to take the lock', ctl, CTL_HELD, 1);
    const id = r.owners.find(process.pid, holder.worker.threadId)[0]!;
    expect(id).toBeGreaterThan(0);
    expect(table.releaseIfHeldBy(id + 1)).toBe(false); // not the holder: untouched
    expect(Atomics.load(r.i32, HDR_NAME_LOCK_I32)).toBe(id << 1);
    await holder.terminate(); // dies inside withLock
    expect(Atomics.load(r.i32, HDR_NAME_LOCK_I32)).toBe(id << 1);
    expect(table.releaseIfHeldBy(id)).toBe(true);
    expect(Atomics.load(r.i32, HDR_NAME_LOCK_I32)).toBe(0);
    expect(table.lookup(COUNTER_NAME)).toEqual({ kind: PORT_KIND_VALE, ifIndex: 7, entry: 0 });
  });
});
