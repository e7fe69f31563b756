/**
 * The postmessage transport (case postmessage-64b), the baseline every ratio
 * "vs postMessage" divides by: one postMessage per packet (a 64-byte
 * Uint32Array, structured-cloned) over a MessageChannel; the receiver acks
 * with a count every `burst` packets. Allocates per message by nature (the
 * receiver gets a new object). See message-channel.ts.
 */
import type { MessagePort } from 'node:worker_threads';
import { MESSAGE_WINDOW_PACKETS } from '../api.js';
import type { Control } from '../control.js';
import { readRw64, RW_WORDS } from '../packet-work.js';
import type { SideResult } from '../protocol.js';
import { defineTransport } from '../transport.js';
import {
  driveReceiver,
  driveSender,
  MESSAGE_PASSING,
  runMessageSide,
  shareMessageChannel,
  writeBatch,
} from './message-channel.js';

export const postMessageTransport = defineTransport({
  name: 'postmessage',
  family: MESSAGE_PASSING,
  cases: [{ name: 'postmessage-64b', work: '64b-rw' }],
  setup: shareMessageChannel,
  run: (ctx) => runMessageSide(ctx, postMessageSend, postMessageRecv),
});

/** postmessage-64b sender: one postMessage per 64-byte packet. */
function postMessageSend(port: MessagePort, control: Control, burst: number): Promise<SideResult> {
  const pkt = new Uint32Array(RW_WORDS);
  let acked = 0;
  return driveSender(
    port,
    control,
    (m) => {
      acked = m as number;
    },
    (s) => {
      const credit = MESSAGE_WINDOW_PACKETS - (s.sent - acked);
      if (credit <= 0) return false;
      const n = credit < burst ? credit : burst;
      for (let k = 0; k < n; k++) {
        writeBatch(pkt, 1, s);
        port.postMessage(pkt);
      }
      s.sent += n;
      return true;
    },
  );
}

/** postmessage-64b receiver: reads each packet's 64 bytes, acks every `burst` packets. */
function postMessageRecv(port: MessagePort, control: Control, burst: number): Promise<SideResult> {
  let sinceAck = 0;
  return driveReceiver(port, control, (m, t) => {
    t.sum = (t.sum + readRw64(m as Uint32Array, 0)) | 0;
    t.received++;
    if (++sinceAck < burst) return false;
    sinceAck = 0;
    port.postMessage(t.received);
    return true;
  });
}
