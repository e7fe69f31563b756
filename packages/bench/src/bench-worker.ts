/**
 * Entry of every bench worker (loaded from dist as bench-worker.js). It reads
 * its WorkerInit, finds its case's transport in the registry and runs its
 * side: the transport sets up, calls `ready` (this posts `ready` and blocks
 * until the main thread starts the run) and runs its loop; the worker then
 * posts `result` (or `error`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CASES, transportOf } from './cases.js';
import { Control } from './control.js';
import { makeWork } from './packet-work.js';
import type { SideResult, WorkerInit, WorkerMessage } from './protocol.js';

function post(msg: WorkerMessage): void {
  parentPort!.postMessage(msg);
}

async function run(init: WorkerInit): Promise<SideResult> {
  const { work, mode } = CASES[init.caseName];
  const transport = transportOf(init.caseName);
  const control = new Control(init.control);
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
      post({ type: 'ready' });
      control.waitForRun();
    },
  });
  if (!ready) throw new Error(`bench transport ${transport.name}: run returned without ready()`);
  return result;
}

try {
  const result = await run(workerData as WorkerInit);
  post({ type: 'result', result });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', error: { name: err.name, message: err.message, stack: err.stack } });
}
