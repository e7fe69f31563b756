/**
 * The message-passing baselines. The two workers talk directly over the two
 * ends of one MessageChannel (worker-to-worker postMessage needs a
 * MessagePort); every case writes and reads the same 64-byte payloads as the
 * 64b-rw ring cases (packet-work.ts) and keeps at most
 * MESSAGE_WINDOW_PACKETS packets in flight, so a fast sender cannot flood
 * the receiver's queue and memory:
 * - `postmessage`: one postMessage per packet (a 64-byte Uint32Array,
 *   structured-cloned); the receiver acks with a count every `burst` packets;
 * - `postmessage-batch`: one postMessage per `burst` packets (one
 *   Uint32Array of burst x 64 bytes, cloned); the receiver acks each batch;
 * - `messagechannel-transfer`: one postMessage per batch of `burst` packets
 *   whose ArrayBuffer is transferred, not cloned; the receiver transfers each
 *   buffer back when it has read it, and the returning buffer is the credit.
 *
 * The sender runs on its event loop: it sends while it has credit, then
 * returns and resumes on the next ack. It checks the control block once per
 * batch. Allocation: the clone cases allocate per message by nature (the
 * receiver gets a new object); the transfer case allocates one view per batch.
 */
import type { MessagePort } from 'node:worker_threads';
import { MESSAGE_WINDOW_PACKETS } from '../api.js';
import { MeasureWindow, type Control } from '../control.js';
import { readRw64, RW_BYTES, RW_WORDS, writeRw64 } from '../packet-work.js';
import type { SideResult } from '../protocol.js';

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
interface Sent {
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
function driveSender(
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
function writeBatch(a: Uint32Array, n: number, s: Sent): void {
  for (let k = 0; k < n; k++) {
    s.sum = (s.sum + writeRw64(a, k * RW_WORDS, s.seq)) | 0;
    s.seq = (s.seq + 1) | 0;
  }
}

/** What a receiver has counted: packets, and the fold of their checksums. */
interface Tally {
  received: number;
  sum: number;
}

/**
 * Receives until the sender's EndMessage. `onData` handles every other
 * message (reads it into the tally, acks as the case does) and returns true
 * at the end of a batch, when the measurement window is checked. Resolves
 * with the receiver's result.
 */
function driveReceiver(
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
function readBatch(a: Uint32Array, t: Tally): void {
  const n = a.length / RW_WORDS;
  for (let k = 0; k < n; k++) t.sum = (t.sum + readRw64(a, k * RW_WORDS)) | 0;
  t.received += n;
}

/** postmessage-64b sender: one postMessage per 64-byte packet. */
export function postMessageSend(
  port: MessagePort,
  control: Control,
  burst: number,
): Promise<SideResult> {
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
export function postMessageRecv(
  port: MessagePort,
  control: Control,
  burst: number,
): Promise<SideResult> {
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

/** postmessage-batch-64b sender: one postMessage (cloned) per batch of `burst` packets. */
export function postBatchSend(
  port: MessagePort,
  control: Control,
  burst: number,
): Promise<SideResult> {
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
export function postBatchRecv(
  port: MessagePort,
  control: Control,
  _burst: number,
): Promise<SideResult> {
  return driveReceiver(port, control, (m, t) => {
    readBatch(m as Uint32Array, t);
    port.postMessage(t.received);
    return true;
  });
}

/** messagechannel-transfer-64b sender: transfers one ArrayBuffer per batch; buffers come back as credit. */
export function transferSend(
  port: MessagePort,
  control: Control,
  burst: number,
): Promise<SideResult> {
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
export function transferRecv(
  port: MessagePort,
  control: Control,
  _burst: number,
): Promise<SideResult> {
  return driveReceiver(port, control, (m, t) => {
    const buf = m as ArrayBuffer;
    readBatch(new Uint32Array(buf), t);
    port.postMessage(buf, [buf]);
    return true;
  });
}
