/**
 * Regions shared by processes: a pktfabric region in a named shared-memory
 * object, with the futex waiter, so that the same ring, sync and pipe code
 * runs between processes through core's memory and waiter seams.
 *
 *   // process A
 *   const region = createSharedRegion('demo', { bufCount: 8192 });
 *   createPipe(region, { id: 1 });
 *   // process B (and any worker thread of A or B)
 *   const region = openSharedRegion('demo');
 *   const port = openPort(region, 'pipe}1');
 *
 * Every thread and process opens the region by name (on Node 20 the mapping
 * is an ArrayBuffer, which postMessage would copy). All of them sleep and
 * wake through futexes: V8's Atomics.wait / notify do not reach another
 * process.
 */
import {
  attachRegion,
  createRegion,
  regionBytes,
  type Region,
  type RegionMemory,
  type RegionOptions,
} from '@pktfabric/core';
import {
  createShm,
  futexWait,
  futexWaiter,
  openShm,
  processAlive,
  unlinkShm,
  type ShmMapping,
  type ShmOptions,
} from './index.js';

/** A mapping as region memory for core (the memory seam), with the futex waiter. */
export function shmMemory(mapping: ShmMapping): RegionMemory {
  return { kind: 'shm', buffer: mapping.buffer, waiter: futexWaiter, alive: processAlive };
}

/**
 * Creates a region in a new shared-memory object `name` (created O_EXCL,
 * mode 0600). Throws core's OptionError for bad region options (nothing is
 * created then) and ShmError / ShmUnavailableError from the object. The
 * object stays until `unlinkSharedRegion(name)`, also when every process
 * has closed it.
 */
export function createSharedRegion(
  name: string,
  opts: Omit<RegionOptions, 'sab' | 'memory'> = {},
  shm: ShmOptions = {},
): Region {
  const bytes = regionBytes(opts);
  const mapping = createShm(name, bytes, shm);
  try {
    return createRegion({ ...opts, memory: shmMemory(mapping) });
  } catch (e) {
    unlinkShm(name);
    throw e;
  }
}

/**
 * Opens the region in shared-memory object `name` (from this or another
 * process). Checks the object (owner, mode, size) before mapping it, then
 * the region (magic, version, sizes) before reading past its header: throws
 * ShmError or core's AttachError.
 */
export function openSharedRegion(name: string, shm: ShmOptions = {}): Region {
  const mapping = openShm(name, shm);
  // A region still being created by another process has no magic yet (it is
  // stored last): give the creator a moment before checking the header.
  const magic = new Int32Array(mapping.buffer, 0, 1);
  const deadline = performance.now() + CREATE_WAIT_MS;
  while (Atomics.load(magic, 0) === 0 && performance.now() < deadline) futexWait(magic, 0, 0, 1);
  return attachRegion(shmMemory(mapping));
}

/** How long openSharedRegion waits for a region that another process is still creating. */
export const CREATE_WAIT_MS = 5000;

/** Removes the name (mappings stay valid until they are dropped). */
export function unlinkSharedRegion(name: string): void {
  unlinkShm(name);
}
