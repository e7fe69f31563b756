/**
 * What the message-passing transports share (postmessage.ts,
 * postmessage-batch.ts, messagechannel-transfer.ts). The two workers talk
 * directly over the two ends of one MessageChannel (worker-to-worker
 * postMessage needs a MessagePort); every case writes and reads the same
 * 64-byte payloads as the 64b-rw ring cases (packet-work.ts) and keeps at
 * most MESSAGE_WINDOW_PACKETS packets in flight, so a fast sender cannot
 * flood the receiver's queue and memory.
 *
 * The sender runs on its event loop: it sends while it has credit, then
 * returns and resumes on the next ack. It checks the control block once per
 * batch. Notify calls are not counted (kicks -1).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { MeasureWindow, type Control } from '../control.js';
import { readRw64, RW_WORDS, writeRw64 } from '../packet-work.js';
import type { SideResult } from '../protocol.js';
import type { Family, Shared, SideContext } from '../transport.js';

/** The chart's family of every message-passing transport. */
export const MESSAGE_PASSING: Family = { label: 'message passing', color: '#ff7f0e' };

/** `setup` of a message transport: one MessageChannel, one end transferred to each worker. */
export function shareMessageChannel(): Shared<MessagePort> {
  const { port1, port2 } = new MessageChannel();
  return {
    sender: { data: port1, transfer: [port1] },
    receiver: { data: port2, transfer: [port2] },
  };
}

/** One side of a message case, on its end of the channel. */
export type MessageLoop = (
  port: MessagePort,
  control: Control,
  burst: number,
) => Promise<SideResult>;

/** `run` of a message transport: nothing to set up, so ready at once, then the side's loop. */
export function runMessageSide(
  ctx: SideContext<MessagePort>,
  send: MessageLoop,
  recv: MessageLoop,
): Promise<SideResult> {
  ctx.ready();
  return (ctx.role === 'sender' ? send : recv)(ctx.data, ctx.control, ctx.burst);
}

/** The sender's last message: how many packets it sent. */
interface EndMessage {
  end: number;
}

function senderResult(sent: number, sum: number): SideResult {
  return {
    role: 'sender',
    packets: sent,
    checksum: sum,
    kicks: -1,
    windowPackets: 0,
    windowSeconds: 0,
  };
}

function receiverResult(received: number, sum: number, win: MeasureWindow): SideResult {
  return {
    role: 'receiver',
    packets: received,
    checksum: sum,
    kicks: -1,
    windowPackets: win.packets,
    windowSeconds: win.seconds,
  };
}

/** What a sender has sent: packets, the next sequence number, the fold of the checksums. */
export interface Sent {
  sent: number;
  seq: number;
  sum: number;
}

/**
 * Sends batches while `sendBatch` has credit for one (it returns false when
 * it has none), now and again after every message (`onMessage` takes the
 * ack or the returned buffer first). After each batch, once the control
 * block says stop, posts the EndMessage and resolves with the sender's
 * result; rejects if a step throws.
 */
export function driveSender(
  port: MessagePort,
  control: Control,
  onMessage: (m: unknown) => void,
  sendBatch: (s: Sent) => boolean,
): Promise<SideResult> {
  return new Promise((resolve, reject) => {
    const s: Sent = { sent: 0, seq: 0, sum: 0 };
    let finished = false;
    const step = (): void => {
      if (finished) return;
      try {
        while (sendBatch(s)) {
          if (control.stopped()) {
            finished = true;
            port.postMessage({ end: s.sent } satisfies EndMessage);
            resolve(senderResult(s.sent, s.sum));
            return;
          }
        }
      } catch (e) {
        finished = true;
        reject(e);
      }
    };
    port.on('message', (m: unknown) => {
      if (finished) return;
      onMessage(m);
      step();
    });
    step();
  });
}

/** Writes `n` 64-byte packets into `a` from word 0, numbered on from `s.seq`, and folds their checksums. */
export function writeBatch(a: Uint32Array, n: number, s: Sent): void {
  for (let k = 0; k < n; k++) {
    s.sum = (s.sum + writeRw64(a, k * RW_WORDS, s.seq)) | 0;
    s.seq = (s.seq + 1) | 0;
  }
}

/** What a receiver has counted: packets, and the fold of their checksums. */
export interface Tally {
  received: number;
  sum: number;
}

/**
 * Receives until the sender's EndMessage. `onData` handles every other
 * message (reads it into the tally, acks as the case does) and returns true
 * at the end of a batch, when the measurement window is checked. Resolves
 * with the receiver's result.
 */
export function driveReceiver(
  port: MessagePort,
  control: Control,
  onData: (m: unknown, t: Tally) => boolean,
): Promise<SideResult> {
  return new Promise((resolve) => {
    const win = new MeasureWindow(control);
    const t: Tally = { received: 0, sum: 0 };
    port.on('message', (m: unknown) => {
      if (!isEnd(m)) {
        if (onData(m, t)) win.check(t.received);
        return;
      }
      win.check(t.received);
      win.close(t.received);
      port.close();
      resolve(receiverResult(t.received, t.sum, win));
    });
  });
}

function isEnd(m: unknown): m is EndMessage {
  return typeof m === 'object' && m !== null && 'end' in m;
}

/** Reads every 64-byte packet of a batch into the tally. */
export function readBatch(a: Uint32Array, t: Tally): void {
  const n = a.length / RW_WORDS;
  for (let k = 0; k < n; k++) t.sum = (t.sum + readRw64(a, k * RW_WORDS)) | 0;
  t.received += n;
}
