/**
 * Entry of every bench child process (loaded from dist as bench-process.js
 * by process-pair.ts): the process counterpart of bench-worker.ts. Its first
 * IPC message is its ProcessInit; it opens the control block by name, finds
 * its case's transport and runs its side exactly as a worker does (the
 * transport sets up, calls `ready`, which sends `ready` and blocks until the
 * main process starts the run, and runs its loop); then it sends `result`
 * (or `error`) and disconnects, which lets it exit.
 */
import { Worker } from 'node:worker_threads';
import { openShm } from '@pktfabric/shm';
import { CASES, transportOf } from './cases.js';
import { makeWork } from './packet-work.js';
import { ProcessControl } from './process-control.js';
import type { ProcessInit, SideResult, WorkerMessage } from './protocol.js';

function post(msg: WorkerMessage, then: () => void = () => {}): void {
  process.send!(msg, () => then());
}

async function run(init: ProcessInit): Promise<SideResult> {
  const { work, mode } = CASES[init.caseName];
  const transport = transportOf(init.caseName);
  const control = new ProcessControl(openShm(init.controlName).buffer);
  let ready = false;
  const result = await transport.run({
    caseName: init.caseName,
    role: init.role,
    work,
    mode,
    burst: init.burst,
    control,
    data: init.data,
    makeWork: (u8) => makeWork(work, u8),
    ready: () => {
      if (ready) throw new Error(`bench transport ${transport.name}: ready() called twice`);
      ready = true;
      // Written to the IPC pipe at once (the channel is idle), before this thread blocks.
      post({ type: 'ready' });
      control.waitForRun();
    },
  });
  if (!ready) throw new Error(`bench transport ${transport.name}: run returned without ready()`);
  return result;
}

// If the bench dies mid-run, this process must not spin on.
new Worker(new URL('./process-watchdog.js', import.meta.url), {
  workerData: { ppid: process.ppid },
}).unref();

process.once('message', (init: ProcessInit) => {
  run(init).then(
    (result) => post({ type: 'result', result }, () => process.disconnect()),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      post(
        { type: 'error', error: { name: err.name, message: err.message, stack: err.stack } },
        () => process.disconnect(),
      );
    },
  );
});
