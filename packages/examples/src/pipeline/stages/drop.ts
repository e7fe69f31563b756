import { XorShift32 } from '../../stats/xorshift.js';
import type { PacketBatch } from '../packet-batch.js';

/** drop: drops every packet, or each with probability `p` (seeded, so runs repeat). Does not allocate. */
export function makeDrop(p: number, seed: number): (batch: PacketBatch) => void {
  const rng = new XorShift32(seed);
  return (batch) => {
    for (let i = 0; i < batch.length; i++) if (p >= 1 || rng.float() < p) batch.drop(i);
  };
}
