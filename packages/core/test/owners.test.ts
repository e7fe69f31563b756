/**
 * Owner identities in the region (the owner seam): claimed once per thread,
 * found by (pid, thread), marked dead once, freed for reuse; reapOwners
 * breaks a lock the dead owner held and calls every registered reaper.
 */
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  attachRegion,
  createRegion,
  ExhaustedError,
  HDR_NAME_LOCK_I32,
  OWNER_DEAD,
  OWNER_FREE,
  OWNER_LIVE,
  reapOwners,
  registerReaper,
} from '../src/index.js';

describe('owner table', () => {
  it('gives this thread one id, the same through every Region object of the region', () => {
    const r = createRegion({ bufCount: 16, owners: 4, memId: 61 });
    const id = r.ownerId;
    expect(id).toBeGreaterThanOrEqual(1);
    expect(attachRegion(r.sab).ownerId).toBe(id);
    expect(r.owners.info(id)).toMatchObject({ state: OWNER_LIVE, pid: process.pid, threadId });
    expect(r.owners.inUse()).toBe(1);
  });

  it('runs out with ExhaustedError, and a freed id is claimed again with a new generation', () => {
    const r = createRegion({ bufCount: 16, owners: 2, memId: 62 });
    const a = r.owners.claim(1000, 1);
    const b = r.owners.claim(1000, 2);
    expect(() => r.owners.claim(1000, 3)).toThrow(ExhaustedError);
    const gen = r.owners.info(a).gen;
    expect(r.owners.markDead(a)).toBe(true);
    expect(r.owners.markDead(a)).toBe(false);
    expect(r.owners.info(a).state).toBe(OWNER_DEAD);
    r.owners.free(a);
    expect(r.owners.info(a).state).toBe(OWNER_FREE);
    const c = r.owners.claim(1000, 3);
    expect(c).toBe(a);
    expect(r.owners.info(c).gen).toBe(gen + 1);
    expect(r.owners.find(1000, 2)).toEqual([b]);
  });

  it('reapOwners breaks the dead owner’s lock, calls the reapers once, and frees its id', () => {
    const r = createRegion({ bufCount: 16, owners: 4, memId: 63 });
    const dead = r.owners.claim(4242, 7);
    Atomics.store(r.i32, HDR_NAME_LOCK_I32, dead << 1); // it died holding the lock
    const seen: number[] = [];
    registerReaper('test-kind', (region, ownerId) => {
      if (region === r) seen.push(ownerId);
      return region === r ? 2 : 0;
    });
    try {
      expect(reapOwners(r, 4242, 7)).toBe(2);
      expect(seen).toEqual([dead]);
      expect(Atomics.load(r.i32, HDR_NAME_LOCK_I32)).toBe(0);
      expect(r.owners.info(dead).state).toBe(OWNER_FREE);
      expect(reapOwners(r, 4242, 7)).toBe(0);
    } finally {
      registerReaper('test-kind', () => 0);
    }
  });
});
