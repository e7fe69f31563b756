/**
 * One side of one run, in the worker (bench-worker.ts) or the child process
 * (bench-process.ts) it runs in: finds the case's transport and runs its
 * side with the case's work and the control block; `ready` reports the side
 * set up (through `sayReady`) and blocks until the run starts.
 */
import { CASES, transportOf, type CaseName } from './cases.js';
import type { Control } from './control.js';
import { makeWork } from './packet-work.js';
import type { Role, SideResult } from './protocol.js';

export interface SideInit {
  caseName: CaseName;
  role: Role;
  burst: number;
  /** What the case's transport set up for this side. */
  data: unknown;
}

export async function runSide(
  init: SideInit,
  control: Control,
  sayReady: () => void,
): Promise<SideResult> {
  const { work, mode, packetSize } = CASES[init.caseName];
  const transport = transportOf(init.caseName);
  let ready = false;
  const result = await transport.run({
    caseName: init.caseName,
    role: init.role,
    work,
    packetSize,
    mode,
    burst: init.burst,
    control,
    data: init.data,
    makeWork: (u8) => makeWork(work, u8, packetSize),
    ready: () => {
      if (ready) throw new Error(`bench transport ${transport.name}: ready() called twice`);
      ready = true;
      control.measureLineRtt(init.role);
      sayReady();
      control.waitForRun();
    },
  });
  if (!ready) throw new Error(`bench transport ${transport.name}: run returned without ready()`);
  return result;
}
