/**
 * The messagechannel-transfer transport (case messagechannel-transfer-64b):
 * one postMessage per batch of `burst` packets whose ArrayBuffer is
 * transferred, not cloned; the receiver transfers each buffer back when it
 * has read it, and the returning buffer is the sender's credit. Allocates one
 * view per batch. See message-channel.ts.
 */
import type { MessagePort } from 'node:worker_threads';
import { MESSAGE_WINDOW_PACKETS } from '../api.js';
import type { Control } from '../control.js';
import { RW_BYTES } from '../packet-work.js';
import type { SideResult } from '../protocol.js';
import { defineTransport } from '../transport.js';
import {
  driveReceiver,
  driveSender,
  MESSAGE_PASSING,
  readBatch,
  runMessageSide,
  shareMessageChannel,
  writeBatch,
} from './message-channel.js';

export const messageChannelTransferTransport = defineTransport({
  name: 'messagechannel-transfer',
  family: MESSAGE_PASSING,
  cases: [{ name: 'messagechannel-transfer-64b', work: '64b-rw' }],
  setup: shareMessageChannel,
  run: (ctx) => runMessageSide(ctx, transferSend, transferRecv),
});

/** messagechannel-transfer-64b sender: transfers one ArrayBuffer per batch; buffers come back as credit. */
function transferSend(port: MessagePort, control: Control, burst: number): Promise<SideResult> {
  const pool: ArrayBuffer[] = [];
  const inFlight = Math.max(1, Math.floor(MESSAGE_WINDOW_PACKETS / burst));
  for (let i = 0; i < inFlight; i++) pool.push(new ArrayBuffer(burst * RW_BYTES));
  return driveSender(
    port,
    control,
    (m) => {
      pool.push(m as ArrayBuffer);
    },
    (s) => {
      const buf = pool.pop();
      if (buf === undefined) return false;
      writeBatch(new Uint32Array(buf), burst, s);
      port.postMessage(buf, [buf]);
      s.sent += burst;
      return true;
    },
  );
}

/** messagechannel-transfer-64b receiver: reads every packet, transfers the buffer back. */
function transferRecv(port: MessagePort, control: Control, _burst: number): Promise<SideResult> {
  return driveReceiver(port, control, (m, t) => {
    const buf = m as ArrayBuffer;
    readBatch(new Uint32Array(buf), t);
    port.postMessage(buf, [buf]);
    return true;
  });
}
