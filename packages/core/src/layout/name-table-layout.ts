/**
 * Layout of one port-name table entry (64 bytes each, NAME_TABLE_SLOTS of
 * them right after the region header). Protected by the lock word
 * HDR_NAME_LOCK_I32 in the region header.
 */
export const NAME_ENTRY_BYTES = 64;
