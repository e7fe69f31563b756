/** Ethernet frames for the switch tests: dst MAC, src MAC, ethertype, then a u32 tag. */
export const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/** A unicast MAC ending in `n` (locally administered). */
export function mac(n: number): number[] {
  return [0x02, 0, 0, 0, (n >> 8) & 0xff, n & 0xff];
}

export function frame(dst: number[], src: number[], tag: number, len = 60): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  if (len >= 18) new DataView(f.buffer).setUint32(14, tag >>> 0, true);
  return f;
}

export function tagOf(p: Uint8Array): number {
  return new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(14, true);
}

export function srcOf(p: Uint8Array): number {
  return (p[10]! << 8) | p[11]!;
}
