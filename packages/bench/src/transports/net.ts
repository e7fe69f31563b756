/**
 * Network ports over ZeroMQ (@pktfabric/net) beside raw ZeroMQ with the same
 * batching, over TCP loopback. Cases net-index (60-byte packets) and
 * net-1500b-copy (1500 bytes; the bench's work sizes, the issue's 1514-byte
 * bar is measured at 1500) against zmq-raw-index and zmq-raw-1500b-copy,
 * their "vs low-level" baselines.
 *
 * net-*: each side has a region of its own (as two hosts would); the sender
 * opens `zmq:tcp://127.0.0.1:PORT@out` (binds, lossless PUSH) and the
 * receiver `zmq:tcp://127.0.0.1:PORT@in` (connects, PULL), each with a ring
 * of NET_BENCH_SLOTS slots, and both run the
 * pipe cases' low-level loops (pipe.ts, sendOn / recvOn) on them: the port's
 * I/O worker threads pack what the sender published into messages of up to
 * NET_BENCH_BATCH (2048) frames.
 * Packets still on the wire after the sender's done mark are waited for.
 *
 * zmq-raw-*: the same sides with a ZeroMQ PUSH / PULL socket and no ports:
 * the sender writes RAW_BATCH packets (fewer if they would pass MAX_MESSAGE_BYTES) with the case's work into a scratch
 * buffer, packs them as the network port does (wire.ts: header, u32 length
 * and bytes per frame, copied into a new message per batch, since ZeroMQ
 * keeps a reference to it), and awaits send; the receiver checks each
 * message and reads its frames with the work.
 *
 * PORT is a free port found by the main thread (listen on 0, close) just
 * before the run. Two hosts: see the net package README.
 */
import { createServer } from 'node:net';
import { createRegion, ringBytes, type Region } from '@pktfabric/core';
import {
  checkMessage,
  MAX_MESSAGE_BYTES,
  openNetPort,
  WIRE_FRAME_HEADER_BYTES,
  WIRE_HEADER_BYTES,
  writeHeader,
} from '@pktfabric/net';
import { shmAvailable, shmUnavailableReason } from '@pktfabric/shm';
import * as zmq from 'zeromq';
import { MeasureWindow } from '../control.js';
import type { SideResult } from '../protocol.js';
import { defineTransport, type SetupContext, type SideContext } from '../transport.js';
import { recvOn, sendOn } from './pipe.js';

export interface NetSide {
  /** tcp://127.0.0.1:PORT */
  endpoint: string;
  slots: number;
}

/** A TCP port nobody listens on now (the kernel picks it; closed again at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

export async function setupNet({ slots }: SetupContext): Promise<{
  sender: { data: NetSide };
  receiver: { data: NetSide };
}> {
  const endpoint = `tcp://127.0.0.1:${await freePort()}`;
  return { sender: { data: { endpoint, slots } }, receiver: { data: { endpoint, slots } } };
}

/**
 * Slots of the network port's ring: 8192 (or the run's --slots if more).
 * The I/O workers move up to NET_BENCH_BATCH frames per message; a ring that
 * holds several messages lets the user and its I/O worker overlap instead of
 * taking turns (measured: about 5.5 Mpps at 60 B with 1024 slots, 7 with
 * 4096 and 1024-frame messages).
 */
export const NET_BENCH_SLOTS = 8192;

/**
 * Frames per message of the network rows (`maxBatch`; the port's default is
 * 256) and of the raw rows: fewer, larger messages for both (ZeroMQ and the
 * I/O workers pay per message, an await and a wake-up). Measured at 60 B,
 * 5 runs each, 2026-11-30: 1024 frames 7.99 Mpps (raw 8.63), 2048 frames
 * with 8192 slots 9.02 (raw 8.01), 4096 with 16384 slots 7.96 (raw 7.98).
 */
export const NET_BENCH_BATCH = 2048;

function portSlots(slots: number): number {
  return Math.max(slots, NET_BENCH_SLOTS);
}

export function sideRegion(slots: number): Region {
  return createRegion({ bufCount: 4 * slots + 64, ringSize: ringBytes(slots) });
}

export const netTransport = defineTransport({
  name: 'net',
  family: { label: 'pktfabric network port (ZeroMQ)', color: '#2ca02c' },
  // ZeroMQ in a worker thread that is terminated can abort the whole process
  // (zeromq.js #411), and the engine terminates the workers of a run that
  // fails or outstays its grace: the sides run in two child processes, which
  // can be killed safely (the control block is then shared by name).
  sides: 'processes',
  unavailable: () =>
    shmAvailable() ? undefined : `@pktfabric/shm is unavailable: ${shmUnavailableReason()}`,
  cases: [
    { name: 'net-index', work: 'index', mode: 'slots', lowLevel: 'zmq-raw-index' },
    { name: 'net-1500b-copy', work: '1500b-copy', mode: 'slots', lowLevel: 'zmq-raw-1500b-copy' },
  ],
  setup: setupNet,
  async run(ctx: SideContext<NetSide>): Promise<SideResult> {
    const { endpoint } = ctx.data;
    const slots = portSlots(ctx.data.slots);
    const region = sideRegion(slots);
    const sender = ctx.role === 'sender';
    const port = await openNetPort(region, `zmq:${endpoint}@${sender ? 'out' : 'in'}`, {
      waitPeerMs: 30_000,
      lingerMs: 0,
      peerTimeoutMs: 1000,
      slots,
      maxBatch: NET_BENCH_BATCH,
    });
    try {
      return sender ? sendOn(ctx, port) : recvOn(ctx, port, true);
    } finally {
      port.close();
      await port.ioDone();
    }
  },
});

/** Frames per message of the raw sender: the network rows' batch (whatever the run's burst). */
const RAW_BATCH = NET_BENCH_BATCH;

export const zmqRawTransport = defineTransport({
  name: 'zmq-raw',
  family: { label: 'raw ZeroMQ, same batching', color: '#98df8a' },
  // ZeroMQ in a worker thread that is terminated can abort the whole process
  // (zeromq.js #411), and the engine terminates the workers of a run that
  // fails or outstays its grace: the sides run in two child processes, which
  // can be killed safely (the control block is then shared by name).
  sides: 'processes',
  unavailable: () =>
    shmAvailable() ? undefined : `@pktfabric/shm is unavailable: ${shmUnavailableReason()}`,
  cases: [
    { name: 'zmq-raw-index', work: 'index' },
    { name: 'zmq-raw-1500b-copy', work: '1500b-copy' },
  ],
  setup: setupNet,
  run: (ctx: SideContext<NetSide>) => (ctx.role === 'sender' ? rawSend(ctx) : rawRecv(ctx)),
});

async function rawSend(ctx: SideContext<NetSide>): Promise<SideResult> {
  const { control } = ctx;
  const len0 = ctx.makeWork(new Uint8Array(1536)).len;
  // As the port packs: up to RAW_BATCH frames, within MAX_MESSAGE_BYTES.
  const burst = Math.min(
    RAW_BATCH,
    Math.floor((MAX_MESSAGE_BYTES - WIRE_HEADER_BYTES) / (WIRE_FRAME_HEADER_BYTES + len0)),
  );
  const push = new zmq.Push({ sendHighWaterMark: 16, linger: 0 });
  try {
    await push.bind(ctx.data.endpoint);
    const scratch = new Uint8Array(burst * 1536);
    const work = ctx.makeWork(scratch);
    const len = work.len;
    const src = Buffer.from(scratch.buffer);
    ctx.ready();
    let seq = 0;
    let sum = 0;
    let sent = 0;
    while (!control.stopped()) {
      const msg = Buffer.allocUnsafe(WIRE_HEADER_BYTES + burst * (WIRE_FRAME_HEADER_BYTES + len));
      writeHeader(msg, 0, burst, sent);
      let p = WIRE_HEADER_BYTES;
      for (let i = 0; i < burst; i++) {
        sum = (sum + work.write(i * 1536, seq)) | 0;
        seq = (seq + 1) | 0;
        msg.writeUInt32LE(len, p);
        src.copy(msg, p + WIRE_FRAME_HEADER_BYTES, i * 1536, i * 1536 + len);
        p += WIRE_FRAME_HEADER_BYTES + len;
      }
      await push.send(msg);
      sent += burst;
    }
    control.markSenderDone(sent);
    // ZeroMQ's I/O thread sends what is queued while this one blocks.
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
    push.close();
  }
}

/** Longest a raw receiver waits in one receive before it looks at the control block again. */
const RAW_RECEIVE_TIMEOUT_MS = 50;

async function rawRecv(ctx: SideContext<NetSide>): Promise<SideResult> {
  const { control } = ctx;
  // A receive that waits at most RAW_RECEIVE_TIMEOUT_MS: the sender may mark
  // itself done just after the last message arrived, and a receive with no
  // limit would then wait for a message that never comes.
  const pull = new zmq.Pull({
    receiveHighWaterMark: 16,
    linger: 0,
    receiveTimeout: RAW_RECEIVE_TIMEOUT_MS,
  });
  try {
    pull.connect(ctx.data.endpoint);
    const scratch = new Uint8Array(RAW_BATCH * 1536);
    const dst = Buffer.from(scratch.buffer);
    const work = ctx.makeWork(scratch);
    const win = new MeasureWindow(control);
    ctx.ready();
    let sum = 0;
    let received = 0;
    for (;;) {
      const total = control.sentTotal();
      if (total >= 0 && received >= total) break;
      let msg: Buffer | undefined;
      try {
        [msg] = await pull.receive();
      } catch (e) {
        if ((e as { code?: unknown }).code === 'EAGAIN') {
          win.check(received);
          continue;
        }
        throw e;
      }
      const count = msg === undefined ? -1 : checkMessage(msg);
      if (count < 0) throw new Error('zmq-raw: a message that is not ours');
      let p = WIRE_HEADER_BYTES;
      for (let i = 0; i < count; i++) {
        const len = msg!.readUInt32LE(p);
        msg!.copy(dst, i * 1536, p + WIRE_FRAME_HEADER_BYTES, p + WIRE_FRAME_HEADER_BYTES + len);
        sum = (sum + work.read(i * 1536, len, i)) | 0;
        p += WIRE_FRAME_HEADER_BYTES + len;
      }
      received += count;
      win.check(received);
    }
    win.close(received);
    control.markReceiverDone();
    return {
      role: 'receiver',
      packets: received,
      checksum: sum,
      kicks: -1,
      windowPackets: win.packets,
      windowSeconds: win.seconds,
    };
  } finally {
    pull.close();
  }
}
