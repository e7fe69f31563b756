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
import { MESSAGE_WINDOW_PACKETS } from './api.js';
import { MeasureWindow, type Control } from './control.js';
import { readRw64, RW_BYTES, RW_WORDS, writeRw64 } from './packet-work.js';
import type { SideResult } from './protocol.js';

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

/**
 * Runs `pump` now and after every message until it reports done. Resolves
 * with the sender's result; rejects if pump throws.
 */
function driveSender(
  port: MessagePort,
  onMessage: (m: unknown) => void,
  pump: () => SideResult | null,
): Promise<SideResult> {
  return new Promise((resolve, reject) => {
    let finished = false;
    const step = (): void => {
      if (finished) return;
      try {
        const r = pump();
        if (r !== null) {
          finished = true;
          resolve(r);
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

/** postmessage-64b sender: one postMessage per 64-byte packet. */
export function postMessageSend(
  port: MessagePort,
  control: Control,
  burst: number,
): Promise<SideResult> {
  const pkt = new Uint32Array(RW_WORDS);
  let acked = 0;
  let sent = 0;
  let seq = 0;
  let sum = 0;
  return driveSender(
    port,
    (m) => {
      acked = m as number;
    },
    () => {
      for (;;) {
        const credit = MESSAGE_WINDOW_PACKETS - (sent - acked);
        if (credit <= 0) return null;
        const n = credit < burst ? credit : burst;
        for (let k = 0; k < n; k++) {
          sum = (sum + writeRw64(pkt, 0, seq)) | 0;
          port.postMessage(pkt);
          seq = (seq + 1) | 0;
        }
        sent += n;
        if (control.stopped()) {
          port.postMessage({ end: sent } satisfies EndMessage);
          return senderResult(sent, sum);
        }
      }
    },
  );
}

/** postmessage-64b receiver: reads each packet's 64 bytes, acks every `burst` packets. */
export function postMessageRecv(
  port: MessagePort,
  control: Control,
  burst: number,
): Promise<SideResult> {
  return new Promise((resolve) => {
    const win = new MeasureWindow(control);
    let received = 0;
    let sum = 0;
    let sinceAck = 0;
    port.on('message', (m: Uint32Array | EndMessage) => {
      if (m instanceof Uint32Array) {
        sum = (sum + readRw64(m, 0)) | 0;
        received++;
        if (++sinceAck === burst) {
          sinceAck = 0;
          port.postMessage(received);
          win.check(received);
        }
        return;
      }
      win.check(received);
      win.close(received);
      port.close();
      resolve(receiverResult(received, sum, win));
    });
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
  let sent = 0;
  let seq = 0;
  let sum = 0;
  return driveSender(
    port,
    (m) => {
      acked = m as number;
    },
    () => {
      while (MESSAGE_WINDOW_PACKETS - (sent - acked) >= burst) {
        for (let k = 0; k < burst; k++) {
          sum = (sum + writeRw64(batch, k * RW_WORDS, seq)) | 0;
          seq = (seq + 1) | 0;
        }
        port.postMessage(batch);
        sent += burst;
        if (control.stopped()) {
          port.postMessage({ end: sent } satisfies EndMessage);
          return senderResult(sent, sum);
        }
      }
      return null;
    },
  );
}

/** postmessage-batch-64b receiver: reads every packet of each batch, acks each batch. */
export function postBatchRecv(
  port: MessagePort,
  control: Control,
  _burst: number,
): Promise<SideResult> {
  return new Promise((resolve) => {
    const win = new MeasureWindow(control);
    let received = 0;
    let sum = 0;
    port.on('message', (m: Uint32Array | EndMessage) => {
      if (m instanceof Uint32Array) {
        const n = m.length / RW_WORDS;
        for (let k = 0; k < n; k++) sum = (sum + readRw64(m, k * RW_WORDS)) | 0;
        received += n;
        port.postMessage(received);
        win.check(received);
        return;
      }
      win.check(received);
      win.close(received);
      port.close();
      resolve(receiverResult(received, sum, win));
    });
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
  let sent = 0;
  let seq = 0;
  let sum = 0;
  return driveSender(
    port,
    (m) => {
      pool.push(m as ArrayBuffer);
    },
    () => {
      while (pool.length > 0) {
        const buf = pool.pop()!;
        const a = new Uint32Array(buf);
        for (let k = 0; k < burst; k++) {
          sum = (sum + writeRw64(a, k * RW_WORDS, seq)) | 0;
          seq = (seq + 1) | 0;
        }
        port.postMessage(buf, [buf]);
        sent += burst;
        if (control.stopped()) {
          port.postMessage({ end: sent } satisfies EndMessage);
          return senderResult(sent, sum);
        }
      }
      return null;
    },
  );
}

/** messagechannel-transfer-64b receiver: reads every packet, transfers the buffer back. */
export function transferRecv(
  port: MessagePort,
  control: Control,
  _burst: number,
): Promise<SideResult> {
  return new Promise((resolve) => {
    const win = new MeasureWindow(control);
    let received = 0;
    let sum = 0;
    port.on('message', (m: ArrayBuffer | EndMessage) => {
      if (m instanceof ArrayBuffer) {
        const a = new Uint32Array(m);
        const n = a.length / RW_WORDS;
        for (let k = 0; k < n; k++) sum = (sum + readRw64(a, k * RW_WORDS)) | 0;
        received += n;
        port.postMessage(m, [m]);
        win.check(received);
        return;
      }
      win.check(received);
      win.close(received);
      port.close();
      resolve(receiverResult(received, sum, win));
    });
  });
}
