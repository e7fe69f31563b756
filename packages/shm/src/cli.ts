#!/usr/bin/env node
/** The pktfabric-regions command (cli-program.ts). */
import { main } from './cli-program.js';

process.exitCode = main(process.argv);
