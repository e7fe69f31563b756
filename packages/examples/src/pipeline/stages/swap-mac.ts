import { ETH_DST_OFF, ETH_SRC_OFF } from '../../frames/frame-layout.js';
import type { PacketBatch } from '../packet-batch.js';

/** swap-mac: exchanges the Ethernet source and destination addresses of every packet (12 bytes or longer). Does not allocate. */
export function swapMac(batch: PacketBatch): void {
  const u8 = batch.u8;
  for (let i = 0; i < batch.length; i++) {
    if (batch.len(i) < 12 || batch.dropped(i)) continue;
    const o = batch.offset(i);
    for (let k = 0; k < 6; k++) {
      const a = u8[o + ETH_DST_OFF + k]!;
      u8[o + ETH_DST_OFF + k] = u8[o + ETH_SRC_OFF + k]!;
      u8[o + ETH_SRC_OFF + k] = a;
    }
  }
}
