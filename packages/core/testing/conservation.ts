/**
 * Buffer conservation of a region: mark the pools before a test, and check
 * at its end that every buffer, ring and if object came back exactly once.
 */
import { expect } from 'vitest';
import { PortTable, type PoolCounters, type Region } from '../src/index.js';

/** The allocator state a test starts from, to compare with at the end. */
export interface PoolMark {
  bufFree: number;
  ringFree: number;
  ifFree: number;
  buf: PoolCounters;
}

export function markPools(region: Region): PoolMark {
  return {
    bufFree: region.bufPool.countFree(),
    ringFree: region.ringPool.countFree(),
    ifFree: region.ifPool.countFree(),
    buf: region.counters('buf'),
  };
}

/**
 * Every buffer, ring and if object is back exactly once: the bitmap count
 * equals the start, the cached FREE counter agrees with the bitmap, as many
 * buffers were freed as allocated since the mark, no double free or bad index
 * was ever seen, and the port-name table holds no pipe.
 */
export function expectConserved(region: Region, mark: PoolMark): void {
  const c = region.counters('buf');
  expect(region.bufPool.countFree()).toBe(mark.bufFree);
  expect(c.free).toBe(mark.bufFree);
  expect(c.allocs - mark.buf.allocs).toBe(c.frees - mark.buf.frees);
  expect(c.doubleFrees).toBe(0);
  expect(c.badIndex).toBe(0);
  expect(region.ringPool.countFree()).toBe(mark.ringFree);
  expect(region.ifPool.countFree()).toBe(mark.ifFree);
  expect(new PortTable(region).list()).toEqual([]);
}
