/**
 * pktgen on switch ports, unchanged: runPktgen opens `vale0:a` through
 * openNamedPort and transmits; a reader on another port of the switch
 * receives (the frames' destination is unknown to the learning bridge, so
 * they flood to the only other port). The switch never blocks a sender:
 * what the reader's ring could not take is counted as dropped.
 */
import { describe, expect, it } from 'vitest';
import { createRegion, POLLIN } from '@pktfabric/core';
import { listSwitches, openValePort } from '@pktfabric/vale';
import { checkFrame, FRAME_OK, runPktgen } from '../src/index.js';

describe('pktgen on a switch port', () => {
  it('tx on vale0:a reaches a reader on vale0:b: every frame received or counted dropped', async () => {
    const region = createRegion({ bufCount: 8192 });
    const reader = openValePort(region, 'vale0:b', { slots: 1024 });
    const count = 3000;
    const done = runPktgen({
      mode: 'tx',
      port: 'vale0:a',
      region,
      count,
      size: [60, 1514],
      reportMs: 0,
    });
    let got = 0;
    let bad = 0;
    let finished = false;
    const sum = done.finally(() => {
      finished = true;
    });
    const drops = (): number =>
      listSwitches(region)[0]!.ports.find((p) => p.name === 'vale0:b')!.rxDrops;
    while (!finished || got + drops() < count) {
      if (finished) await sum; // rethrows a failed run instead of waiting forever
      const batch = reader.recvBatch(256);
      if (batch.length === 0) {
        await reader.pollAsync(POLLIN, 20);
        continue;
      }
      for (const f of batch) if (checkFrame(f, 0, f.length) !== FRAME_OK) bad++;
      got += batch.length;
      reader.giveBack();
    }
    expect((await sum).packets).toBe(count);
    expect(got + drops()).toBe(count);
    expect(got).toBeGreaterThan(0);
    expect(bad).toBe(0);
    reader.close();
    expect(listSwitches(region)).toEqual([]);
  });
});
