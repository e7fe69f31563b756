import { BusyError, ExhaustedError, OptionError, PortNameError } from './errors.js';
import {
  NAME_ENTRY_BYTES,
  NAME_ENTRY_FREE,
  NAME_MAX_BYTES,
  NE_IF_INDEX_I32,
  NE_KIND_I32,
  NE_NAME_HASH_I32,
  NE_NAME_LEN_I32,
  NE_NAME_OFF_BYTES,
} from './layout/name-table-layout.js';
import { HDR_NAME_GEN_I32 } from './layout/region-layout.js';
import type { Region } from './region.js';

/** Port kinds stored in the table. 0 (NAME_ENTRY_FREE) marks a free entry. */
export const PORT_KIND_PIPE = 1;
export const PORT_KIND_VALE = 2;
/** Largest kind value the table stores. */
export const MAX_PORT_KIND = 0x7fffffff;
/** Largest ifIndex the table stores. */
export const MAX_PORT_IF_INDEX = 0x7fffffff;

/** One registered port, as returned by `PortTable.lookup`. */
export interface PortTableEntry {
  kind: number;
  ifIndex: number;
  /** Index of the table entry (0 .. Region.nameTableSlots-1). */
  entry: number;
}

/**
 * The port-name table of a region: names of open ports mapped to their kind
 * and if-pool index, so that any thread holding the SharedArrayBuffer can
 * `attachRegion(sab)` and find a port by name. The table lives entirely in
 * the region (layout in layout/name-table-layout.ts); this object holds only
 * views and the depth of this thread's lock.
 *
 * Every method takes the table lock (HDR_NAME_LOCK_I32) unless called inside
 * `withLock` on the same PortTable object, which runs several calls as one
 * atomic step. The lock may block (spin, then Atomics.wait); it is meant for
 * the control plane (open, close), never for per-packet paths.
 */
export class PortTable {
  readonly region: Region;
  /** Number of entries. */
  readonly capacity: number;
  private readonly i32: Int32Array;
  private readonly u8: Uint8Array;
  private readonly tableOff: number;

  constructor(region: Region) {
    this.region = region;
    this.i32 = region.i32;
    this.u8 = region.u8;
    this.tableOff = region.nameTableOff;
    this.capacity = region.nameTableSlots;
  }

  /**
   * Runs `fn` holding the region lock (`region.lock`, the lock seam), so
   * that lookups and changes inside it are one atomic step for every other
   * thread and process. Calls to insert / lookup / remove / list inside `fn`
   * do not take the lock again (nesting is allowed). Released in `finally`,
   * also when `fn` throws. `fn` must be synchronous. Blocks.
   */
  withLock<T>(fn: () => T): T {
    return this.region.lock.withLock(fn);
  }

  /** Acquires of the region lock (by this Region object) that had to sleep. */
  get parked(): number {
    return this.region.lock.parked;
  }

  /** Modifications (inserts and removes) since the region was created; readable without the lock. */
  generation(): number {
    return Atomics.load(this.i32, HDR_NAME_GEN_I32);
  }

  /**
   * Registers `name` -> (kind, ifIndex) and returns the entry index. Throws
   * PortNameError (empty, longer than NAME_MAX_BYTES, or not printable ASCII),
   * OptionError (kind or ifIndex out of range), BusyError (the name is
   * already registered) or ExhaustedError (the table is full). The table is
   * unchanged when it throws. Blocks on the lock.
   */
  insert(name: string, kind: number, ifIndex: number): number {
    const len = checkName(name);
    if (!Number.isInteger(kind) || kind < 1 || kind > MAX_PORT_KIND) {
      throw new OptionError('kind', `an integer from 1 to ${MAX_PORT_KIND}`, kind);
    }
    if (!Number.isInteger(ifIndex) || ifIndex < 0 || ifIndex > MAX_PORT_IF_INDEX) {
      throw new OptionError('ifIndex', `an integer from 0 to ${MAX_PORT_IF_INDEX}`, ifIndex);
    }
    const hash = nameHash(name);
    return this.withLock(() => {
      let free = -1;
      for (let e = 0; e < this.capacity; e++) {
        const base = this.entryI32(e);
        if (this.i32[base + NE_KIND_I32] === NAME_ENTRY_FREE) {
          if (free < 0) free = e;
        } else if (this.matches(e, name, len, hash)) {
          throw new BusyError(name, 'the name is already registered');
        }
      }
      if (free < 0) throw new ExhaustedError('port-name table', 1);
      const base = this.entryI32(free);
      const nameOff = this.entryOff(free) + NE_NAME_OFF_BYTES;
      for (let k = 0; k < len; k++) this.u8[nameOff + k] = name.charCodeAt(k);
      this.u8.fill(0, nameOff + len, nameOff + NAME_MAX_BYTES);
      this.i32[base + NE_NAME_LEN_I32] = len;
      this.i32[base + NE_NAME_HASH_I32] = hash;
      this.i32[base + NE_IF_INDEX_I32] = ifIndex;
      this.i32[base + NE_KIND_I32] = kind;
      Atomics.add(this.i32, HDR_NAME_GEN_I32, 1);
      return free;
    });
  }

  /**
   * Finds `name`. Returns its kind, ifIndex and entry index, or null when it
   * is not registered. Throws PortNameError for a name the table could never
   * hold. Blocks on the lock; allocates the result.
   */
  lookup(name: string): PortTableEntry | null {
    const len = checkName(name);
    const hash = nameHash(name);
    return this.withLock(() => {
      const e = this.find(name, len, hash);
      if (e < 0) return null;
      const base = this.entryI32(e);
      return {
        kind: this.i32[base + NE_KIND_I32]!,
        ifIndex: this.i32[base + NE_IF_INDEX_I32]!,
        entry: e,
      };
    });
  }

  /**
   * Unregisters `name`. Returns true when it was registered, false when not.
   * Throws PortNameError for a name the table could never hold. Blocks on
   * the lock.
   */
  remove(name: string): boolean {
    const len = checkName(name);
    const hash = nameHash(name);
    return this.withLock(() => {
      const e = this.find(name, len, hash);
      if (e < 0) return false;
      const base = this.entryI32(e);
      this.i32[base + NE_KIND_I32] = NAME_ENTRY_FREE;
      this.i32[base + NE_IF_INDEX_I32] = 0;
      this.i32[base + NE_NAME_LEN_I32] = 0;
      this.i32[base + NE_NAME_HASH_I32] = 0;
      const nameOff = this.entryOff(e) + NE_NAME_OFF_BYTES;
      this.u8.fill(0, nameOff, nameOff + NAME_MAX_BYTES);
      Atomics.add(this.i32, HDR_NAME_GEN_I32, 1);
      return true;
    });
  }

  /** Every registered port, in entry order. Blocks on the lock; allocates. */
  list(): Array<{ name: string; kind: number; ifIndex: number }> {
    return this.withLock(() => {
      const out: Array<{ name: string; kind: number; ifIndex: number }> = [];
      for (let e = 0; e < this.capacity; e++) {
        const base = this.entryI32(e);
        const kind = this.i32[base + NE_KIND_I32]!;
        if (kind === NAME_ENTRY_FREE) continue;
        out.push({ name: this.readName(e), kind, ifIndex: this.i32[base + NE_IF_INDEX_I32]! });
      }
      return out;
    });
  }

  // ---- internals (callers hold the lock) ------------------------------------

  private entryOff(e: number): number {
    return this.tableOff + e * NAME_ENTRY_BYTES;
  }

  private entryI32(e: number): number {
    return this.entryOff(e) >>> 2;
  }

  private find(name: string, len: number, hash: number): number {
    for (let e = 0; e < this.capacity; e++) {
      if (this.i32[this.entryI32(e) + NE_KIND_I32] === NAME_ENTRY_FREE) continue;
      if (this.matches(e, name, len, hash)) return e;
    }
    return -1;
  }

  private matches(e: number, name: string, len: number, hash: number): boolean {
    const base = this.entryI32(e);
    if (this.i32[base + NE_NAME_HASH_I32] !== hash || this.i32[base + NE_NAME_LEN_I32] !== len) {
      return false;
    }
    const nameOff = this.entryOff(e) + NE_NAME_OFF_BYTES;
    for (let k = 0; k < len; k++) {
      if (this.u8[nameOff + k] !== name.charCodeAt(k)) return false;
    }
    return true;
  }

  private readName(e: number): string {
    const base = this.entryI32(e);
    const len = Math.min(Math.max(this.i32[base + NE_NAME_LEN_I32]!, 0), NAME_MAX_BYTES);
    const nameOff = this.entryOff(e) + NE_NAME_OFF_BYTES;
    return String.fromCharCode(...this.u8.subarray(nameOff, nameOff + len));
  }

  /**
   * Breaks the region lock if owner `deadOwner` (an owner id, see
   * `Region.owners`) holds it, waking every waiter; returns true if it did.
   * Only for a party known to be gone.
   */
  releaseIfHeldBy(deadOwner: number): boolean {
    return this.region.lock.breakIfHeldBy(deadOwner);
  }
}

/** Checks a table name and returns its length. Names are 1..NAME_MAX_BYTES printable ASCII characters. */
function checkName(name: string): number {
  if (typeof name !== 'string') {
    throw new PortNameError(String(name), `expected a string, got ${typeof name}`);
  }
  const len = name.length;
  if (len === 0) throw new PortNameError(name, 'the name is empty');
  if (len > NAME_MAX_BYTES) {
    throw new PortNameError(
      name,
      `the name is ${len} characters long; the port-name table holds at most ${NAME_MAX_BYTES}`,
    );
  }
  for (let k = 0; k < len; k++) {
    const c = name.charCodeAt(k);
    if (c < 0x21 || c > 0x7e) {
      throw new PortNameError(name, 'a table name must be printable ASCII without spaces', k);
    }
  }
  return len;
}

/** 32-bit FNV-1a over the character codes (all < 0x80 after checkName). */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < name.length; k++) {
    h ^= name.charCodeAt(k);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
