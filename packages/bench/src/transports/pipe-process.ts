/**
 * The pipe between two processes (cases xproc-pipe-index, xproc-pipe-64b-rw,
 * xproc-pipe-1500b-copy, xproc-pipe-rtt-spin, xproc-pipe-rtt-park): the same
 * sides as the thread cases they are compared with (pipe.ts's pipeSend /
 * pipeRecv, pipe-rtt.ts's rttPing / rttPong: the same loops, the same
 * per-packet work and checksums), run in two child processes
 * (`sides: 'processes'`, see process-pair.ts) over a region in a named
 * shared-memory object (@pktfabric/shm). Every sleep and wake-up is a futex
 * that crosses processes; a side that dies is found by the survivor's poll in
 * the region's owner table (no worker to watch).
 *
 * Main process, once per run: creates the region (named by the engine,
 * unique per run) with the thread cases' geometry and one pipe. Each child
 * opens it by name and runs its side on the region's memory. After a
 * successful run the pipe is destroyed and every buffer must be back in the
 * pool. The engine removes the name once both sides have it open, and again
 * (quietly) when the run ends, whatever happened.
 *
 * Unavailable (skipped with the reason) where @pktfabric/shm's addon did not
 * build: no C compiler at install, not Linux.
 */
import { DEFAULT_BUF_COUNT, ringBytes, type ChecksMode } from '@pktfabric/core';
import { createPipe } from '@pktfabric/pipes';
import {
  createSharedRegion,
  openSharedRegion,
  shmAvailable,
  shmUnavailableReason,
} from '@pktfabric/shm';
import { DEFAULT_SLOTS } from '../api.js';
import { BenchCaseError } from '../errors.js';
import { defineTransport, type SetupContext, type Shared } from '../transport.js';
import { pipeRecv, pipeSend } from './pipe.js';
import { rttPing, rttPong, rttSpin } from './pipe-rtt.js';

/** The pipe every case uses: `pipe{1` is the sender's (pong's), `pipe}1` the receiver's (ping's). */
const PIPE_ID = 1;

/** What each child gets: the region's name, its end, the checks mode and (round trips) the spin. */
export interface ProcessPipeSide {
  regionName: string;
  portName: string;
  checks: ChecksMode;
  /** Round-trip cases: the spin both ends open with; null for throughput cases. */
  spin: number | null;
}

const CASES = [
  { name: 'xproc-pipe-index', work: 'index', mode: 'slots', threads: 'pipe-index' },
  { name: 'xproc-pipe-64b-rw', work: '64b-rw', mode: 'slots', threads: 'pipe-64b-rw' },
  {
    name: 'xproc-pipe-1500b-copy',
    work: '1500b-copy',
    mode: 'slots',
    threads: 'pipe-1500b-copy',
  },
  {
    name: 'xproc-pipe-rtt-spin',
    work: 'index',
    mode: 'slots',
    rtt: 'spin',
    threads: 'pipe-rtt-spin',
  },
  {
    name: 'xproc-pipe-rtt-park',
    work: 'index',
    mode: 'slots',
    rtt: 'park',
    threads: 'pipe-rtt-park',
  },
] as const;

export const pipeProcessTransport = defineTransport({
  name: 'pipe-process',
  family: { label: 'pktfabric pipe between processes', color: '#17becf' },
  sides: 'processes',
  unavailable: () =>
    shmAvailable() ? undefined : `@pktfabric/shm is unavailable: ${shmUnavailableReason()}`,
  cases: CASES,
  setup: setupProcessPipe,
  run(ctx) {
    const { regionName, portName, checks, spin } = ctx.data;
    // This process's view of the region (opened by name: on Node 20 its memory cannot be posted).
    const sab = openSharedRegion(regionName).memory;
    if (spin === null) {
      const side = { ...ctx, data: { sab, portName, checks } };
      return ctx.role === 'sender' ? pipeSend(side) : pipeRecv(side);
    }
    const side = { ...ctx, data: { sab, portName, checks, spin } };
    return ctx.role === 'sender' ? rttPong(side) : rttPing(side);
  },
});

/** Main process: the region (with the pipe cases' geometry) in the object the engine named, and one pipe. */
function setupProcessPipe(ctx: SetupContext): Shared<ProcessPipeSide> {
  const { caseName, mode, slots, regionName } = ctx;
  if (regionName === undefined)
    throw new Error(`${caseName}: a process transport needs SetupContext.regionName`);
  const region = createSharedRegion(regionName, {
    bufCount: Math.max(DEFAULT_BUF_COUNT, 4 * slots + 64),
    ...(slots > DEFAULT_SLOTS ? { ringSize: ringBytes(slots) } : {}),
  });
  const pipe = createPipe(region, { id: PIPE_ID, slots });
  const checks = mode ?? 'slots';
  const rtt = CASES.some((c) => c.name === caseName && 'rtt' in c);
  const spin = rtt ? rttSpin(CASES, caseName) : null;
  return {
    sender: { data: { regionName, portName: pipe.master, checks, spin } },
    receiver: { data: { regionName, portName: pipe.slave, checks, spin } },
    release(ok) {
      if (!ok) return;
      pipe.release();
      const buf = region.pools().find((p) => p.name === 'buf')!;
      if (buf.free !== buf.objTotal - buf.reserved)
        throw new BenchCaseError(
          caseName,
          'integrity',
          `after the pipe was destroyed ${buf.free} of ${buf.objTotal - buf.reserved} buffers are free`,
        );
    },
  };
}
