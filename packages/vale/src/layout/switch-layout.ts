/**
 * Layout of a switch object: one object of the region's ring pool per switch
 * (the ring pool is the region's general pool of large objects; a switch
 * needs SWITCH_BYTES, so the region's ringSize must be at least that).
 * Offsets ending in `_I32` index an Int32Array over the whole region,
 * relative to the switch object's first word.
 *
 * Writers: (ro) fixed when the switch is made; (L) changed under the region
 * lock (attach, detach, persistence, lookup mode); (s) any sender, in its
 * txsync, with plain stores (the learning table).
 *
 * ```
 *  +0     line 0 (ro)  MAGIC 'VALE' MAX_PORTS LEARN_ENTRIES
 *  +64    line 1 (L)   NPORTS GEN PERSIST LOOKUP_CUSTOM
 *  +128   port table (L): SWITCH_PORTS x u32, the if index of port p, 0 = none
 *  +1152  learning table (s): LEARN_ENTRIES x 2 u32:
 *           MAC_LO (bytes 0..3 of the address, little-endian)
 *           MAC_HI | (port + 1) << 16 (bytes 4..5, then the port; 0 = empty)
 *  +9344  end (SWITCH_BYTES)
 * ```
 *
 * GEN counts attaches and detaches: a sender re-reads the port table when it
 * changed. A learning entry is two plain words written by whichever sender
 * learns; a torn entry (two senders learning into one bucket at once) can
 * only send a frame to a wrong but existing port, never outside the switch.
 */

/** 'VALE' little-endian. */
export const SWITCH_MAGIC = 0x454c4156;

/** Port numbers of a switch: 0 .. SWITCH_MAX_PORTS - 1 (netmap's NM_BDG_MAXPORTS). */
export const SWITCH_MAX_PORTS = 254;
/** Entries of the port table (two more than ports, as BROADCAST and DROP are port numbers too). */
export const SWITCH_PORTS = 256;
/** Entries of the learning table (netmap's NM_BDG_HASH). */
export const LEARN_ENTRIES = 1024;
/** log2(LEARN_ENTRIES). */
export const LEARN_BITS = 10;

// line 0 (ro)
export const SW_MAGIC_I32 = 0;
export const SW_MAX_PORTS_I32 = 1;
export const SW_LEARN_ENTRIES_I32 = 2;

// line 1 (L)
/** Ports attached now. */
export const SW_NPORTS_I32 = 16;
/** Changes to the port table since the switch was made (Atomics). */
export const SW_GEN_I32 = 17;
/** 1 when the switch stays while it has no port (vale-ctl). */
export const SW_PERSIST_I32 = 18;
/** 1 when a user lookup replaces the learning bridge (every sending thread must install it). */
export const SW_LOOKUP_CUSTOM_I32 = 19;

export const SW_PORT_TABLE_I32 = 32;
export const SW_LEARN_I32 = SW_PORT_TABLE_I32 + SWITCH_PORTS;
/** Words per learning entry. */
export const LEARN_ENTRY_WORDS = 2;

/** Bytes of a switch object. */
export const SWITCH_BYTES = (SW_LEARN_I32 + LEARN_ENTRIES * LEARN_ENTRY_WORDS) * 4;
