#!/usr/bin/env node
/** bridge: see bridge-program.ts. Ctrl-C stops it and prints the totals. */
import { bridgeCli } from './bridge-program.js';

const ac = new AbortController();
process.once('SIGINT', () => ac.abort());
bridgeCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  signal: ac.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bridge: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
