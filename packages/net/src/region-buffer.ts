import type { Region } from '@pktfabric/core';

/** A Buffer over the whole region (no copy), so `Buffer.copy` moves payload without a view per packet. Allocates once. */
export function regionBuffer(region: Region): Buffer {
  const u8 = region.u8;
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}
