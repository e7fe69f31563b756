/**
 * Pipelines that start or end at a network port (zmq-in / zmq-out): the spec
 * rules, and two pipelines joined over ZeroMQ (an ipc:// endpoint, unique
 * per run, so tests never collide).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPipeline, runPipeline, SpecError } from '../src/index.js';

describe('network ends in a spec', () => {
  it.each([
    ['gen count=10 | zmq-out endpoint=tcp://*:5555 | count', 'zmq-out can only end'],
    ['count | zmq-in endpoint=tcp://h:5555', 'zmq-in can only start'],
    ['zmq-in | count', 'needs endpoint'],
    ['zmq-in endpoint=tcp://h:5555 colour=red | count', 'takes no parameter "colour"'],
    ['zmq-in endpoint=tcp://h:5555 mode=often | count', 'mode must be'],
    ['zmq-in endpoint=udp://h:5555 | count', 'tcp:// or ipc://'],
    ['zmq-in endpoint=tcp://h:5555 | count x2', 'runs once'],
    ['gen count=10 | swap-mac x2 | zmq-out endpoint=tcp://*:5555', 'runs once'],
    ['zmq-in endpoint=tcp://h:5555 | zmq-out endpoint=tcp://*:5556', 'at least one stage'],
    ['zmq-in endpoint=tcp://h:5555 | gen count=1 | count', 'gen can only be the first'],
  ])('%s is a SpecError (%s)', async (spec, text) => {
    const err = await createPipeline(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toContain(text);
  });
});

describe('two pipelines over a network port', () => {
  it('gen | swap-mac | zmq-out and zmq-in | checksum | count move every packet', async () => {
    const ep = `ipc://${join(tmpdir(), `pktfabric-net-${process.pid}-${Date.now()}`)}`;
    const count = 50_000;
    const rx = runPipeline(`zmq-in endpoint=${ep} bind=1 timeout=300 | checksum | count`, {
      slots: 256,
    });
    const tx = await runPipeline(
      `gen size=60-1514 count=${count} | swap-mac | zmq-out endpoint=${ep} bind=0`,
      { slots: 256 },
    );
    const r = await rx;
    expect(tx.stages.map((s) => [s.name, s.packets, s.out])).toEqual([
      ['gen', count, count],
      ['swap-mac', count, count],
    ]);
    expect(r.stages.map((s) => [s.name, s.packets, s.drops])).toEqual([
      ['checksum', count, 0],
      ['count', count, 0],
    ]);
    expect(r.stages[1]!.bytes).toBe(tx.stages[1]!.bytes);
    expect(tx.buffersConserved).toBe(true);
    expect(r.buffersConserved).toBe(true);
  });
});
