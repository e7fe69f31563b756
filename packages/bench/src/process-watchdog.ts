/**
 * A worker thread in each bench child process (bench-process.ts): if the
 * bench that forked it dies (its parent pid changes), it kills its process,
 * whose main thread is busy in a side's loop and would otherwise wait for
 * phases that never come. Unref'ed by its process, so it never keeps it alive.
 */
import { workerData } from 'node:worker_threads';

const { ppid } = workerData as { ppid: number };
setInterval(() => {
  if (process.ppid !== ppid) process.kill(process.pid, 'SIGKILL');
}, 250);
