/**
 * Opening a region shared by processes by name (`--region NAME`), creating
 * it when absent (as pktgen does, so either side may start first), and
 * removing it when the last user leaves.
 */
import type { Region } from '@pktfabric/core';

export async function openOrCreateShared(name: string): Promise<Region> {
  const shm = await import('@pktfabric/shm');
  try {
    return shm.openSharedRegion(name);
  } catch (e) {
    if (!(e instanceof shm.ShmError) || e.code !== 'ENOENT') throw e;
    try {
      return shm.createSharedRegion(name, {});
    } catch (e2) {
      if (!(e2 instanceof shm.ShmError) || e2.code !== 'EEXIST') throw e2;
      return shm.openSharedRegion(name);
    }
  }
}

/** Opens an existing shared region (stat only looks: it never creates one). */
export async function openShared(name: string): Promise<Region> {
  const shm = await import('@pktfabric/shm');
  return shm.openSharedRegion(name);
}

/** Detaches; removes the region when nobody uses it any more. */
export async function leaveShared(name: string, region: Region): Promise<void> {
  const shm = await import('@pktfabric/shm');
  region.detach();
  if (region.owners.inUse() === 0) {
    try {
      shm.unlinkSharedRegion(name);
    } catch {
      // another process removed it already
    }
  }
}

/** `--region` names: what @pktfabric/shm accepts. */
export function checkRegionName(v: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(v))
    throw new Error('--region must be 1 to 64 of A-Z a-z 0-9 . _ -');
  return v;
}
