#!/usr/bin/env node
/** vale-ctl: see vale-ctl-program.ts. */
import { valeCtl } from './vale-ctl-program.js';

valeCtl(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`vale-ctl: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
