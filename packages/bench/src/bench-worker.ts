/**
 * Entry of every bench worker (loaded from dist as bench-worker.js). It reads
 * its WorkerInit and runs its side (run-side.ts): the transport sets up,
 * calls `ready` (this posts `ready` and blocks until the main thread starts
 * the run) and runs its loop; the worker then posts `result` (or `error`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Control } from './control.js';
import type { WorkerInit, WorkerMessage } from './protocol.js';
import { runSide } from './run-side.js';

function post(msg: WorkerMessage): void {
  parentPort!.postMessage(msg);
}

try {
  const init = workerData as WorkerInit;
  const result = await runSide(init, new Control(init.control), () => post({ type: 'ready' }));
  post({ type: 'result', result });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', error: { name: err.name, message: err.message, stack: err.stack } });
}
