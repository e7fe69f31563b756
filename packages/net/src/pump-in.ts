/**
 * The `in` direction of the I/O worker: receives one message at a time,
 * checks all of it before anything is written (layout/wire-layout.ts), counts
 * gaps by sequence number and lost packets by packet number, and copies the
 * frames into the port's ring (a frame longer than a buffer over several
 * slots with NS_MOREFRAG), one txsync per run that fits. When the ring is
 * full it waits for the user (POLLOUT) before it receives more, so ZeroMQ's
 * queue fills: a PUSH sender is held back, a PUB drops (the gaps count it).
 */
import {
  MAX_FRAGS,
  NS_MOREFRAG,
  POLLOUT,
  RING_CUR_I32,
  RING_HEAD_I32,
  RING_TAIL_I32,
} from '@pktfabric/core';
import type { PipeEndpoint } from '@pktfabric/pipes';
import type { CounterWriter } from './counters.js';
import { WIRE_FRAME_HEADER_BYTES, WIRE_HEADER_BYTES } from './layout/wire-layout.js';
import { copyBytes, HOST_LE, regionBuffer, words } from './region-buffer.js';
import { checkMessage, messagePkt, messageSeq, messageStream } from './wire.js';

export interface InSocket {
  receive(): Promise<Buffer[]>;
  /** True when the next receive() resolves at once (a message is queued). */
  readonly readable: boolean;
}

export interface InState {
  stopping: boolean;
}

const HALF32 = 0x8000_0000;
/** Messages written into the ring before one txsync publishes them, while more are queued. */
export const MAX_UNPUBLISHED = 16;

export async function pumpIn(
  ep: PipeEndpoint,
  sock: InSocket,
  ctr: CounterWriter,
  st: InState,
): Promise<void> {
  const region = ep.region;
  const k = ep.txKrings[0]!;
  const i32 = region.i32;
  const u32 = region.u32;
  const b = k.b;
  const n = k.n;
  const bufs = k.bufs;
  const lfs = k.lfs;
  const offMask = k.offMask;
  const bufSize = region.bufSize;
  const base = region.bufBase;
  const rb = regionBuffer(region);
  const rb32 = words(rb);
  const maxFrame = Math.min(MAX_FRAGS, n - 1) * bufSize;
  const MORE = NS_MOREFRAG << 16;
  let expSeq = 0;
  let expPkt = 0;
  // The sender stream last delivered from (-1: none yet).
  let expStream = -1;
  // Slots written but not yet published: published (one txsync, at most one
  // wake-up of the user) when no further message is queued, before waiting
  // for room, or after MAX_UNPUBLISHED messages.
  let unpublished = 0;
  const publish = (): void => {
    i32[b + RING_CUR_I32] = i32[b + RING_HEAD_I32]!;
    ep.txsync();
    unpublished = 0;
  };
  for (;;) {
    if (unpublished > 0 && (unpublished >= MAX_UNPUBLISHED || !sock.readable)) publish();
    let parts: Buffer[];
    try {
      parts = await sock.receive();
    } catch (e) {
      if (unpublished > 0) publish();
      if (st.stopping) return;
      throw e;
    }
    const msg = parts.length === 1 ? parts[0]! : null;
    const count = msg === null ? -1 : checkMessage(msg);
    if (msg === null || count < 0) {
      ctr.bad++;
      ctr.flush();
      continue;
    }
    const msg32 = words(msg);
    const lenLE = HOST_LE ? msg32 : null;
    const seq = messageSeq(msg);
    const first = messagePkt(msg);
    const stream = messageStream(msg);
    if (stream !== expStream) {
      // A new stream (the first, or a sender that started again): counted from its own 0.
      expStream = stream;
      expSeq = 0;
      expPkt = 0;
    } else if ((seq - expSeq) >>> 0 >= HALF32 || first < expPkt) {
      // Older than one already delivered (a reconnect's old connection still
      // draining): its packets were counted lost when the newer one came;
      // delivering them now would reorder the stream.
      ctr.flush();
      continue;
    }
    const ahead = (seq - expSeq) >>> 0;
    if (ahead !== 0) ctr.gaps += ahead;
    if (first > expPkt) ctr.drops += first - expPkt;
    expSeq = (seq + 1) >>> 0;
    expPkt = first + count;
    let p = WIRE_HEADER_BYTES;
    let f = 0;
    while (f < count) {
      let head = i32[b + RING_HEAD_I32]!;
      let room = i32[b + RING_TAIL_I32]! - head;
      if (room < 0) room += n;
      let wrote = 0;
      while (f < count) {
        const len = lenLE !== null && (p & 3) === 0 ? lenLE[p >>> 2]! : msg.readUInt32LE(p);
        if (len > maxFrame) {
          ctr.drops++; // longer than the ring can ever hold: skipped, counted
          p += WIRE_FRAME_HEADER_BYTES + len;
          f++;
          continue;
        }
        const need = len <= bufSize ? 1 : Math.ceil(len / bufSize);
        if (need > room) break;
        let src = p + WIRE_FRAME_HEADER_BYTES;
        let left = len;
        do {
          const l = left < bufSize ? left : bufSize;
          copyBytes(msg, msg32, src, rb, rb32, base + u32[bufs + head]! * bufSize, l);
          left -= l;
          src += l;
          u32[lfs + head] = left > 0 ? l | MORE : l;
          if (offMask !== 0) u32[k.ptrs + head] = u32[k.ptrs + head]! & ~offMask;
          head = head + 1 === n ? 0 : head + 1;
        } while (left > 0);
        room -= need;
        p += WIRE_FRAME_HEADER_BYTES + len;
        f++;
        wrote++;
        ctr.packets++;
        ctr.bytes += len;
      }
      if (wrote > 0) {
        i32[b + RING_HEAD_I32] = head;
        unpublished++;
      }
      if (f < count) {
        // Publish, which also reclaims what the user gave back meanwhile:
        // look once more before waiting for room.
        if (unpublished > 0) {
          publish();
          continue;
        }
        if (st.stopping || ep.peerClosed) return;
        await ep.pollAsync(POLLOUT, 1000);
      }
    }
    ctr.batches++;
    ctr.flush();
  }
}
