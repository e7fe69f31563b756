import { checkFrame, FRAME_NOT_IPV4, FRAME_OK } from '../../frames/frame-check.js';
import type { PacketBatch } from '../packet-batch.js';
import type { StageContext } from './context.js';

/**
 * checksum: verifies the IPv4 header checksum (and the UDP checksum when one
 * is present) of every packet. Counts `bad` (wrong checksum, or lengths that
 * run past the frame) and `notIpv4`; with `drop=1` bad packets are dropped,
 * otherwise everything is passed on. Does not allocate.
 */
export function makeChecksum(dropBad: boolean): (batch: PacketBatch, ctx: StageContext) => void {
  return (batch, ctx) => {
    const u8 = batch.u8;
    let bad = 0;
    let notIp = 0;
    for (let i = 0; i < batch.length; i++) {
      const r = checkFrame(u8, batch.offset(i), batch.len(i));
      if (r === FRAME_OK) continue;
      if (r === FRAME_NOT_IPV4) notIp++;
      else {
        bad++;
        if (dropBad) batch.drop(i);
      }
    }
    ctx.counters.bad = (ctx.counters.bad ?? 0) + bad;
    ctx.counters.notIpv4 = (ctx.counters.notIpv4 ?? 0) + notIp;
  };
}
