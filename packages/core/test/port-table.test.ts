/**
 * PortTable: exact behaviour of insert / lookup / remove / list, the errors
 * (busy, full, bad names), the lock's nesting, and a second view attached to
 * the same SharedArrayBuffer seeing the same entries.
 */
import { describe, expect, it } from 'vitest';
import {
  attachRegion,
  BusyError,
  createRegion,
  ExhaustedError,
  HDR_NAME_LOCK_I32,
  NAME_ENTRY_BYTES,
  NAME_MAX_BYTES,
  NE_IF_INDEX_I32,
  NE_KIND_I32,
  NE_NAME_LEN_I32,
  NE_NAME_OFF_BYTES,
  OptionError,
  PORT_KIND_PIPE,
  PORT_KIND_VALE,
  PortNameError,
  PortTable,
  type Region,
} from '../src/index.js';

function small(slots = 4): Region {
  return createRegion({
    bufSize: 64,
    bufCount: 16,
    ringCount: 2,
    ifCount: 2,
    ifSize: 384,
    nameTableSlots: slots,
    memId: 5,
  });
}

describe('name-table layout', () => {
  it('an entry is one 64-byte line: 16 bytes of fields, then the name', () => {
    expect(NAME_ENTRY_BYTES).toBe(64);
    expect(NE_NAME_OFF_BYTES).toBe(16);
    expect(NAME_MAX_BYTES).toBe(48);
    expect(NE_NAME_OFF_BYTES + NAME_MAX_BYTES).toBe(NAME_ENTRY_BYTES);
  });

  it('insert writes the documented fields of its entry', () => {
    const region = small();
    const t = new PortTable(region);
    const e = t.insert('vale0:p1', PORT_KIND_VALE, 7);
    const base = (region.nameTableOff + e * NAME_ENTRY_BYTES) >>> 2;
    expect(region.i32[base + NE_KIND_I32]).toBe(PORT_KIND_VALE);
    expect(region.i32[base + NE_IF_INDEX_I32]).toBe(7);
    expect(region.i32[base + NE_NAME_LEN_I32]).toBe(8);
    const off = region.nameTableOff + e * NAME_ENTRY_BYTES + NE_NAME_OFF_BYTES;
    expect(Buffer.from(region.u8.subarray(off, off + 9)).toString('latin1')).toBe('vale0:p1\0');
  });
});

describe('PortTable', () => {
  it('inserts, looks up, lists and removes', () => {
    const t = new PortTable(small());
    expect(t.capacity).toBe(4);
    expect(t.list()).toEqual([]);
    const g0 = t.generation();
    expect(t.insert('pipe3', PORT_KIND_PIPE, 1)).toBe(0);
    expect(t.insert('vale0:p1', PORT_KIND_VALE, 2)).toBe(1);
    expect(t.generation()).toBe(g0 + 2);
    expect(t.lookup('pipe3')).toEqual({ kind: PORT_KIND_PIPE, ifIndex: 1, entry: 0 });
    expect(t.lookup('vale0:p1')).toEqual({ kind: PORT_KIND_VALE, ifIndex: 2, entry: 1 });
    expect(t.lookup('pipe4')).toBeNull();
    expect(t.lookup('pipe')).toBeNull(); // a prefix is not a match
    expect(t.lookup('pipe33')).toBeNull(); // nor is a longer name
    expect(t.list()).toEqual([
      { name: 'pipe3', kind: PORT_KIND_PIPE, ifIndex: 1 },
      { name: 'vale0:p1', kind: PORT_KIND_VALE, ifIndex: 2 },
    ]);
    expect(t.remove('pipe3')).toBe(true);
    expect(t.remove('pipe3')).toBe(false);
    expect(t.lookup('pipe3')).toBeNull();
    expect(t.generation()).toBe(g0 + 3); // a failed remove changes nothing
    expect(t.list()).toEqual([{ name: 'vale0:p1', kind: PORT_KIND_VALE, ifIndex: 2 }]);
    // the freed entry is reused first
    expect(t.insert('pipe{9', PORT_KIND_PIPE, 3)).toBe(0);
    expect(t.lookup('pipe{9')).toEqual({ kind: PORT_KIND_PIPE, ifIndex: 3, entry: 0 });
  });

  it('a name already registered is busy, and the table is unchanged', () => {
    const t = new PortTable(small());
    t.insert('pipe3', PORT_KIND_PIPE, 1);
    const g = t.generation();
    expect(() => t.insert('pipe3', PORT_KIND_VALE, 9)).toThrow(BusyError);
    expect(t.lookup('pipe3')).toEqual({ kind: PORT_KIND_PIPE, ifIndex: 1, entry: 0 });
    expect(t.list()).toHaveLength(1);
    expect(t.generation()).toBe(g);
  });

  it('a busy name is found even when a free entry comes before it', () => {
    const t = new PortTable(small());
    t.insert('a', PORT_KIND_PIPE, 1);
    t.insert('b', PORT_KIND_PIPE, 2);
    t.remove('a');
    expect(() => t.insert('b', PORT_KIND_PIPE, 3)).toThrow(BusyError);
    expect(t.list()).toEqual([{ name: 'b', kind: PORT_KIND_PIPE, ifIndex: 2 }]);
  });

  it('a full table throws ExhaustedError; removing one makes room', () => {
    const t = new PortTable(small(3));
    for (let i = 0; i < 3; i++) t.insert(`pipe${i}`, PORT_KIND_PIPE, i);
    let err: unknown;
    try {
      t.insert('pipe3', PORT_KIND_PIPE, 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExhaustedError);
    expect((err as ExhaustedError).pool).toBe('port-name table');
    expect((err as ExhaustedError).wanted).toBe(1);
    expect(t.list().map((e) => e.name)).toEqual(['pipe0', 'pipe1', 'pipe2']);
    // busy is reported before full
    expect(() => t.insert('pipe1', PORT_KIND_PIPE, 3)).toThrow(BusyError);
    expect(t.remove('pipe1')).toBe(true);
    expect(t.insert('pipe3', PORT_KIND_PIPE, 3)).toBe(1);
  });

  it.each([
    ['', 'empty'],
    ['x'.repeat(NAME_MAX_BYTES + 1), 'too long'],
    ['pipe 3', 'a space'],
    ['pipe\u00e93', 'not ASCII'],
    ['pipe\u20ac', 'not Latin-1 either'],
    ['pipe\n', 'a control character'],
    ['pipe\0', 'NUL'],
  ])('refuses the name %j (%s) with PortNameError in insert, lookup and remove', (name) => {
    const t = new PortTable(small());
    expect(() => t.insert(name, PORT_KIND_PIPE, 1)).toThrow(PortNameError);
    expect(() => t.lookup(name)).toThrow(PortNameError);
    expect(() => t.remove(name)).toThrow(PortNameError);
    expect(t.list()).toEqual([]);
  });

  it('holds a name of exactly NAME_MAX_BYTES characters', () => {
    const t = new PortTable(small());
    const name = 'n'.repeat(NAME_MAX_BYTES);
    t.insert(name, PORT_KIND_PIPE, 4);
    expect(t.lookup(name)).toEqual({ kind: PORT_KIND_PIPE, ifIndex: 4, entry: 0 });
    expect(t.list()).toEqual([{ name, kind: PORT_KIND_PIPE, ifIndex: 4 }]);
  });

  it.each([
    [0, 1],
    [-1, 1],
    [1.5, 1],
    [2 ** 31, 1],
    [PORT_KIND_PIPE, -1],
    [PORT_KIND_PIPE, 2 ** 31],
    [PORT_KIND_PIPE, NaN],
  ])('refuses kind %d / ifIndex %d with OptionError', (kind, ifIndex) => {
    const t = new PortTable(small());
    expect(() => t.insert('pipe1', kind, ifIndex)).toThrow(OptionError);
    expect(t.list()).toEqual([]);
  });

  it('a second Region view attached to the same SharedArrayBuffer sees the entries', () => {
    const region = small(8);
    const t1 = new PortTable(region);
    t1.insert('pipe3', PORT_KIND_PIPE, 1);
    t1.insert('vale0:p1', PORT_KIND_VALE, 2);
    const t2 = new PortTable(attachRegion(region.sab));
    expect(t2.lookup('vale0:p1')).toEqual({ kind: PORT_KIND_VALE, ifIndex: 2, entry: 1 });
    expect(t2.list()).toEqual(t1.list());
    expect(t2.remove('pipe3')).toBe(true);
    expect(t1.lookup('pipe3')).toBeNull();
    expect(() => t2.insert('vale0:p1', PORT_KIND_VALE, 5)).toThrow(BusyError);
    expect(t1.generation()).toBe(t2.generation());
  });

  it('withLock holds the lock word, nests, and releases it even when fn throws', () => {
    const region = small();
    const t = new PortTable(region);
    const lockWord = (): number => Atomics.load(region.i32, HDR_NAME_LOCK_I32);
    expect(lockWord()).toBe(0);
    const got = t.withLock(() => {
      expect(lockWord()).not.toBe(0);
      // calls inside fn do not take the lock again (they would deadlock)
      t.insert('pipe1', PORT_KIND_PIPE, 1);
      const inner = t.withLock(() => t.lookup('pipe1'));
      expect(lockWord()).not.toBe(0);
      expect(t.list()).toHaveLength(1);
      return inner;
    });
    expect(got).toEqual({ kind: PORT_KIND_PIPE, ifIndex: 1, entry: 0 });
    expect(lockWord()).toBe(0);

    expect(() =>
      t.withLock(() => {
        t.insert('pipe2', PORT_KIND_PIPE, 2);
        t.insert('pipe2', PORT_KIND_PIPE, 2); // BusyError escapes fn
      }),
    ).toThrow(BusyError);
    expect(lockWord()).toBe(0);
    // what fn did before throwing stays done
    expect(t.lookup('pipe2')).toEqual({ kind: PORT_KIND_PIPE, ifIndex: 2, entry: 1 });

    // an error thrown by insert itself (outside withLock) releases the lock too
    expect(() => t.insert('pipe2', PORT_KIND_PIPE, 2)).toThrow(BusyError);
    expect(lockWord()).toBe(0);
  });
});
