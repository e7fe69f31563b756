/**
 * Entry of every bench worker (loaded from dist as bench-worker.js). It reads
 * its WorkerInit, sets up its side, posts `ready`, blocks until the main
 * thread starts the run, runs its loop, and posts `result` (or `error`). It
 * imports only the transport module its case needs.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { CASES } from './api.js';
import { Control } from './control.js';
import { makeWork } from './packet-work.js';
import type { SideResult, WorkerInit, WorkerMessage } from './protocol.js';

function post(msg: WorkerMessage): void {
  parentPort!.postMessage(msg);
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new TypeError(`bench worker: missing ${what} in workerData`);
  return v;
}

async function run(init: WorkerInit): Promise<SideResult> {
  const info = CASES[init.caseName];
  const control = new Control(init.control);
  const sending = init.role === 'sender';
  switch (info.transport) {
    case 'handring': {
      const { HandRing, handRingRecv, handRingSend } = await import('./transports/hand-ring.js');
      const ring = new HandRing(need(init.sab, 'sab'));
      const work = makeWork(info.work, ring.u8);
      post({ type: 'ready' });
      control.waitForRun();
      return sending
        ? handRingSend(ring, control, work, init.burst)
        : handRingRecv(ring, control, work, init.burst);
    }
    case 'pipe': {
      const { pipeRecv, pipeSend } = await import('./transports/pipe.js');
      const sab = need(init.sab, 'sab');
      const name = need(init.portName, 'portName');
      const mk = (u8: Uint8Array) => makeWork(info.work, u8);
      // The loop opens the port, then calls `ready`: opening is not part of the run.
      return sending
        ? pipeSend(sab, name, control, mk, init.burst, () => ready(control))
        : pipeRecv(sab, name, control, mk, init.burst, () => ready(control));
    }
    default: {
      const m = await import('./transports/message-channel.js');
      const port: MessagePort = need(init.port, 'port');
      const fns = {
        postmessage: [m.postMessageSend, m.postMessageRecv],
        'postmessage-batch': [m.postBatchSend, m.postBatchRecv],
        'messagechannel-transfer': [m.transferSend, m.transferRecv],
      } as const;
      const [send, recv] = fns[info.transport];
      post({ type: 'ready' });
      control.waitForRun();
      return (sending ? send : recv)(port, control, init.burst);
    }
  }
}

function ready(control: Control): void {
  post({ type: 'ready' });
  control.waitForRun();
}

try {
  const result = await run(workerData as WorkerInit);
  post({ type: 'result', result });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', error: { name: err.name, message: err.message, stack: err.stack } });
}
