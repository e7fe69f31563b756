/**
 * The pipe transport (cases pipe-index, pipe-index-ring, pipe-64b-rw,
 * pipe-1500b-copy; and pipe-60b-frame, pipe-1514b-frame, the capture and
 * replay rows' baselines): a region with one pipe, a sender on its master end (`pipe{1`) and a receiver
 * on its slave end (`pipe}1`), used the netmap way. The sender fills up
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
 *
 * Both ends are opened with the case's checks mode: `'slots'` (core's
 * default: every slot a user or the peer changed is validated) for every
 * case but pipe-index-ring, which opens both with `'ring'` (netmap's trust
 * model) and is otherwise pipe-index.
 *
 * Both workers are watched (watchWorker), so a side that dies wakes the other
 * with POLLHUP; after a successful run the pipe is destroyed and every buffer
 * must be back in the pool.
 */
import {
  attachRegion,
  createRegion,
  DEFAULT_BUF_COUNT,
  ringBytes,
  type ChecksMode,
  type Port,
  type RegionMemory,
} from '@pktfabric/core';
import { createPipe, openPort, POLLHUP, POLLIN, POLLOUT, watchWorker } from '@pktfabric/pipes';
import { DEFAULT_SLOTS } from '../api.js';
import { CONTROL_POLL_MS, MeasureWindow } from '../control.js';
import { BenchCaseError } from '../errors.js';
import type { SideResult } from '../protocol.js';
import { defineTransport, type SetupContext, type Shared, type SideContext } from '../transport.js';

const LEN_MASK = 0xffff;
/** The pipe every pipe case uses: `pipe{1` sends, `pipe}1` receives. */
const PIPE_ID = 1;

/**
 * What each side gets: the region, the name of the end it opens (`pipe{N` or
 * `pipe}N`) and the checks mode to open it with. The region is its
 * SharedArrayBuffer, or (the same sides in two processes, pipe-process.ts)
 * the memory of the shared region the side's process opened by name.
 */
export interface PipeSide {
  sab: SharedArrayBuffer | RegionMemory;
  portName: string;
  checks: ChecksMode;
}

export const pipeTransport = defineTransport({
  name: 'pipe',
  family: { label: 'pktfabric pipe', color: '#1f77b4' },
  cases: [
    { name: 'pipe-index', work: 'index', mode: 'slots' },
    { name: 'pipe-index-ring', work: 'index', mode: 'ring' },
    { name: 'pipe-64b-rw', work: '64b-rw', mode: 'slots' },
    { name: 'pipe-1500b-copy', work: '1500b-copy', mode: 'slots' },
  ],
  setup: setupPipe,
  run: (ctx) => (ctx.role === 'sender' ? pipeSend(ctx) : pipeRecv(ctx)),
});

/**
 * The same pipe, loops and checks moving frames of 60 and 1514 bytes (the
 * `frame` work: the sender stamps each frame's sequence number and sets its
 * len, the receiver reads the stamp). The baselines of the capture and
 * replay rows (capture.ts, replay.ts), which move the same frames: their
 * "vs low-level" ratio over these rows is what the capture or the replay
 * costs. Registered just before them, so the rows sit together. The pipe
 * hands each frame over by its buffer index and these rows touch 4 bytes of
 * it, so their GB/s is what passes by reference, not bytes copied.
 */
export const pipeFrameTransport = defineTransport({
  name: 'pipe-frame',
  family: { label: 'pktfabric pipe', color: '#1f77b4' },
  cases: [
    { name: 'pipe-60b-frame', work: 'frame', frameBytes: 60, mode: 'slots' },
    { name: 'pipe-1514b-frame', work: 'frame', frameBytes: 1514, mode: 'slots' },
  ],
  setup: setupPipe,
  run: (ctx) => (ctx.role === 'sender' ? pipeSend(ctx) : pipeRecv(ctx)),
});

/**
 * Main thread, once per run of a pipe case (also used by the easy-layer
 * transport, pipe-easy.ts): a region with one pipe of `slots` slots, both
 * workers watched, and after a successful run the pipe destroyed and every
 * buffer checked back in the pool.
 */
export function setupPipe({ caseName, mode, slots }: SetupContext): Shared<PipeSide> {
  const region = createRegion({
    bufCount: Math.max(DEFAULT_BUF_COUNT, 4 * slots + 64),
    ...(slots > DEFAULT_SLOTS ? { ringSize: ringBytes(slots) } : {}),
  });
  const pipe = createPipe(region, { id: PIPE_ID, slots });
  const checks = mode ?? 'slots';
  return {
    sender: { data: { sab: region.sab, portName: pipe.master, checks } },
    receiver: { data: { sab: region.sab, portName: pipe.slave, checks } },
    started(workers) {
      // A worker that dies holding its end closes it, so the survivor sees POLLHUP.
      watchWorker(region, workers.sender);
      watchWorker(region, workers.receiver);
    },
    release(ok) {
      if (!ok) return;
      // Drops the creator's reference to the pipe (destroying it) and checks
      // that every buffer went back to the pool.
      pipe.release();
      const buf = region.pools().find((p) => p.name === 'buf')!;
      if (buf.free !== buf.objTotal - buf.reserved)
        throw new BenchCaseError(
          caseName,
          'integrity',
          `after the pipe was destroyed ${buf.free} of ${buf.objTotal - buf.reserved} buffers are free`,
        );
    },
  };
}

/**
 * Opens its end in the region, calls `ready` (which blocks until the run
 * starts), and sends until STOP. Blocks while the ring is full.
 */
export function pipeSend(ctx: SideContext<PipeSide>): SideResult {
  const { sab, portName, checks } = ctx.data;
  const ep = openPort(attachRegion(sab), portName, { checks });
  try {
    return sendOn(ctx, ep);
  } finally {
    ep.close();
  }
}

/**
 * The sender's loop on an open port of any kind (the network transport runs
 * it too): calls `ready`, sends until STOP, marks itself done and waits for
 * the receiver. Does not close the port.
 */
export function sendOn(ctx: SideContext<unknown>, ep: Port): SideResult {
  const { control, burst } = ctx;
  const region = ep.region;
  const portName = ep.name;
  {
    ctx.ready();
    const work = ctx.makeWork(region.u8);
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
  }
}

/**
 * Opens its end, calls `ready`, and receives until the sender is done and
 * everything it sent was read. Blocks while the ring is empty.
 */
export function pipeRecv(ctx: SideContext<PipeSide>): SideResult {
  const { sab, portName, checks } = ctx.data;
  const ep = openPort(attachRegion(sab), portName, { checks });
  try {
    return recvOn(ctx, ep, false);
  } finally {
    ep.close();
  }
}

/**
 * The receiver's loop on an open port of any kind: calls `ready`, receives
 * until the sender is done and everything was read. `inFlight`: packets may
 * still be on their way after the sender's done mark (a network port), so
 * it also waits until it has read as many as the sender sent. Does not close
 * the port.
 */
export function recvOn(ctx: SideContext<unknown>, ep: Port, inFlight: boolean): SideResult {
  const { control, burst } = ctx;
  const region = ep.region;
  const portName = ep.name;
  {
    ctx.ready();
    const work = ctx.makeWork(region.u8);
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
        const total = control.sentTotal();
        if (total >= 0 && (!inFlight || received >= total)) {
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
        if ((ev & POLLHUP) !== 0 && inFlight && ep.peerClosed && control.sentTotal() > received)
          throw new Error(`${portName}: the sender's packets stopped coming`);
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
  }
}
