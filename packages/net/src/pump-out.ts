/**
 * The `out` direction of the I/O worker: takes what the user published on
 * the port, packs each run of up to `maxBatch` packets into one message
 * (copied out of the ring buffers: ZeroMQ may keep a reference to a message
 * until it is on the wire, and a ring buffer is reused as soon as its slot
 * is released), releases the slots, and sends. One send is in flight at a
 * time: while ZeroMQ holds it back (a PUSH with its peers full or absent)
 * the ring fills and the user's POLLOUT waits, which is the backpressure.
 */
import { NS_MOREFRAG, POLLIN, RING_CUR_I32, RING_HEAD_I32, SLOT_LEN_MAX } from '@pktfabric/core';
import type { PipeEndpoint } from '@pktfabric/pipes';
import type { CounterWriter } from './counters.js';
import { WIRE_FRAME_HEADER_BYTES, WIRE_HEADER_BYTES } from './layout/wire-layout.js';
import { copyBytes, HOST_LE, regionBuffer, words } from './region-buffer.js';
import { newStreamId, writeHeader } from './wire.js';

/** A message grows past this many bytes only to hold its first packet. */
export const MAX_MESSAGE_BYTES = 1 << 20;
/** Messages packed from one look at the ring before they are sent (the ring holds at most slots − 1 packets anyway). */
export const MAX_MESSAGES_PER_WAKE = 64;
const EMPTY = Buffer.alloc(0);

export interface OutSocket {
  send(msg: Buffer): Promise<void>;
}

export interface OutState {
  /** Set by the supervisor to stop at the next batch boundary. */
  stopping: boolean;
  /** Connected peers (fan-out with none: the batch is counted as dropped instead of sent). */
  peers(): number;
  /** When the last batch left (performance.now()), 0 before the first. */
  progress: number;
}

export async function pumpOut(
  ep: PipeEndpoint,
  sock: OutSocket,
  ctr: CounterWriter,
  maxBatch: number,
  fanout: boolean,
  st: OutState,
): Promise<void> {
  const region = ep.region;
  const k = ep.rxKrings[0]!;
  const i32 = region.i32;
  const b = k.b;
  const n = k.n;
  const vlf = k.vLenFlags;
  const vbuf = k.vBuf;
  const offMask = k.offMask;
  const bufSize = region.bufSize;
  const base = region.bufBase;
  const rb = regionBuffer(region);
  const rb32 = words(rb);
  const MORE = NS_MOREFRAG << 16;
  let seq = 0;
  let pkt = 0;
  const stream = newStreamId();
  // Messages packed per wake-up, waiting to be sent (reused array, no per-batch allocation of it).
  const msgs: Buffer[] = [];
  const counts: number[] = [];
  for (;;) {
    // Read "closed" before syncing: what the user sent before closing is still taken.
    const closed = ep.peerClosed;
    try {
      ep.rxsync();
    } catch {
      ctr.bad++; // a slot the user wrote wrong: the kring made it harmless (length 0)
    }
    const head = i32[b + RING_HEAD_I32]!;
    const tail = k.hwtail;
    if (head === tail) {
      if (closed || st.stopping) return;
      await ep.pollAsync(POLLIN, 1000);
      continue;
    }
    // Take everything published now, as several messages of up to maxBatch
    // packets: the slots go back in one release (one wake-up of a user
    // waiting for room) instead of one per message.
    let i = head;
    let nmsg = 0;
    while (i !== tail && nmsg < MAX_MESSAGES_PER_WAKE) {
      // Measure: whole packets (a MOREFRAG chain is published complete) up to maxBatch.
      let size = WIRE_HEADER_BYTES;
      let count = 0;
      const first = i;
      while (i !== tail && count < maxBatch) {
        let j = i;
        let plen = 0;
        let lf;
        do {
          lf = vlf[j]!;
          plen += lf & SLOT_LEN_MAX;
          j = j + 1 === n ? 0 : j + 1;
        } while ((lf & MORE) !== 0 && j !== tail);
        if (count > 0 && size + WIRE_FRAME_HEADER_BYTES + plen > MAX_MESSAGE_BYTES) break;
        size += WIRE_FRAME_HEADER_BYTES + plen;
        count++;
        i = j;
      }
      const end = i;
      // Copy out (ZeroMQ keeps a reference to a message until it is on the wire).
      const msg = Buffer.allocUnsafe(size);
      const msg32 = words(msg);
      const lenLE = HOST_LE ? msg32 : null;
      writeHeader(msg, seq, count, pkt, stream);
      seq = (seq + 1) >>> 0;
      pkt += count;
      let p = WIRE_HEADER_BYTES;
      let s = first;
      for (let c = 0; c < count; c++) {
        const lenAt = p;
        p += WIRE_FRAME_HEADER_BYTES;
        let lf;
        do {
          lf = vlf[s]!;
          const len = lf & SLOT_LEN_MAX;
          const off = base + vbuf[s]! * bufSize + (offMask === 0 ? 0 : k.vOff[s]!);
          copyBytes(rb, rb32, off, msg, msg32, p, len);
          p += len;
          s = s + 1 === n ? 0 : s + 1;
        } while ((lf & MORE) !== 0 && s !== end);
        const flen = p - lenAt - WIRE_FRAME_HEADER_BYTES;
        if (lenLE !== null && (lenAt & 3) === 0) lenLE[lenAt >>> 2] = flen;
        else msg.writeUInt32LE(flen, lenAt);
      }
      msgs[nmsg] = msg;
      counts[nmsg] = count;
      nmsg++;
    }
    // Hand the slots back before ZeroMQ sees the messages.
    i32[b + RING_HEAD_I32] = i;
    i32[b + RING_CUR_I32] = i;
    ep.rxsync();
    for (let m = 0; m < nmsg; m++) {
      const msg = msgs[m]!;
      const count = counts[m]!;
      msgs[m] = EMPTY; // drop the reference: ZeroMQ holds it until sent
      if (fanout && st.peers() === 0) {
        ctr.drops += count;
      } else {
        // Resolves at once while the socket takes messages; waits only when ZeroMQ holds back.
        await sock.send(msg);
        st.progress = performance.now();
        ctr.packets += count;
        ctr.bytes += msg.length - WIRE_HEADER_BYTES - count * WIRE_FRAME_HEADER_BYTES;
        ctr.batches++;
      }
    }
    ctr.flush();
  }
}
