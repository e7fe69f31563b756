/**
 * Round trips over a network port (case net-rtt) beside raw ZeroMQ (case
 * zmq-raw-rtt, its "vs low-level" baseline), over TCP loopback, one 60-byte
 * packet in flight (the index work), each side in a child process of its
 * own (`sides: 'processes'`: a worker thread that holds ZeroMQ sockets must
 * never be terminated, zeromq.js #411).
 *
 * net-rtt: pong (the engine's sender side) opens
 * `zmq:tcp://127.0.0.1:PORT@both,bind` and ping (the receiver side, which
 * owns the measuring window) `zmq:tcp://127.0.0.1:PORT@both` (a ZeroMQ PAIR
 * each, lossless both ways), each in a region of its own, and they run the
 * pipe round trip's loops on them (pipe-rtt.ts, pingOn / pongOn): ping puts
 * one packet in its TX ring, notes the time, txsyncs and polls for the echo;
 * a round trip is ping's user thread → its I/O worker → ZeroMQ → pong's I/O
 * worker → pong's user thread and back. Both ends open with the network
 * port's default spin (0: a waiting side parks at once), so the row's wait
 * is `park`; the I/O workers park too (net's IO_SPIN).
 *
 * zmq-raw-rtt: the same exchange with a ZeroMQ PAIR socket each and no
 * ports: ping sends one message in the network port's wire format (header,
 * u32 length, the 60 bytes: what the port would send for one packet) and
 * awaits the echo; pong awaits a message, reads it and sends the same
 * message back. Times are ping's `performance.now()` just before the send
 * and just after the echo's receive resolves.
 *
 * The run ends as the pipe round trip's does: ping, after the window closed
 * and its last echo came back, marks itself done; pong sees the mark with
 * nothing in flight (it looks at it every CONTROL_POLL_MS while it waits).
 * Ping's and pong's checksums are the folds of what each read.
 */
import {
  checkMessage,
  openNetPort,
  WIRE_FRAME_HEADER_BYTES,
  WIRE_HEADER_BYTES,
  writeHeader,
} from '@pktfabric/net';
import { shmAvailable, shmUnavailableReason } from '@pktfabric/shm';
import * as zmq from 'zeromq';
import { CONTROL_POLL_MS, MeasureWindow } from '../control.js';
import { PHASE_MEASURE } from '../layout/control-layout.js';
import type { SideResult } from '../protocol.js';
import { RttHistogram } from '../rtt.js';
import { defineTransport, type SideContext } from '../transport.js';
import { setupNet, sideRegion, type NetSide } from './net.js';
import { pingDone, pingOn, pongOn } from './pipe-rtt.js';

const unavailable = (): string | undefined =>
  shmAvailable() ? undefined : `@pktfabric/shm is unavailable: ${shmUnavailableReason()}`;

export const netRttTransport = defineTransport({
  name: 'net-rtt',
  family: { label: 'pktfabric network port (ZeroMQ)', color: '#2ca02c' },
  sides: 'processes',
  unavailable,
  cases: [{ name: 'net-rtt', work: 'index', mode: 'slots', rtt: 'park', lowLevel: 'zmq-raw-rtt' }],
  setup: setupNet,
  async run(ctx: SideContext<NetSide>): Promise<SideResult> {
    const { endpoint, slots } = ctx.data;
    const ping = ctx.role === 'receiver';
    const port = await openNetPort(
      sideRegion(slots),
      `zmq:${endpoint}@both${ping ? '' : ',bind'}`,
      // Ping waits for pong before it reports ready; nothing is left to send at close.
      { waitPeerMs: ping ? 30_000 : 0, lingerMs: 0, peerTimeoutMs: 1000, slots },
    );
    try {
      return ping ? pingOn(ctx, port) : pongOn(ctx, port);
    } finally {
      port.close();
      await port.ioDone();
    }
  },
});

export const zmqRawRttTransport = defineTransport({
  name: 'zmq-raw-rtt',
  family: { label: 'raw ZeroMQ, same batching', color: '#98df8a' },
  sides: 'processes',
  unavailable,
  cases: [{ name: 'zmq-raw-rtt', work: 'index', rtt: 'park' }],
  setup: setupNet,
  run: (ctx: SideContext<NetSide>) => (ctx.role === 'sender' ? rawPong(ctx) : rawPing(ctx)),
});

/** Where the one frame's bytes start in a message (after the header and its u32 length). */
const FRAME_AT = WIRE_HEADER_BYTES + WIRE_FRAME_HEADER_BYTES;

/** A PAIR socket whose receive gives up after CONTROL_POLL_MS (EAGAIN), so a waiting side looks at the control block. */
function pairSocket(): zmq.Pair {
  return new zmq.Pair({ linger: 0, receiveTimeout: CONTROL_POLL_MS });
}

function isTimeout(e: unknown): boolean {
  return (e as { code?: unknown }).code === 'EAGAIN';
}

/** The one frame of an echo or a ping: its length, checked. Throws on a message that is not ours. */
function frameLen(msg: Buffer | undefined): number {
  if (msg === undefined || checkMessage(msg) !== 1)
    throw new Error('zmq-raw-rtt: a message that is not ours');
  return msg.readUInt32LE(WIRE_HEADER_BYTES);
}

async function rawPing(ctx: SideContext<NetSide>): Promise<SideResult> {
  const { control } = ctx;
  const pair = pairSocket();
  try {
    pair.connect(ctx.data.endpoint);
    // One message, reused: with one in flight, it has left before its echo is back.
    const scratch = new Uint8Array(2048);
    const sb = Buffer.from(scratch.buffer);
    const work = ctx.makeWork(scratch);
    const len = work.len;
    const msg = Buffer.alloc(FRAME_AT + len);
    const hist = new RttHistogram();
    const win = new MeasureWindow(control);
    ctx.ready();
    let seq = 0;
    let sum = 0;
    let trips = 0;
    while (!control.stopped()) {
      work.write(0, seq);
      writeHeader(msg, seq, 1, seq);
      msg.writeUInt32LE(len, WIRE_HEADER_BYTES);
      sb.copy(msg, FRAME_AT, 0, len);
      const t0 = performance.now();
      await pair.send(msg);
      let echo: Buffer | undefined;
      for (;;) {
        try {
          [echo] = await pair.receive();
          break;
        } catch (e) {
          if (!isTimeout(e)) throw e;
        }
      }
      const t1 = performance.now();
      const l = frameLen(echo);
      echo!.copy(sb, 0, FRAME_AT, FRAME_AT + l);
      sum = (sum + work.read(0, l, 0)) | 0;
      seq = (seq + 1) | 0;
      trips++;
      if (control.phase() === PHASE_MEASURE) hist.add((t1 - t0) * 1e6);
      win.check(trips);
    }
    win.close(trips);
    control.markReceiverDone();
    return {
      role: 'receiver',
      packets: trips,
      checksum: sum,
      kicks: -1,
      windowPackets: win.packets,
      windowSeconds: win.seconds,
      rtt: hist.summary(),
    };
  } finally {
    pair.close();
  }
}

async function rawPong(ctx: SideContext<NetSide>): Promise<SideResult> {
  const { control } = ctx;
  const pair = pairSocket();
  try {
    await pair.bind(ctx.data.endpoint);
    const scratch = new Uint8Array(2048);
    const sb = Buffer.from(scratch.buffer);
    const work = ctx.makeWork(scratch);
    ctx.ready();
    let sum = 0;
    let echoed = 0;
    for (;;) {
      let msg: Buffer | undefined;
      try {
        [msg] = await pair.receive();
      } catch (e) {
        if (!isTimeout(e)) throw e;
        // Ping marks itself done only once its last echo is back: nothing is in flight.
        if (pingDone(control)) break;
        continue;
      }
      const l = frameLen(msg);
      msg!.copy(sb, 0, FRAME_AT, FRAME_AT + l);
      sum = (sum + work.read(0, l, 0)) | 0;
      await pair.send(msg!);
      echoed++;
    }
    return {
      role: 'sender',
      packets: echoed,
      checksum: sum,
      kicks: -1,
      windowPackets: 0,
      windowSeconds: 0,
    };
  } finally {
    pair.close();
  }
}
