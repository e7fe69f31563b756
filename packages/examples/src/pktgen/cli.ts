#!/usr/bin/env node
/**
 * pktgen: netmap's pkt-gen modes over pktfabric pipes.
 *
 * A pktfabric region is memory shared between the threads of one process, so
 * both ends of a pipe must run in the same process. The CLI therefore always
 * starts both ends itself, each in its own worker: `--pair tx:rx` names both
 * modes; `-f tx` alone runs tx and starts its natural peer (rx) on the other
 * end. To hang one pktgen end on a port of your own program's region, use
 * `runPktgen()` from the library.
 */
import { main } from './cli-program.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`pktgen: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
