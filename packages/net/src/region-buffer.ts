import type { Region } from '@pktfabric/core';

/** A Buffer over the whole region (no copy), so `Buffer.copy` moves payload without a view per packet. Allocates once. */
export function regionBuffer(region: Region): Buffer {
  const u8 = region.u8;
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** Below this many bytes a JS loop beats Buffer.copy's per-call cost (measured with the bench's 60-byte packets). */
export const SMALL_COPY_BYTES = 128;

/**
 * Copies `len` bytes from `src` at `from` to `dst` at `to` (the ranges do
 * not overlap): a plain loop for short runs, Buffer.copy for longer ones.
 */
export function copyBytes(src: Buffer, from: number, dst: Buffer, to: number, len: number): void {
  if (len >= SMALL_COPY_BYTES) {
    src.copy(dst, to, from, from + len);
    return;
  }
  for (let x = 0; x < len; x++) dst[to + x] = src[from + x]!;
}
