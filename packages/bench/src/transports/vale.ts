/**
 * The VALE switch transport (cases vale-64b-rw, vale-1500b-copy): one
 * region, a switch `vale0` with two persistent ports made in setup,
 * `vale0:tx` (port 0, the sender's) and `vale0:rx` (port 1, the
 * receiver's), 1024 slots (CaseOptions.slots, at most 4096). Every packet
 * is forwarded by the sender's txsync, which copies it into the receiver's
 * RX ring: the cost of the switch beside the pipe, which moves descriptors.
 *
 * The lookup is a user function sending everything from port 0 to port 1
 * (the work writes the payload from byte 0, so the learning bridge would
 * see arbitrary MAC addresses). The switch drops when the receiver's ring
 * is full and the engine wants every packet accounted for, so the sender
 * sends a batch only when the receiver's ring has room for it (a
 * RoomGauge), spinning (and watching STOP) while it has not.
 */
import { attachRegion, createRegion, DEFAULT_BUF_COUNT, POLLIN, ringBytes } from '@pktfabric/core';
import { attachPort, detachPort, openValePort, RoomGauge, setLookup } from '@pktfabric/vale';
import { DEFAULT_SLOTS } from '../api.js';
import { CONTROL_POLL_MS, MeasureWindow } from '../control.js';
import { BenchCaseError } from '../errors.js';
import type { SideResult } from '../protocol.js';
import { defineTransport, type SetupContext, type Shared, type SideContext } from '../transport.js';

export interface ValeSide {
  sab: SharedArrayBuffer;
  portName: string;
}

const TX = 'vale0:tx';
const RX = 'vale0:rx';
const LEN_MASK = 0xffff;

export const valeTransport = defineTransport({
  name: 'vale',
  family: { label: 'pktfabric VALE switch', color: '#2ca02c' },
  cases: [
    { name: 'vale-64b-rw', work: '64b-rw', mode: 'slots' },
    { name: 'vale-1500b-copy', work: '1500b-copy', mode: 'slots' },
  ],
  setup: setupVale,
  run: (ctx) => (ctx.role === 'sender' ? valeSend(ctx) : valeRecv(ctx)),
});

function setupVale({ caseName, slots }: SetupContext): Shared<ValeSide> {
  if (slots > 4096)
    throw new RangeError(`${caseName}: ` + `a switch port has at most 4096 slots (got ${slots})`);
  const region = createRegion({
    bufCount: Math.max(DEFAULT_BUF_COUNT, 4 * slots + 64),
    ...(slots > DEFAULT_SLOTS ? { ringSize: ringBytes(slots) } : {}),
  });
  attachPort(region, TX, { slots });
  attachPort(region, RX, { slots });
  return {
    sender: { data: { sab: region.sab, portName: TX } },
    receiver: { data: { sab: region.sab, portName: RX } },
    release(ok) {
      if (!ok) return;
      detachPort(region, TX);
      detachPort(region, RX);
      const buf = region.pools().find((p) => p.name === 'buf')!;
      if (buf.free !== buf.objTotal - buf.reserved)
        throw new BenchCaseError(
          caseName,
          'integrity',
          `after the switch ports were detached ${buf.free} of ${buf.objTotal - buf.reserved} buffers are free`,
        );
    },
  };
}

/** Sends batches until STOP, each only once the receiver's ring has room for it. */
function valeSend(ctx: SideContext<ValeSide>): SideResult {
  const { control, burst } = ctx;
  const region = attachRegion(ctx.data.sab);
  const ep = openValePort(region, ctx.data.portName);
  setLookup(region, 'vale0', (_f, src) => (src === 0 ? 1 : 0));
  const gauge = new RoomGauge(region, RX);
  try {
    ctx.ready();
    const work = ctx.makeWork(region.u8);
    const tx = ep.txRings[0]!;
    const u32 = region.u32;
    const { bufBase, bufSize } = region;
    const numSlots = tx.numSlots;
    const { bufIdxBase, lenFlagsBase } = tx;
    const len = work.len;
    let seq = 0;
    let sum = 0;
    let sent = 0;
    while (!control.stopped()) {
      // The TX ring always has room (forwarded slots come back at once).
      let want = Math.min(burst, numSlots - 1);
      const room = gauge.room();
      if (room < want) {
        if (room === 0) continue;
        want = room;
      }
      let head = tx.head;
      for (let n = 0; n < want; n++) {
        sum = (sum + work.write(bufBase + u32[bufIdxBase + head]! * bufSize, seq)) | 0;
        u32[lenFlagsBase + head] = len;
        head = head + 1 === numSlots ? 0 : head + 1;
        seq = (seq + 1) | 0;
      }
      tx.head = tx.cur = head;
      ep.txsync();
      sent += want;
    }
    control.markSenderDone(sent);
    control.waitReceiverDone();
    return {
      role: 'sender',
      packets: sent,
      checksum: sum,
      kicks: -1,
      windowPackets: 0,
      windowSeconds: 0,
    };
  } finally {
    ep.close();
  }
}

/** Receives until the sender is done and everything it sent was read. */
function valeRecv(ctx: SideContext<ValeSide>): SideResult {
  const { control, burst } = ctx;
  const region = attachRegion(ctx.data.sab);
  const ep = openValePort(region, ctx.data.portName);
  try {
    ctx.ready();
    const work = ctx.makeWork(region.u8);
    const rx = ep.rxRings[0]!;
    const u32 = region.u32;
    const { bufBase, bufSize } = region;
    const numSlots = rx.numSlots;
    const { bufIdxBase, lenFlagsBase } = rx;
    const win = new MeasureWindow(control);
    let sum = 0;
    let received = 0;
    ep.rxsync();
    for (;;) {
      let head = rx.head;
      const tail = rx.tail;
      if (head === tail) {
        win.check(received);
        if (control.sentTotal() >= 0) {
          // The sender's last txsync forwarded everything before its done mark.
          ep.rxsync();
          if (rx.tail === head) break;
          continue;
        }
        rx.cur = head;
        ep.poll(POLLIN, CONTROL_POLL_MS);
        continue;
      }
      let n = 0;
      while (head !== tail && n < burst) {
        const b = u32[bufIdxBase + head]!;
        sum = (sum + work.read(bufBase + b * bufSize, u32[lenFlagsBase + head]! & LEN_MASK, b)) | 0;
        head = head + 1 === numSlots ? 0 : head + 1;
        n++;
      }
      rx.head = rx.cur = head;
      ep.rxsync();
      received += n;
      win.check(received);
    }
    win.close(received);
    control.markReceiverDone();
    return {
      role: 'receiver',
      packets: received,
      checksum: sum,
      kicks: ep.kicks,
      windowPackets: win.packets,
      windowSeconds: win.seconds,
    };
  } finally {
    ep.close();
  }
}
