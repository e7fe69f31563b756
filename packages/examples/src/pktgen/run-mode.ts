import type { PktgenSummary } from './events.js';
import type { ModeEnv } from './mode-env.js';
import { runPing } from './mode-ping.js';
import { runPong } from './mode-pong.js';
import { runRx } from './mode-rx.js';
import { runTx } from './mode-tx.js';

/** Runs the mode of `env.o` to its end (blocking: a worker only). */
export function runMode(env: ModeEnv): PktgenSummary {
  switch (env.o.mode) {
    case 'tx':
    case 'txseq':
      return runTx(env);
    case 'rx':
    case 'rxseq':
      return runRx(env);
    case 'ping':
      return runPing(env);
    case 'pong':
      return runPong(env);
  }
}
