/**
 * parsePortName: a table of accepted names with their full parsed structure,
 * and a table of rejected names (PortNameError, and where useful the index
 * of the offending character). Rows marked "netmap" come from libnetmap's own
 * parsing table (utils/ctrl-api-test.c, nmreq_parse_tests); for the rows we
 * treat differently on purpose the comment says why.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatPortName,
  MAX_PORT_SPEC_CHARS,
  NAME_MAX_BYTES,
  parsePortName,
  PortNameError,
  type PortConf,
  type PortFlags,
  type PortName,
} from '../src/index.js';
import { testSeed } from '../testing/index.js';

const NO_FLAGS: PortFlags = { exclusive: false, monitor: null, zeroCopy: false };

type Want = Omit<PortName, 'spec' | 'flags' | 'options'> & {
  flags?: Partial<PortFlags>;
  options?: PortConf;
};

function netmap(name: string, more: Partial<Want> = {}): Want {
  const brace = name.search(/[{}]/);
  return {
    subsystem: 'netmap',
    switchName: null,
    port: brace < 0 ? name : name.slice(0, brace),
    pipe:
      brace < 0
        ? null
        : { role: name[brace] === '{' ? 'master' : 'slave', id: Number(name.slice(brace + 1)) },
    name,
    ring: null,
    memId: null,
    ...more,
  };
}

function vale(name: string, more: Partial<Want> = {}): Want {
  const colon = name.indexOf(':');
  const w = netmap(name.slice(colon + 1), more);
  return { ...w, subsystem: 'vale', switchName: name.slice(0, colon), name, ...more };
}

function optionsOnly(options: PortConf): Want {
  return {
    subsystem: null,
    switchName: null,
    port: null,
    pipe: null,
    name: '',
    ring: null,
    memId: null,
    options,
  };
}

const ACCEPTED: Array<[spec: string, want: Want]> = [
  // ---- the forms pktfabric is built around
  ['pipe{3', netmap('pipe{3')],
  ['pipe}3', netmap('pipe}3')],
  ['pipe}3/x', netmap('pipe}3', { flags: { exclusive: true } })],
  ['pipe{0', netmap('pipe{0')],
  ['pipe}65535', netmap('pipe}65535')],
  ['vale0:p1', vale('vale0:p1')],
  ['vale0:p1/t', vale('vale0:p1', { flags: { monitor: 'tx' } })],
  ['vale0:p1/r', vale('vale0:p1', { flags: { monitor: 'rx' } })],
  ['vale0:p1/tr', vale('vale0:p1', { flags: { monitor: 'both' } })],
  ['vale0:p1/rt', vale('vale0:p1', { flags: { monitor: 'both' } })],
  ['vale0:p1/z', vale('vale0:p1', { flags: { monitor: 'both', zeroCopy: true } })],
  ['vale0:p1/zt', vale('vale0:p1', { flags: { monitor: 'tx', zeroCopy: true } })],
  ['pipe{1/z', netmap('pipe{1', { flags: { monitor: 'both', zeroCopy: true } })],
  [
    '@conf:rings=2,slots=1024',
    optionsOnly({ txRings: 2, rxRings: 2, txSlots: 1024, rxSlots: 1024 }),
  ],
  [
    'vale0:p1/x@conf:rings=2',
    vale('vale0:p1', { flags: { exclusive: true }, options: { txRings: 2, rxRings: 2 } }),
  ],
  // ---- pipes with a parent (libnetmap: "identifier1{identifier2")
  ['netmap:eth0{3', netmap('eth0{3')],
  ['netmap:eth0}3/x', netmap('eth0}3', { flags: { exclusive: true } })],
  ['vale0:p1{3', vale('vale0:p1{3')],
  // 'netmap:pipe{3' is netmap's own spelling of our 'pipe{3': same structure
  ['netmap:pipe{3', netmap('pipe{3')],
  // ---- options: specific keys override general ones, '_' may stand for '-'
  ['@conf:rings=2,tx-rings=4', optionsOnly({ txRings: 4, rxRings: 2 })],
  ['@conf:tx_rings=256,rx-rings=1', optionsOnly({ txRings: 256, rxRings: 1 })],
  ['@conf:slots=4,rx-slots=32768', optionsOnly({ txSlots: 4, rxSlots: 32768 })],
  ['@conf:extra-bufs=0', optionsOnly({ extraBufs: 0 })],
  ['@conf:extra_bufs=16777216', optionsOnly({ extraBufs: 16777216 })],
  [
    'pipe{7@conf:tx-rings=2,rx_rings=4,slots=64,extra-bufs=16',
    netmap('pipe{7', {
      options: { txRings: 2, rxRings: 4, txSlots: 64, rxSlots: 64, extraBufs: 16 },
    }),
  ],
  // ---- mode (-N) and memId (@N)
  ['pipe}3-1/x', netmap('pipe}3', { ring: 1, flags: { exclusive: true } })],
  ['pipe{3/x@7', netmap('pipe{3', { memId: 7, flags: { exclusive: true } })],
  ['pipe{3@7@conf:rings=2', netmap('pipe{3', { memId: 7, options: { txRings: 2, rxRings: 2 } })],
  // ---- netmap's own accepted rows (ctrl-api-test.c), with the same nr_name
  ['netmap:eth0', netmap('eth0')], // netmap
  ['netmap:eth0-1', netmap('eth0', { ring: 1 })], // netmap
  ['netmap:eth0/x', netmap('eth0', { flags: { exclusive: true } })], // netmap
  ['netmap:eth0/z', netmap('eth0', { flags: { monitor: 'both', zeroCopy: true } })], // netmap
  ['netmap:eth0/r', netmap('eth0', { flags: { monitor: 'rx' } })], // netmap
  ['netmap:eth0/t', netmap('eth0', { flags: { monitor: 'tx' } })], // netmap
  ['netmap:eth0@2', netmap('eth0', { memId: 2 })], // netmap
  // netmap's row is '@2/R@2' (same memId twice is fine); R is not ours, x is
  ['netmap:eth0@2/x@2', netmap('eth0', { memId: 2, flags: { exclusive: true } })],
  ['vale0:0', vale('vale0:0')], // netmap
  ['vale:0', vale('vale:0')], // netmap: empty switch id = the default switch
  ['valeXXX:YYY', vale('valeXXX:YYY')], // netmap
  ['valeXXX:YYY-4', vale('valeXXX:YYY', { ring: 4 })], // netmap
  ['netmap:14', netmap('14')], // netmap
  ['netmap:pipe{0', netmap('pipe{0')], // netmap
  ['vale0:0{0', vale('vale0:0{0')], // netmap
  // ---- the name limit is the table entry's name capacity
  [`netmap:${'a'.repeat(NAME_MAX_BYTES)}`, netmap('a'.repeat(NAME_MAX_BYTES))],
  [`vale0:${'b'.repeat(NAME_MAX_BYTES - 6)}`, vale(`vale0:${'b'.repeat(NAME_MAX_BYTES - 6)}`)],
];

const REJECTED: Array<[spec: string, at?: number]> = [
  // ---- netmap's own rejected rows (ctrl-api-test.c)
  ['netmap:eth0-', 12], // netmap: a number must follow '-'
  ['netmap:eth0@2/x@3', 16], // netmap '@2/R@3': memId set twice to different values
  ['netmap:eth0@', 11], // netmap: empty memId / option
  ['netmap:', 7], // netmap: empty port name
  ['netmap:^', 7], // netmap
  ['netmap:{', 7], // netmap
  ['netmap:vale0:0', 12], // netmap: ':' is not an identifier character
  ['eth0', 0], // netmap: no subsystem
  ['netmapXXX:eth0', 6], // netmap: no identifier allowed after 'netmap'
  ['netmap:eth0&', 11], // netmap
  ['netmap:pipe{1}2', 13], // netmap
  ['vale0:0@', 7], // netmap
  [''], // netmap
  ['vale0:0@opt', 8], // netmap parses the name, then refuses the unknown option
  ['vale0:0-3@opt', 10], // netmap, likewise
  ['netmap:eth0@netmap:lo/R', 12], // netmap, likewise ('netmap' is not an option)
  // ---- accepted by netmap, refused by us on purpose
  ['netmap:eth0*', 11], // host rings: no host stack
  ['netmap:eth0^', 11], // host rings
  ['netmap:eth0-2/Tx', 14], // T: TX rings only
  ['netmap:eth0/R@xxx', 12], // R: RX rings only
  ['netmap:pipe{in', 12], // pipe names are numbers here
  ['netmap:pipe{in-7', 12],
  ['vale0:p1/xx', 10], // a flag twice
  ['vale0:p1/@conf:rings=2', 8], // an empty flag set
  ['@conf:rings=', 12], // an empty value (libnetmap ignores it)
  ['@conf=2', 5], // conf has no default key (nmport.c)
  ['@share=vale0:p1', 1],
  ['@extmem:file=/dev/shm/x', 1],
  ['@offset:initial=64', 1],
  ['@conf:host-rings=1', 6],
  // ---- malformed names
  ['pipe{', 5],
  ['pipe}', 5],
  ['pipe{3/', 6],
  ['pipe{3/q', 7],
  ['pipe{3 ', 6],
  ['pipe3', 0],
  ['pipes{3', 0],
  ['pipe{-1', 5],
  ['pipe{03', 5], // leading zero: 'pipe{03' and 'pipe{3' would be the same pipe
  ['pipe{65536', 5],
  ['pipe{99999999999999999999', 5],
  ['pipe{3{4', 6],
  ['pipé{3', 0],
  ['vale0:', 6],
  ['vale0p1', -1],
  ['vale-0:p1', 4],
  ['vale0:p1-256', 9],
  ['pipe{3@0', 7],
  ['pipe{3@65536', 7],
  ['@2', 0],
  ['@', 0],
  ['@@conf:rings=2', 0],
  // ---- options and their bounds
  ['@conf', 5],
  ['@conf:', 6],
  ['@conf:rings', 11],
  ['@conf:rings=2,', 14],
  ['@conf:rings=0', 12],
  ['@conf:rings=257', 12],
  ['@conf:rings=+2', 12],
  ['@conf:rings=0x2', 12],
  ['@conf:rings=2x', 13],
  ['@conf:slots=1000', 12], // not a power of two
  ['@conf:slots=2', 12],
  ['@conf:tx-slots=65536', 15],
  ['@conf:extra-bufs=16777217', 17],
  ['@conf:rings=2,rings=3', 14], // duplicate key
  ['@conf:tx-rings=2,tx_rings=2', 17], // the same key spelled twice
  ['@conf:rings=2@conf:slots=4', 14], // the same option twice
  ['@conf:bogus=1', 6],
  ['@foo', 1],
  // ---- lengths
  [`netmap:${'a'.repeat(NAME_MAX_BYTES + 1)}`, -1],
  [`vale0:${'b'.repeat(NAME_MAX_BYTES - 5)}`, -1],
  [`pipe{3@conf:${'rings=2,'.repeat(40)}`, -1],
];

function expected(spec: string, w: Want): PortName {
  return {
    spec,
    subsystem: w.subsystem,
    switchName: w.switchName,
    port: w.port,
    pipe: w.pipe,
    name: w.name,
    ring: w.ring,
    memId: w.memId,
    flags: { ...NO_FLAGS, ...w.flags },
    options: w.options ?? {},
  };
}

describe('parsePortName accepts', () => {
  it('has at least 25 rows in each table', () => {
    expect(ACCEPTED.length).toBeGreaterThanOrEqual(25);
    expect(REJECTED.length).toBeGreaterThanOrEqual(25);
  });

  it.each(ACCEPTED)('%s', (spec, want) => {
    expect(parsePortName(spec)).toStrictEqual(expected(spec, want));
  });
});

describe('parsePortName rejects', () => {
  it.each(REJECTED)('%j', (spec, at) => {
    let err: unknown;
    try {
      parsePortName(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PortNameError);
    if (at !== undefined) expect((err as PortNameError).at).toBe(at);
  });

  it('rejects a spec over MAX_PORT_SPEC_CHARS without reading it', () => {
    expect(() => parsePortName('pipe{3' + '/'.repeat(MAX_PORT_SPEC_CHARS))).toThrow(PortNameError);
  });

  it('rejects what is not a string', () => {
    expect(() => parsePortName(3 as unknown as string)).toThrow(PortNameError);
    expect(() => parsePortName(null as unknown as string)).toThrow(PortNameError);
  });
});

// ---- properties --------------------------------------------------------------------------------

const ident = fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/);
const pow2Slots = fc.integer({ min: 2, max: 15 }).map((k) => 1 << k);
const arbPortName: fc.Arbitrary<PortName> = fc
  .record({
    shape: fc.constantFrom('pipe', 'netmap', 'vale', 'options'),
    sw: fc.option(
      ident.map((s) => `vale${s}`),
      { nil: 'vale' },
    ),
    port: ident,
    pipe: fc.option(
      fc.record({
        role: fc.constantFrom('master' as const, 'slave' as const),
        id: fc.integer({ min: 0, max: 65535 }),
      }),
      { nil: null },
    ),
    ring: fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }),
    memId: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null }),
    exclusive: fc.boolean(),
    monitor: fc.constantFrom(null, 'tx' as const, 'rx' as const, 'both' as const),
    zeroCopy: fc.boolean(),
    options: fc.record(
      {
        txRings: fc.integer({ min: 1, max: 256 }),
        rxRings: fc.integer({ min: 1, max: 256 }),
        txSlots: pow2Slots,
        rxSlots: pow2Slots,
        extraBufs: fc.integer({ min: 0, max: 1 << 24 }),
      },
      { requiredKeys: [] },
    ),
  })
  // An options-only spec with no option formats to "", which is not a name.
  .filter((r) => r.shape !== 'options' || Object.keys(r.options).length > 0)
  .map((r): PortName => {
    const flags: PortFlags = {
      exclusive: r.exclusive,
      monitor: r.zeroCopy && r.monitor === null ? 'both' : r.monitor,
      zeroCopy: r.zeroCopy,
    };
    if (r.shape === 'options') {
      return expected('', optionsOnly({ ...r.options }));
    }
    const pipe =
      r.shape === 'pipe' ? { ...(r.pipe ?? { role: 'master', id: 0 }) } : r.pipe && { ...r.pipe };
    const port = r.shape === 'pipe' ? 'pipe' : r.port;
    const vp = pipe ? `${port}${pipe.role === 'master' ? '{' : '}'}${pipe.id}` : port;
    const name = r.shape === 'vale' ? `${r.sw}:${vp}` : vp;
    return {
      spec: '',
      subsystem: r.shape === 'vale' ? 'vale' : 'netmap',
      switchName: r.shape === 'vale' ? r.sw : null,
      port,
      pipe,
      name,
      ring: r.ring,
      memId: r.memId,
      flags,
      options: { ...r.options },
    };
  })
  .filter((p) => p.name.length <= NAME_MAX_BYTES);

describe('parsePortName properties', () => {
  const seed = testSeed(import.meta.url);
  it('formatPortName then parsePortName gives back the same structure', () => {
    fc.assert(
      fc.property(arbPortName, (p) => {
        const spec = formatPortName(p);
        expect(parsePortName(spec)).toStrictEqual({ ...p, spec });
      }),
      { numRuns: 2000, seed },
    );
  });

  /** Parsing either fails with PortNameError or gives a structure that formats back to itself. */
  function parsesOrRefuses(spec: string): boolean {
    let p: PortName;
    try {
      p = parsePortName(spec);
    } catch (e) {
      expect(e).toBeInstanceOf(PortNameError);
      return false;
    }
    const again = formatPortName(p);
    expect(parsePortName(again)).toStrictEqual({ ...p, spec: again });
    return true;
  }

  it('a valid spec with one character inserted, deleted or replaced parses or throws PortNameError', () => {
    const chars = 'pipe{}0123456789/xtrzRT@:conf=rings,slots-_vale0net*^ \u00e9';
    let parsed = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        arbPortName,
        fc.nat(),
        fc.constantFrom('insert', 'delete', 'replace'),
        fc.constantFrom(...chars.split('')),
        (p, where, edit, c) => {
          const spec = formatPortName(p);
          const i = spec.length === 0 ? 0 : where % spec.length;
          const mutated =
            edit === 'insert'
              ? spec.slice(0, i) + c + spec.slice(i)
              : edit === 'delete'
                ? spec.slice(0, i) + spec.slice(i + 1)
                : spec.slice(0, i) + c + spec.slice(i + 1);
          runs++;
          if (parsesOrRefuses(mutated)) parsed++;
        },
      ),
      { numRuns: 5000, seed },
    );
    // both outcomes must occur, or the property says nothing
    expect(parsed).toBeGreaterThan(runs / 20);
    expect(parsed).toBeLessThan(runs);
  });

  it('random strings parse or throw PortNameError, never anything else', () => {
    const tok = fc.constantFrom(
      ...['pipe{', 'pipe}', '3', '0', '65535', '/', 'x', 't', 'z', '@', 'conf:', 'rings=2'],
      ...[',', 'vale0:', 'netmap:', 'eth0', '-1', '{', '}', 'R', '*', ' ', '\u00e9', ':', '='],
    );
    fc.assert(
      fc.property(fc.array(tok, { maxLength: 10 }), (toks) => {
        parsesOrRefuses(toks.join(''));
      }),
      { numRuns: 5000, seed },
    );
  });
});
