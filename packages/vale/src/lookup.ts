/**
 * The switch's lookup: netmap's learning bridge by default (a 1024-entry,
 * direct-mapped table of source MAC -> port in the switch object,
 * switch-layout.ts), replaceable per switch by a user function.
 *
 * A user function is JavaScript, so it lives in each thread: `setLookup`
 * installs it for this thread and marks the switch as using one
 * (SW_LOOKUP_CUSTOM), so that a thread that sends without having installed
 * it gets a LookupError instead of silently using the learning bridge.
 */
import { checkRegion, PortTable, type Region } from '@pktfabric/core';
import { BROADCAST, type LookupFn } from './api.js';
import { findSwitch } from './switch.js';
import {
  LEARN_BITS,
  LEARN_ENTRY_WORDS,
  SW_LEARN_I32,
  SW_LOOKUP_CUSTOM_I32,
} from './layout/switch-layout.js';
import { OptionError } from '@pktfabric/core';

/** Bucket of a MAC address given as its first four bytes (lo, little-endian) and last two (hi). */
export function macHash(lo: number, hi: number): number {
  return Math.imul(lo ^ Math.imul(hi + 0x9e37, 0x85ebca6b), 0xc2b2ae35) >>> (32 - LEARN_BITS);
}

/**
 * The learning bridge on the frame at `u8[off ..]` from port `src` of the
 * switch whose object starts at i32 index `sb`: learns the source address
 * (unicast sources only, and only when it is not already `src`'s), then
 * returns the port the destination was learned on, or BROADCAST (group
 * address, or unknown). Does not allocate.
 */
export function learn(
  i32: Int32Array,
  u8: Uint8Array,
  sb: number,
  off: number,
  src: number,
): number {
  if ((u8[off + 6]! & 1) === 0) {
    const lo = u8[off + 6]! | (u8[off + 7]! << 8) | (u8[off + 8]! << 16) | (u8[off + 9]! << 24);
    const hi = u8[off + 10]! | (u8[off + 11]! << 8);
    const e = sb + SW_LEARN_I32 + macHash(lo, hi) * LEARN_ENTRY_WORDS;
    const v = hi | ((src + 1) << 16);
    if (i32[e] !== lo || i32[e + 1] !== v) {
      i32[e] = lo;
      i32[e + 1] = v;
    }
  }
  if ((u8[off]! & 1) !== 0) return BROADCAST;
  const lo = u8[off]! | (u8[off + 1]! << 8) | (u8[off + 2]! << 16) | (u8[off + 3]! << 24);
  const hi = u8[off + 4]! | (u8[off + 5]! << 8);
  const e = sb + SW_LEARN_I32 + macHash(lo, hi) * LEARN_ENTRY_WORDS;
  const v = i32[e + 1]!;
  if (i32[e] !== lo || (v & 0xffff) !== hi || v >>> 16 === 0) return BROADCAST;
  return (v >>> 16) - 1;
}

const custom = new WeakMap<SharedArrayBuffer, Map<string, LookupFn>>();

/** This thread's lookup for switch `swName` of the region, or undefined. */
export function localLookup(region: Region, swName: string): LookupFn | undefined {
  return custom.get(region.sab)?.get(swName);
}

/**
 * Replaces the lookup of switch `swName` (`vale0`) with `fn` in this thread
 * and marks the switch as using a user lookup (every thread that sends on
 * it must call setLookup too); `null` restores the learning bridge and
 * empties its table. Throws OptionError for a switch that does not exist or
 * a `fn` that is not a function.
 */
export function setLookup(region: Region, swName: string, fn: LookupFn | null): void {
  checkRegion(region);
  if (fn !== null && typeof fn !== 'function')
    throw new OptionError(
      'fn',
      'a function (frame, srcPort) => port | BROADCAST | DROP, or null',
      fn,
    );
  const table = new PortTable(region);
  table.withLock(() => {
    const off = findSwitch(region, table, swName);
    if (off === 0) throw new OptionError('swName', 'a switch of this region (e.g. vale0)', swName);
    let m = custom.get(region.sab);
    if (m === undefined) custom.set(region.sab, (m = new Map()));
    const sb = off >>> 2;
    if (fn === null) {
      m.delete(swName);
      region.i32.fill(
        0,
        sb + SW_LEARN_I32,
        sb + SW_LEARN_I32 + (1 << LEARN_BITS) * LEARN_ENTRY_WORDS,
      );
      Atomics.store(region.i32, sb + SW_LOOKUP_CUSTOM_I32, 0);
    } else {
      m.set(swName, fn);
      Atomics.store(region.i32, sb + SW_LOOKUP_CUSTOM_I32, 1);
    }
  });
}
