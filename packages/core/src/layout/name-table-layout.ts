/**
 * Layout of one port-name table entry. The table is `Region.nameTableSlots`
 * entries of NAME_ENTRY_BYTES each, starting at `Region.nameTableOff` (right
 * after the region header). It is guarded by the lock word HDR_NAME_LOCK_I32
 * in the region header; HDR_NAME_GEN_I32 counts the modifications.
 *
 * Offsets named `_I32` index an Int32Array from the start of the entry (add
 * `(nameTableOff + entry * NAME_ENTRY_BYTES) >>> 2`); `_BYTES` ones are byte
 * offsets from the start of the entry.
 *
 * Writers: (lk) any thread, only while it holds the table lock. Readers also
 * hold the lock, so no field needs Atomics: the lock's Atomics operations
 * order every access.
 *
 * ```
 *  byte 0   +-----------------+-----------------+-----------------+-----------------+
 *           | KIND            | IF_INDEX        | NAME_LEN        | NAME_HASH       |  (lk)
 *           | u32, 0 = free   | u32             | u32, 1..48      | FNV-1a of name  |
 *  byte 16  +-----------------+-----------------+-----------------+-----------------+
 *           | NAME: NAME_MAX_BYTES (48) bytes of printable ASCII, NAME_LEN used,     |  (lk)
 *           |       the rest zero                                                    |
 *  byte 64  +------------------------------------------------------------------------+
 * ```
 *
 * An entry is in use exactly when KIND is not NAME_ENTRY_FREE. One entry is
 * one 64-byte line, so entries never share a line with each other or with the
 * lock words.
 */
export const NAME_ENTRY_BYTES = 64;

/** KIND value of an unused entry. Port kinds (PORT_KIND_*) are never 0. */
export const NAME_ENTRY_FREE = 0;

/** (lk) The kind of port registered here (PORT_KIND_*), or NAME_ENTRY_FREE. */
export const NE_KIND_I32 = 0;
/** (lk) The port's if-pool index (its netmap_if object). */
export const NE_IF_INDEX_I32 = 1;
/** (lk) Bytes of NAME in use. */
export const NE_NAME_LEN_I32 = 2;
/** (lk) 32-bit FNV-1a hash of the name bytes, compared before the bytes. */
export const NE_NAME_HASH_I32 = 3;
/** (lk) First byte of the name. */
export const NE_NAME_OFF_BYTES = 16;
/** Capacity of the name field: the longest name the table can hold. */
export const NAME_MAX_BYTES = NAME_ENTRY_BYTES - NE_NAME_OFF_BYTES;
