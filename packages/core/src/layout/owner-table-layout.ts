/**
 * Layout of the owner table: the identities of the threads and processes
 * that use a region. An owner id (1 .. ownerSlots) is allocated inside the
 * region, so it means the same thing to every thread and every process that
 * maps it (a `threadId` is unique only within one process). Lock words and
 * port if objects record owner ids; when a party dies, the liveness seam
 * finds its ids here and everything they held is recovered.
 *
 * Offsets named `_I32` index an Int32Array from the start of the entry (add
 * `(ownersOff + (id - 1) * OWNER_ENTRY_BYTES) >>> 2`).
 *
 * Writers: (cas) claimed with Atomics.compareExchange on STATE by the thread
 * the entry names; (o) that thread, before it publishes STATE = LIVE; (r) a
 * reaper that saw the party die.
 *
 * ```
 *  byte 0  +-----------+-----------+-----------+-----------+
 *          | STATE     | PID       | THREAD_ID | GEN       |
 *          | (cas)(r)  | (o)       | (o)       | (o)       |
 *  byte 16 +-----------+-----------+-----------+-----------+
 * ```
 */
export const OWNER_ENTRY_BYTES = 16;

export const OWNER_STATE_I32 = 0;
/** Process id of the owner. */
export const OWNER_PID_I32 = 1;
/** `worker_threads.threadId` of the owner in its process (0 for a main thread). */
export const OWNER_THREAD_ID_I32 = 2;
/** Times this entry has been claimed (tells a reused id from the old one). */
export const OWNER_GEN_I32 = 3;

/** STATE values. */
export const OWNER_FREE = 0;
/** Being filled in by the thread that claimed it. */
export const OWNER_CLAIMING = 1;
export const OWNER_LIVE = 2;
/** The party died; a reaper is recovering what it held. */
export const OWNER_DEAD = 3;
