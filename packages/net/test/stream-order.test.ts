/**
 * The receiving I/O worker's ordering rules (pump-in.ts), with a scripted
 * socket instead of ZeroMQ: gaps and lost packets are counted by sequence
 * and packet number; a message of the same sender stream that is older than
 * one already delivered (what a reconnect's old connection can still hand
 * over after the new one's first messages) is skipped, never delivered out
 * of order; a new stream (a sender that started again) is taken from its own 0.
 */
import { describe, expect, it } from 'vitest';
import { createRegion } from '@pktfabric/core';
import { createPipe, openPort } from '@pktfabric/pipes';
import { CounterWriter } from '../src/counters.js';
import { pumpIn, type InSocket } from '../src/pump-in.js';
import { encodeBatch, writeHeader } from '../src/wire.js';

/** A message of stream `stream`, batch `seq`, holding packets first .. first + n - 1 (byte 0 = packet number). */
function msg(stream: number, seq: number, first: number, n: number): Buffer {
  const frames = Array.from({ length: n }, (_, i) => new Uint8Array([first + i, 0xab, 0xcd]));
  const b = encodeBatch(frames, seq, first);
  writeHeader(b, seq, n, first, stream);
  return b;
}

async function deliver(messages: Buffer[]): Promise<{ got: number[]; ctr: CounterWriter }> {
  const region = createRegion({ bufSize: 256, bufCount: 256 });
  const pipe = createPipe(region, { id: 1, slots: 64 });
  const user = openPort(region, 'pipe{1');
  const io = openPort(region, 'pipe}1');
  pipe.release();
  const st = { stopping: false };
  const queue = [...messages];
  const sock: InSocket = {
    get readable() {
      return queue.length > 0;
    },
    async receive() {
      const m = queue.shift();
      if (m === undefined) {
        st.stopping = true;
        throw new Error('scripted socket: no more messages');
      }
      return [m];
    },
  };
  const ctr = new CounterWriter(region, io.ifIdx);
  await pumpIn(io, sock, ctr, st);
  const got = user.recvBatch(1000).map((p) => {
    expect([p.length, p[1], p[2]]).toEqual([3, 0xab, 0xcd]);
    return p[0]!;
  });
  io.close();
  user.close();
  return { got, ctr };
}

describe('receiving I/O worker: order by stream, sequence and packet number', () => {
  it('skips a late message of the same stream (counted lost already) and counts the gap once', async () => {
    const A = 0x1234;
    const { got, ctr } = await deliver([
      msg(A, 0, 0, 2),
      msg(A, 3, 10, 2), // batches 1, 2 missing: packets 2..9 lost
      msg(A, 1, 2, 3), // late: the old connection's, after the new one's
      msg(A, 4, 12, 2),
      msg(A, 2, 5, 5), // late again
      msg(A, 5, 14, 1),
    ]);
    expect(got).toEqual([0, 1, 10, 11, 12, 13, 14]);
    expect([ctr.gaps, ctr.drops, ctr.packets, ctr.batches]).toEqual([2, 8, 7, 4]);
  });

  it('takes a new stream (a sender that started again) from its own 0, even behind the old one', async () => {
    const A = 7;
    const B = 8;
    const { got, ctr } = await deliver([
      msg(A, 0, 0, 2),
      msg(A, 1, 2, 2),
      msg(A, 2, 4, 2),
      msg(B, 0, 0, 2), // the sender started again
      msg(B, 2, 4, 1), // its batch 1 lost
      msg(A, 3, 6, 2), // the old stream, late: a stream change, counted from there
    ]);
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 4, 6, 7]);
    // B: one batch (2 packets) missing; A again: from 0, batches 0..2 and packets 0..5 missing.
    expect([ctr.gaps, ctr.drops]).toEqual([1 + 3, 2 + 6]);
  });
});
