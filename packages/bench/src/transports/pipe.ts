/**
 * The pipe cases: a sender on the master end (`pipe{N`) and a receiver on the
 * slave end (`pipe}N`) of one pipe, used the netmap way. The sender fills up
 * to `burst` slots of [head, tail) with plain stores, moves head and cur, and
 * calls txsync once per batch (one Atomics.store publishes the batch; the
 * receiver is notified only if it sleeps). A full ring sets cur = tail and
 * polls for POLLOUT. The receiver consumes up to `burst` slots of
 * [head, tail), moves head and cur, and calls rxsync once per batch (which
 * releases the slots to the sender); an empty ring polls for POLLIN.
 *
 * Polls time out after CONTROL_POLL_MS so both sides see the control block.
 * Notify calls are the endpoints' `kicks` (wake-ups of that end by its peer).
 * No allocation per packet or per batch.
 */
import { attachRegion } from '@pktfabric/core';
import { openPort, POLLHUP, POLLIN, POLLOUT } from '@pktfabric/pipes';
import { CONTROL_POLL_MS, MeasureWindow, type Control } from '../control.js';
import type { PacketWork } from '../packet-work.js';
import type { SideResult } from '../protocol.js';

const LEN_MASK = 0xffff;

/**
 * Opens `portName` in the region held by `sab`, calls `onOpen` (which blocks
 * until the run starts), and sends until STOP. Blocks while the ring is full.
 */
export function pipeSend(
  sab: SharedArrayBuffer,
  portName: string,
  control: Control,
  makeWork: (u8: Uint8Array) => PacketWork,
  burst: number,
  onOpen: () => void,
): SideResult {
  const region = attachRegion(sab);
  const ep = openPort(region, portName);
  try {
    onOpen();
    const work = makeWork(region.u8);
    const tx = ep.txRings[0]!;
    const u32 = region.u32;
    const bufBase = region.bufBase;
    const bufSize = region.bufSize;
    const numSlots = tx.numSlots;
    const { bufIdxBase, lenFlagsBase } = tx;
    const len = work.len;
    let seq = 0;
    let sum = 0;
    let sent = 0;
    while (!control.stopped()) {
      let head = tx.head;
      const tail = tx.tail;
      if (head === tail) {
        // Full: wake up when the ring moves past cur (netmap's sender idiom);
        // poll runs txsync itself, which reclaims what the receiver released.
        tx.cur = tail;
        const ev = ep.poll(POLLOUT, CONTROL_POLL_MS);
        if ((ev & POLLHUP) !== 0) throw new Error(`${portName}: the receiver closed mid-run`);
        continue;
      }
      let n = 0;
      while (head !== tail && n < burst) {
        sum = (sum + work.write(bufBase + u32[bufIdxBase + head]! * bufSize, seq)) | 0;
        u32[lenFlagsBase + head] = len;
        head = head + 1 === numSlots ? 0 : head + 1;
        seq = (seq + 1) | 0;
        n++;
      }
      tx.head = tx.cur = head;
      ep.txsync();
      sent += n;
    }
    control.markSenderDone(sent);
    // Stay open until the receiver drained everything, so closing cannot race it.
    control.waitReceiverDone();
    return {
      role: 'sender',
      packets: sent,
      checksum: sum,
      kicks: ep.kicks,
      windowPackets: 0,
      windowSeconds: 0,
    };
  } finally {
    ep.close();
  }
}

/**
 * Opens `portName`, calls `onOpen`, and receives until the sender is done and
 * everything it sent was read. Blocks while the ring is empty.
 */
export function pipeRecv(
  sab: SharedArrayBuffer,
  portName: string,
  control: Control,
  makeWork: (u8: Uint8Array) => PacketWork,
  burst: number,
  onOpen: () => void,
): SideResult {
  const region = attachRegion(sab);
  const ep = openPort(region, portName);
  try {
    onOpen();
    const work = makeWork(region.u8);
    const rx = ep.rxRings[0]!;
    const u32 = region.u32;
    const bufBase = region.bufBase;
    const bufSize = region.bufSize;
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
          // The sender's last txsync precedes its done mark: this sync is final.
          ep.rxsync();
          if (rx.tail === head) break;
          continue;
        }
        rx.cur = head;
        // poll runs rxsync itself.
        const ev = ep.poll(POLLIN, CONTROL_POLL_MS);
        if ((ev & POLLHUP) !== 0 && control.sentTotal() < 0)
          throw new Error(`${portName}: the sender closed mid-run`);
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
