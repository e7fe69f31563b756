import { describe, expect, it } from 'vitest';
import { formatSpec, parseSpec, planTopology, SpecError, validatePipeline } from '../src/index.js';

describe('pipeline spec: text form', () => {
  it('parses stages, parameters, replicas and a filter predicate', () => {
    const s = parseSpec('gen size=60 count=1000000 | swap-mac x2 | filter udp.dport=9 | count');
    expect(s.stages).toEqual([
      { kind: 'gen', params: { size: '60', count: '1000000' }, replicas: 1, name: 'gen' },
      { kind: 'swap-mac', params: {}, replicas: 2, name: 'swap-mac' },
      {
        kind: 'filter',
        params: { field: 'udp.dport', value: '9', op: '=' },
        replicas: 1,
        name: 'filter',
      },
      { kind: 'count', params: {}, replicas: 1, name: 'count' },
    ]);
    expect(() => validatePipeline(s)).not.toThrow();
  });

  it('reads != filters, module paths and names', () => {
    const s = parseSpec(
      'gen | filter ip.dst!=10.1.0.0/16 | ./stages/mine.js keep=odd x3 | sink name=end',
    );
    expect(s.stages[1]!.params).toEqual({ field: 'ip.dst', value: '10.1.0.0/16', op: '!=' });
    expect(s.stages[2]).toEqual({
      kind: 'user',
      params: { module: './stages/mine.js', keep: 'odd' },
      replicas: 3,
      name: 'mine.js',
    });
    expect(s.stages[3]!.name).toBe('end');
    expect(parseSpec(formatSpec(s))).toEqual(s);
  });

  it('rejects malformed text with SpecError naming the stage', () => {
    for (const bad of [
      '',
      'gen | | count',
      'gen | frobnicate',
      'gen | count foo',
      'gen | swap-mac x0',
      'gen | filter a.b=1 c.d=2',
    ]) {
      expect(() => parseSpec(bad), bad).toThrow(SpecError);
    }
    try {
      parseSpec('gen | frobnicate');
    } catch (e) {
      expect((e as SpecError).position).toBe(1);
    }
  });
});

describe('pipeline spec: JSON form', () => {
  it('is the same as the text form', () => {
    const j = parseSpec({
      stages: [
        { stage: 'gen', size: 60, count: 1000 },
        { stage: 'swap-mac', replicas: 2 },
        { stage: 'filter', 'udp.dport': 9 },
        { stage: 'count' },
      ],
    });
    expect(j).toEqual(
      parseSpec('gen size=60 count=1000 | swap-mac x2 | filter udp.dport=9 | count'),
    );
    expect(parseSpec('[{"stage":"gen"},{"stage":"sink"}]').stages.map((s) => s.kind)).toEqual([
      'gen',
      'sink',
    ]);
  });

  it('rejects bad JSON with SpecError', () => {
    expect(() => parseSpec('{"stages": [')).toThrow(SpecError);
    expect(() => parseSpec({ stages: [{ kind: 'gen' }] })).toThrow(SpecError);
    expect(() => parseSpec({ stages: [{ stage: 'gen', size: { a: 1 } }] })).toThrow(SpecError);
  });
});

describe('validatePipeline', () => {
  it('checks the shape and every parameter', () => {
    const bad = [
      'count | gen',
      'gen',
      'gen | gen | count',
      'gen | sink | count',
      'gen size=59 | count',
      'gen size=60-2000 | count',
      'gen colour=red | count',
      'gen | filter udp.port=9 | count',
      'gen | filter udp.dport=70000 | count',
      'gen | filter ip.src=10.0.0.256 | count',
      'gen | drop p=2 | count',
      'gen | swap-mac x=1 | count',
    ];
    for (const b of bad) expect(() => validatePipeline(parseSpec(b)), b).toThrow(SpecError);
  });
});

describe('planTopology', () => {
  it('joins every pair of neighbouring replicas with one pipe', () => {
    const t = planTopology(parseSpec('gen | swap-mac x2 | count x3 '));
    expect(t.pipeIds).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(t.outputs[0]).toEqual([['pipe{1', 'pipe{2']]);
    expect(t.inputs[1]).toEqual([['pipe}1'], ['pipe}2']]);
    expect(t.outputs[1]).toEqual([
      ['pipe{3', 'pipe{4', 'pipe{5'],
      ['pipe{6', 'pipe{7', 'pipe{8'],
    ]);
    expect(t.inputs[2]).toEqual([
      ['pipe}3', 'pipe}6'],
      ['pipe}4', 'pipe}7'],
      ['pipe}5', 'pipe}8'],
    ]);
    expect(t.outputs[2]).toEqual([[], [], []]);
  });
});
