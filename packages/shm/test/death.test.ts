/**
 * A process that dies holding a pipe end of a shared region (SIGKILL: no
 * exit handler runs) while the other end is blocked: the survivor's poll
 * (in another process, blocked in a futex) or pollAsync (here, with the event
 * loop free) wakes with POLLHUP, the dead end's buffers come back, and the
 * end can be opened again. Nobody watches the dead process: a sleeping poll
 * finds it in the owner table when its sleep slice ends (liveness through the
 * memory seam).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { IF_WAITERS_I32, ifWord, PortTable, type Region } from '@pktfabric/core';
import { expectConserved, markPools, waitFor } from '@pktfabric/core/testing';
import { createPipe, endIf, lookupPipe, openPort, POLLHUP, POLLIN } from '@pktfabric/pipes';
import { createSharedRegion, unlinkSharedRegion } from '../src/index.js';
import { procState } from './fixtures/proc-state.js';
import { cleanup, runAddonTests, uniqueName } from './helpers.js';

const CHILD = fileURLToPath(new URL('../dist/test/fixtures/pipe-child.js', import.meta.url));
const ZOMBIE = fileURLToPath(new URL('../dist/test/fixtures/zombie.js', import.meta.url));

interface Msg {
  type: string;
  victim?: number;
  victimState?: string;
  rev?: number;
  peerClosed?: boolean;
  won?: boolean;
  error?: string | null;
}

class Proc {
  readonly proc: ChildProcess;
  readonly exited: Promise<void>;
  private readonly inbox: Msg[] = [];
  constructor(env: Record<string, string>, file = CHILD) {
    this.proc = fork(file, [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: Msg) => this.inbox.push(m));
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
  }
  async next(type: string): Promise<Msg> {
    let m: Msg | undefined;
    await waitFor(`the child's '${type}' message`, () => {
      const k = this.inbox.findIndex((x) => x.type === type);
      if (k >= 0) m = this.inbox.splice(k, 1)[0];
      return m !== undefined;
    });
    return m!;
  }
}

function waitersWord(region: Region, end: number): number {
  const masterIf = lookupPipe(region, new PortTable(region), 1);
  return ifWord(region, endIf(region, masterIf, end), IF_WAITERS_I32);
}

afterEach(cleanup);

describe.runIf(runAddonTests)('a process dies holding a pipe end', () => {
  it('the survivor blocked in poll in another process wakes with POLLHUP; buffers come back; the end reopens', async () => {
    const name = uniqueName('death');
    const region = createSharedRegion(name, { bufCount: 1024, memId: 88 });
    const mark = markPools(region);
    const pipe = createPipe(region, { id: 1, slots: 64 });
    const victim = new Proc({ REGION: name, END: 'pipe{1', ROLE: 'hold' });
    await victim.next('ready');
    const survivor = new Proc({ REGION: name, END: 'pipe}1', ROLE: 'block' });
    await survivor.next('ready');
    // Parked: announced on its doorbell (in the shared region).
    await waitFor(
      'the survivor to sleep in poll',
      () => Atomics.load(region.i32, waitersWord(region, 1)) > 0,
    );
    victim.proc.kill('SIGKILL');
    await victim.exited;
    const woke = await survivor.next('woke');
    expect(woke.rev! & POLLHUP).toBe(POLLHUP);
    expect(woke.rev! & POLLIN).toBe(0);
    expect(woke.peerClosed).toBe(true);
    await survivor.exited;
    // The end can be opened again (by this process), and closing everything frees every buffer.
    const again = openPort(region, 'pipe{1');
    expect(again.send(new Uint8Array([1, 2, 3]))).toBe(true);
    again.close();
    expect(pipe.release()?.problems).toBe(0);
    expectConserved(region, mark);
    unlinkSharedRegion(name);
  });

  it('the survivor awaiting pollAsync here wakes with POLLHUP when the peer process is killed', async () => {
    const name = uniqueName('death-async');
    const region = createSharedRegion(name, { bufCount: 1024, memId: 89 });
    const mark = markPools(region);
    const pipe = createPipe(region, { id: 1, slots: 64 });
    const victim = new Proc({ REGION: name, END: 'pipe}1', ROLE: 'hold' });
    await victim.next('ready');
    const m = openPort(region, 'pipe{1');
    let ticks = 0;
    const tick = (): void => {
      ticks++;
      if (!done) setImmediate(tick);
    };
    let done = false;
    setImmediate(tick);
    const waiting = m.pollAsync(POLLIN, 10_000);
    victim.proc.kill('SIGKILL');
    const rev = await waiting;
    done = true;
    expect(rev & POLLHUP).toBe(POLLHUP);
    expect(m.peerClosed).toBe(true);
    expect(ticks).toBeGreaterThan(0); // the event loop ran while it waited
    m.close();
    await victim.exited;
    expect(pipe.release()?.problems).toBe(0);
    expectConserved(region, mark);
    unlinkSharedRegion(name);
  });
});

describe.runIf(runAddonTests)(
  'a process dies while its parent is blocked in poll (a zombie)',
  () => {
    it('the parent, blocked on the other end, wakes with POLLHUP although it cannot reap the dead child', async () => {
      const name = uniqueName('zombie');
      const region = createSharedRegion(name, { bufCount: 1024, memId: 91 });
      const mark = markPools(region);
      const pipe = createPipe(region, { id: 1, slots: 64 });
      // The survivor forks the victim (holding pipe{1), opens pipe}1 and blocks in poll.
      const survivor = new Proc(
        { ROLE: 'survivor', REGION: name, END: 'pipe}1', PEER_END: 'pipe{1' },
        ZOMBIE,
      );
      const { victim } = await survivor.next('ready');
      await waitFor(
        'the survivor to sleep in poll',
        () => Atomics.load(region.i32, waitersWord(region, 1)) > 0,
      );
      process.kill(victim!, 'SIGKILL');
      // Its parent is blocked in poll: nobody reaps it.
      await waitFor(`the victim ${victim} to be a zombie`, () => procState(victim!) === 'Z');
      const woke = await survivor.next('woke');
      expect(woke.victimState).toBe('Z'); // still unreaped when the poll returned
      expect(woke.rev! & POLLHUP).toBe(POLLHUP);
      expect(woke.peerClosed).toBe(true);
      await survivor.exited;
      expect(pipe.release()?.problems).toBe(0);
      expectConserved(region, mark);
      unlinkSharedRegion(name);
    });
  },
);

describe.runIf(runAddonTests)('an exclusive open raced by several processes', () => {
  it('exactly one process wins; the others get BusyError', async () => {
    const name = uniqueName('excl');
    const region = createSharedRegion(name, { bufCount: 1024, memId: 90 });
    const mark = markPools(region);
    const pipe = createPipe(region, { id: 1, slots: 64 });
    const procs = Array.from(
      { length: 4 },
      () => new Proc({ REGION: name, END: 'pipe{1', ROLE: 'excl' }),
    );
    await Promise.all(procs.map((p) => p.next('ready')));
    for (const p of procs) p.proc.send({ op: 'go' });
    const tried = await Promise.all(procs.map((p) => p.next('tried')));
    expect(tried.filter((t) => t.won === true)).toHaveLength(1);
    expect(tried.filter((t) => t.won === false).map((t) => t.error)).toEqual([
      'BusyError',
      'BusyError',
      'BusyError',
    ]);
    for (const p of procs) p.proc.send({ op: 'exit' });
    await Promise.all(procs.map((p) => p.next('closed')));
    await Promise.all(procs.map((p) => p.exited));
    expect(pipe.release()?.problems).toBe(0);
    expectConserved(region, mark);
    unlinkSharedRegion(name);
  });
});
