/**
 * The postmessage-batch transport (case postmessage-batch-64b): one
 * postMessage per `burst` packets (one Uint32Array of burst x 64 bytes,
 * cloned) over a MessageChannel; the receiver acks each batch. Allocates per
 * message by nature (the receiver gets a new object). See message-channel.ts.
 */
import type { MessagePort } from 'node:worker_threads';
import { MESSAGE_WINDOW_PACKETS } from '../api.js';
import type { Control } from '../control.js';
import { RW_WORDS } from '../packet-work.js';
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

export const postMessageBatchTransport = defineTransport({
  name: 'postmessage-batch',
  family: MESSAGE_PASSING,
  cases: [{ name: 'postmessage-batch-64b', work: '64b-rw' }],
  setup: shareMessageChannel,
  run: (ctx) => runMessageSide(ctx, postBatchSend, postBatchRecv),
});

/** postmessage-batch-64b sender: one postMessage (cloned) per batch of `burst` packets. */
function postBatchSend(port: MessagePort, control: Control, burst: number): Promise<SideResult> {
  const batch = new Uint32Array(burst * RW_WORDS);
  let acked = 0;
  return driveSender(
    port,
    control,
    (m) => {
      acked = m as number;
    },
    (s) => {
      if (MESSAGE_WINDOW_PACKETS - (s.sent - acked) < burst) return false;
      writeBatch(batch, burst, s);
      port.postMessage(batch);
      s.sent += burst;
      return true;
    },
  );
}

/** postmessage-batch-64b receiver: reads every packet of each batch, acks each batch. */
function postBatchRecv(port: MessagePort, control: Control, _burst: number): Promise<SideResult> {
  return driveReceiver(port, control, (m, t) => {
    readBatch(m as Uint32Array, t);
    port.postMessage(t.received);
    return true;
  });
}
