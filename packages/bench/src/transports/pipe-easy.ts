/**
 * The easy-layer pipe transport (cases pipe-recvbatch-64b, pipe-batches-64b,
 * pipe-forawait-64b, pipe-readable-64b): the same pipe as pipe.ts (one
 * region, `pipe{1` sends, `pipe}1` receives, 1024 slots, ends opened with
 * `checks: 'slots'`), driven through the port's packet layer instead of its
 * rings. The work is 64b-rw's; each case's ratioToLowLevel divides by
 * pipe-64b-rw, the same work over the low-level ring API.
 *
 * Sender (every case): a batch of `burst` 64-byte packets in one buffer of
 * its own, built once. Per batch it writes the 64 payload bytes of every
 * packet it has not yet handed over (16 32-bit stores, `writeRw64` through
 * the side's PacketWork) and calls `sendBatch(list, from, count)`, which
 * copies as many as fit into the ring and publishes them with one txsync.
 * When fewer than the rest of the batch fit, the ring is full: the sender
 * blocks in `poll(POLLOUT)` and goes on from the first packet not taken
 * (nothing is rewritten). No allocation per packet or per batch.
 *
 * Receivers, each reading every packet's 64 bytes with 16 32-bit loads and
 * folding the checksum as 64b-rw does:
 * - recvbatch: `recvBatch(burst, got)` into one reused array of views; when
 *   it comes back empty, a blocking `poll(POLLIN)` (no await);
 * - batches: `for await (const batch of port.batches(burst))`;
 * - forawait: `for await (const pkt of port)`;
 * - readable: a reader of `port.readableBatches(burst)`, the Web Streams
 *   path for throughput (`await reader.read()` per chunk; a chunk is an
 *   array of copies of one batch in one buffer, read through one Uint32Array
 *   view of that buffer).
 *
 * End of a run: at STOP the sender publishes its total (`markSenderDone`)
 * and closes its end, which wakes the receiver. Closing is the end of the
 * stream in the easy layer: recvBatch sees `peerClosed` (poll returns
 * POLLHUP) and takes one last batch; the iterators and the stream end by
 * themselves once the sender has closed and everything it sent was read. A
 * receiver whose stream ended before the sender marked itself done throws
 * (the sender closed or died mid-run). Setup and the buffer check after the
 * run are pipe.ts's (`setupPipe`). Notify calls are the ports' `kicks`.
 */
import { attachRegion, type Port } from '@pktfabric/core';
import { openPort, POLLHUP, POLLIN, POLLOUT } from '@pktfabric/pipes';
import { CONTROL_POLL_MS, MeasureWindow } from '../control.js';
import { readRw64, RW_BYTES } from '../packet-work.js';
import type { SideResult } from '../protocol.js';
import { defineTransport, type SideContext } from '../transport.js';
import { setupPipe, type PipeSide } from './pipe.js';

/** The low-level case every easy-layer case is measured against (ratioToLowLevel). */
export const EASY_LOW_LEVEL_CASE = 'pipe-64b-rw';

export const pipeEasyTransport = defineTransport({
  name: 'pipe-easy',
  family: { label: 'pktfabric pipe, easy layer', color: '#9ecae1' },
  cases: [
    { name: 'pipe-recvbatch-64b', work: '64b-rw', mode: 'slots', lowLevel: EASY_LOW_LEVEL_CASE },
    { name: 'pipe-batches-64b', work: '64b-rw', mode: 'slots', lowLevel: EASY_LOW_LEVEL_CASE },
    { name: 'pipe-forawait-64b', work: '64b-rw', mode: 'slots', lowLevel: EASY_LOW_LEVEL_CASE },
    { name: 'pipe-readable-64b', work: '64b-rw', mode: 'slots', lowLevel: EASY_LOW_LEVEL_CASE },
  ],
  setup: setupPipe,
  run: (ctx) => (ctx.role === 'sender' ? easySend(ctx) : easyRecv(ctx)),
});

/** Opens this side's end with the case's checks mode. */
function open(ctx: SideContext<PipeSide>): Port {
  const { sab, portName, checks } = ctx.data;
  return openPort(attachRegion(sab), portName, { checks });
}

/**
 * Sends batches of `burst` packets with `sendBatch` until STOP, then marks
 * itself done and closes its end (the end of the stream for the receiver).
 */
export function easySend(ctx: SideContext<PipeSide>): SideResult {
  const { control, burst } = ctx;
  const port = open(ctx);
  try {
    // The batch, built once: `burst` views of 64 bytes over one buffer, the
    // byte offset of each view in it, and the checksum of what it holds.
    const mem = new Uint8Array(burst * RW_BYTES);
    const work = ctx.makeWork(mem);
    const list: Uint8Array[] = [];
    const offs = new Int32Array(burst);
    const sums = new Int32Array(burst);
    for (let j = 0; j < burst; j++) {
      list.push(mem.subarray(j * RW_BYTES, (j + 1) * RW_BYTES));
      offs[j] = j * RW_BYTES;
    }
    ctx.ready();
    let seq = 0;
    let sum = 0;
    let sent = 0;
    // list[from, burst) hold packets written but not taken yet (in order).
    let from = burst;
    while (!control.stopped()) {
      if (from === burst) {
        for (let j = 0; j < burst; j++) {
          sums[j] = work.write(offs[j]!, seq);
          seq = (seq + 1) | 0;
        }
        from = 0;
      }
      const took = port.sendBatch(list, from, burst - from);
      for (let j = from; j < from + took; j++) sum = (sum + sums[j]!) | 0;
      sent += took;
      from += took;
      if (from === burst) continue;
      // The ring is full: wait for room (sendBatch made the tail the wake-up point).
      const ev = port.poll(POLLOUT, CONTROL_POLL_MS);
      if ((ev & POLLHUP) !== 0) throw new Error(`${port.name}: the receiver closed mid-run`);
    }
    control.markSenderDone(sent);
    return {
      role: 'sender',
      packets: sent,
      checksum: sum,
      kicks: port.kicks,
      windowPackets: 0,
      windowSeconds: 0,
    };
  } finally {
    // After markSenderDone: the end of the stream. What was sent stays
    // readable; the receiver wakes with POLLHUP and ends once it read it all.
    port.close();
  }
}

/** What a receiver loop hands back: packets and the fold of their checksums. */
interface Tally {
  received: number;
  sum: number;
}

type RecvLoop = (
  port: Port,
  ctx: SideContext<PipeSide>,
  win: MeasureWindow,
  t: Tally,
) => void | Promise<void>;

const RECEIVERS: Readonly<Record<string, RecvLoop>> = {
  'pipe-recvbatch-64b': recvBatchLoop,
  'pipe-batches-64b': batchesLoop,
  'pipe-forawait-64b': forAwaitLoop,
  'pipe-readable-64b': readableLoop,
};

/**
 * Opens its end, calls `ready`, runs the case's receiver loop until the
 * sender has closed and everything was read, and checks that the sender
 * ended the stream on purpose.
 */
export async function easyRecv(ctx: SideContext<PipeSide>): Promise<SideResult> {
  const loop = RECEIVERS[ctx.caseName];
  if (loop === undefined) throw new RangeError(`pipe-easy: no receiver for ${ctx.caseName}`);
  const { control } = ctx;
  const port = open(ctx);
  try {
    const win = new MeasureWindow(control);
    const t: Tally = { received: 0, sum: 0 };
    await loop(port, ctx, win, t);
    if (control.sentTotal() < 0)
      throw new Error(`${port.name}: the sender closed mid-run (${t.received} packets read)`);
    win.close(t.received);
    control.markReceiverDone();
    return {
      role: 'receiver',
      packets: t.received,
      checksum: t.sum,
      kicks: port.kicks,
      windowPackets: win.packets,
      windowSeconds: win.seconds,
    };
  } finally {
    port.close();
  }
}

/** recvBatch into one reused array; a blocking poll(POLLIN) when it is empty. */
function recvBatchLoop(port: Port, ctx: SideContext<PipeSide>, win: MeasureWindow, t: Tally): void {
  const { burst } = ctx;
  const u8 = port.region.u8;
  const work = ctx.makeWork(u8);
  const base = u8.byteOffset;
  const got: Uint8Array[] = [];
  ctx.ready();
  let sum = 0;
  let received = 0;
  for (;;) {
    port.recvBatch(burst, got);
    if (got.length === 0) {
      win.check(received);
      if (port.peerClosed) {
        // The sender's last sendBatch precedes its close: this look is final.
        port.recvBatch(burst, got);
        if (got.length === 0) break;
      } else {
        // POLLHUP (the sender closed) is seen by peerClosed on the next turn.
        port.poll(POLLIN, CONTROL_POLL_MS);
        continue;
      }
    }
    const n = got.length;
    for (let i = 0; i < n; i++) {
      const p = got[i]!;
      sum = (sum + work.read(p.byteOffset - base, p.length, i)) | 0;
    }
    received += n;
    win.check(received);
  }
  port.giveBack();
  t.sum = sum;
  t.received = received;
}

/** for await over port.batches(burst). */
async function batchesLoop(
  port: Port,
  ctx: SideContext<PipeSide>,
  win: MeasureWindow,
  t: Tally,
): Promise<void> {
  const u8 = port.region.u8;
  const work = ctx.makeWork(u8);
  const base = u8.byteOffset;
  ctx.ready();
  let sum = 0;
  let received = 0;
  for await (const batch of port.batches(ctx.burst)) {
    const n = batch.length;
    for (let i = 0; i < n; i++) {
      const p = batch[i]!;
      sum = (sum + work.read(p.byteOffset - base, p.length, i)) | 0;
    }
    received += n;
    win.check(received);
  }
  t.sum = sum;
  t.received = received;
}

/** for await over the port, one packet per step; the window is checked every `burst` packets. */
async function forAwaitLoop(
  port: Port,
  ctx: SideContext<PipeSide>,
  win: MeasureWindow,
  t: Tally,
): Promise<void> {
  const { burst } = ctx;
  const u8 = port.region.u8;
  const work = ctx.makeWork(u8);
  const base = u8.byteOffset;
  ctx.ready();
  let sum = 0;
  let received = 0;
  let untilCheck = burst;
  for await (const p of port) {
    sum = (sum + work.read(p.byteOffset - base, p.length, 0)) | 0;
    received++;
    if (--untilCheck === 0) {
      untilCheck = burst;
      win.check(received);
    }
  }
  t.sum = sum;
  t.received = received;
}

/**
 * A reader loop over port.readableBatches(burst), the Web Streams receive
 * path for throughput (one chunk per batch; see the core README for the
 * per-packet readable()). Chunks are arrays of copies, each read through a
 * Uint32Array view.
 */
async function readableLoop(
  port: Port,
  ctx: SideContext<PipeSide>,
  win: MeasureWindow,
  t: Tally,
): Promise<void> {
  const { burst } = ctx;
  ctx.ready();
  // Made after ready: a new stream starts pulling at once.
  const reader = port.readableBatches(burst).getReader();
  let sum = 0;
  let received = 0;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      const batch = r.value;
      // The copies of one batch share one buffer (8-byte aligned): one word view per chunk.
      const words = batch.length > 0 ? new Uint32Array(batch[0]!.buffer) : null;
      for (let i = 0; i < batch.length; i++) {
        const c = batch[i]!;
        sum = (sum + (c.length === RW_BYTES ? readRw64(words!, c.byteOffset >>> 2) : c.length)) | 0;
      }
      received += batch.length;
      win.check(received);
    }
  } finally {
    reader.releaseLock();
  }
  t.sum = sum;
  t.received = received;
}
