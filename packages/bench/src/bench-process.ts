/**
 * Entry of every bench child process (loaded from dist as bench-process.js
 * by process-pair.ts): the process counterpart of bench-worker.ts. Its first
 * IPC message is its ProcessInit; it opens the control block by name and
 * runs its side (run-side.ts) exactly as a worker does (`ready` sends
 * `ready` and blocks until the main process starts the run); then it sends
 * `result` (or `error`) and disconnects, which lets it exit.
 */
import { Worker } from 'node:worker_threads';
import { openShm } from '@pktfabric/shm';
import { ProcessControl } from './process-control.js';
import type { ProcessInit, WorkerMessage } from './protocol.js';
import { runSide } from './run-side.js';

function post(msg: WorkerMessage, then: () => void = () => {}): void {
  process.send!(msg, () => then());
}

// If the bench dies mid-run, this process must not spin on.
new Worker(new URL('./process-watchdog.js', import.meta.url), {
  workerData: { ppid: process.ppid },
}).unref();

process.once('message', (init: ProcessInit) => {
  const run = async () =>
    // `ready` is written to the idle IPC pipe at once, before this thread blocks.
    runSide(init, new ProcessControl(openShm(init.controlName).buffer), () =>
      post({ type: 'ready' }),
    );
  run().then(
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
