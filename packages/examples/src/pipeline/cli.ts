#!/usr/bin/env node
/**
 * pktfabric-pipeline: builds a pipeline from a spec and runs it, printing a
 * live line per stage every second and a table at the end. Ctrl-C stops it
 * cleanly (gen stops, the rest drains) and prints the totals.
 */
import { main } from './cli-program.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`pktfabric-pipeline: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
