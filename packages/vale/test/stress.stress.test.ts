import { describe, expect, it } from 'vitest';
import { createRegion, watchOwner, workerLiveness, POLLIN } from '@pktfabric/core';
import { FixtureWorker, expectConserved, markPools, waitFor } from '@pktfabric/core/testing';
import { listSwitches, openValePort } from '../src/index.js';
import type { SenderData } from './fixtures/sender.js';
import { frame, mac, srcOf, tagOf } from './frames.js';

/** Runs `step` until it returns true, with the harness's hang guard. */
async function until(what: string, step: () => Promise<boolean>): Promise<void> {
  await waitFor(
    what,
    (async () => {
      while (!(await step()));
    })(),
  );
}

type Msg = { type: 'ready' } | { type: 'done' } | { type: 'reserved'; got: number; start: number };

describe('several senders into one ring (real workers)', () => {
  it('keeps each sender in order, loses nothing but counted drops, conserves buffers', async () => {
    const r = createRegion({ bufSize: 2048, bufCount: 8192, ringSize: 20736, ringCount: 64 });
    const mark = markPools(r);
    const rx = openValePort(r, 'vale0:rx', { slots: 1024 });
    // Teach the switch where mac(100) is.
    rx.send(frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], mac(100), 0));
    const senders = 3;
    const count = 20000;
    const ws = Array.from(
      { length: senders },
      (_, s) =>
        new FixtureWorker<Msg>(import.meta.url, 'sender', {
          mode: 'send',
          sab: r.sab,
          name: `vale0:s${s}@conf:slots=256`,
          count,
          batch: 256,
          srcMac: s + 1,
          dstMac: 100,
          victimIfIdx: 0,
          slots: 0,
        } satisfies SenderData),
    );
    for (const w of ws) await w.next('ready');
    for (const w of ws) w.worker.postMessage('go');
    const last = new Array<number>(senders + 1).fill(-1);
    let received = 0;
    let done = 0;
    const doneP = ws.map((w) => w.next('done').then(() => done++));
    const rxInfo = () => listSwitches(r)[0]!.ports.find((p) => p.name === 'vale0:rx')!;
    await until('every frame received or counted as dropped', async () => {
      await rx.pollAsync(POLLIN, 50);
      for (const f of rx.recvBatch(1024)) {
        const s = srcOf(f);
        const t = tagOf(f);
        expect(s >= 1 && s <= senders).toBe(true);
        expect(t).toBeGreaterThan(last[s]!); // in order, no duplicate
        last[s] = t;
        received++;
      }
      rx.giveBack();
      return done === senders && received + rxInfo().rxDrops === senders * count;
    });
    await Promise.all(doneP);
    expect(received + rxInfo().rxDrops).toBe(senders * count);
    expect(received).toBeGreaterThan(0);
    for (const w of ws) await w.exited;
    rx.close();
    expect(listSwitches(r)).toEqual([]);
    expectConserved(r, mark);
  });

  it('a sender that dies holding a lease does not stall the others', async () => {
    const r = createRegion({ bufSize: 2048, bufCount: 4096, ringSize: 20736, ringCount: 64 });
    const rx = openValePort(r, 'vale0:rx', { slots: 64 });
    const tx = openValePort(r, 'vale0:tx', { slots: 64 });
    rx.send(frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], mac(100), 0));
    tx.recvBatch();
    tx.giveBack();
    const victim = new FixtureWorker<Msg>(import.meta.url, 'sender', {
      mode: 'die',
      sab: r.sab,
      name: 'vale0:victim',
      count: 0,
      batch: 0,
      srcMac: 9,
      dstMac: 100,
      victimIfIdx: rx.ifIdx,
      slots: 5,
    } satisfies SenderData);
    const stop = watchOwner(r, workerLiveness(victim.worker));
    const m = await victim.next('reserved');
    expect(m.got).toBe(5);
    // Our frames land after the dead lease: not visible while it is pending.
    for (let i = 1; i <= 3; i++) expect(tx.send(frame(mac(100), mac(1), i))).toBe(true);
    expect(rx.recvBatch()).toEqual([]);
    await victim.worker.terminate();
    await victim.exited;
    stop();
    const got: number[] = [];
    await until("the survivor's frames after the dead lease", async () => {
      await rx.pollAsync(POLLIN, 50);
      for (const f of rx.recvBatch()) got.push(f.length === 0 ? -1 : tagOf(f));
      rx.giveBack();
      return got.filter((t) => t > 0).length === 3;
    });
    // Five empty slots where the dead sender's lease was, then ours in order.
    expect(got).toEqual([-1, -1, -1, -1, -1, 1, 2, 3]);
    tx.close();
    rx.close();
  });
});
