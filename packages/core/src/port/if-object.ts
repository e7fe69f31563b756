/** Addressing a port's if object (layout/port-layout.ts). */
import {
  IF_DOORBELL_I32,
  IF_KICKS_I32,
  IF_WAITERS_I32,
  IF_WAKES_SENT_I32,
} from '../layout/port-layout.js';
import { Notifier } from '../notify.js';
import type { Region } from '../region.js';

/** Index in region.i32 of word `i` of if object `ifIdx`. */
export function ifWord(region: Region, ifIdx: number, i: number): number {
  return (region.ifOffset(ifIdx) >>> 2) + i;
}

/**
 * The doorbell of the port at if index `ifIdx`: its sleepers wait on
 * DOORBELL; whoever makes it ready (its peer's sync, a closer) rings it.
 * `from`: the if index of the port whose thread will ring it (its
 * WAKES_SENT counts the wake-ups), or 0. Allocates the Notifier.
 */
export function portDoorbell(region: Region, ifIdx: number, from = 0): Notifier {
  return new Notifier(
    region.i32,
    ifWord(region, ifIdx, IF_DOORBELL_I32),
    ifWord(region, ifIdx, IF_WAITERS_I32),
    ifWord(region, ifIdx, IF_KICKS_I32),
    undefined,
    region.waiter,
    from > 0 ? ifWord(region, from, IF_WAKES_SENT_I32) : -1,
  );
}
