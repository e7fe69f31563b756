/**
 * Layout of a port's if object (netmap's `netmap_if`), one per port, from the
 * region's if pool. Every port kind (pipe end, switch port, monitor) uses it;
 * a kind keeps its own words in the KIND line. Offsets ending in `_I32`
 * index an Int32Array over the whole region, relative to the if object's
 * first word (see `ifWord`).
 *
 * Writers: (ro) fixed when the port is made; (L) changed only under the
 * region lock (open, close, destroy); (L+e) also by the thread that has the
 * port open (takeExtra / giveExtra move EXTRA_HEAD and EXTRA_COUNT); (x) whoever makes this port ready or
 * closes its peer, through Atomics; (w) a thread of this port about to
 * sleep; (s) a thread of this port that wakes another's sleepers. Writers have their own 64-byte lines.
 *
 * ```
 *  +0    line 0 (ro)  MAGIC KIND NTX NRX SLOTS MAX_OFFSET PEER_IF
 *  +64   line 1 (L)   STATE OPENS EXCL OWNER | EXTRA_HEAD EXTRA_COUNT (L+e) | MONITORS
 *  +128  line 2 (x)   DOORBELL KICKS MON_UNSERVED  <- this port's sleepers wait on DOORBELL
 *  +192  line 3 (w)   WAITERS | WAKES_SENT (s)
 *  +256  line 4       KIND: 16 words the port kind defines (pipe-layout.ts)
 *  +320  ring table   NTX byte offsets of the TX ring objects, then NRX of the RX rings
 * ```
 *
 * OWNER is the owner id (owner-table-layout.ts) of the last thread that
 * opened the port; when that party dies, the liveness seam closes the port
 * on its behalf. EXTRA_HEAD starts the port's extra-buffer list, linked
 * through each buffer's first u32 (0 ends it), as netmap's ni_bufs_head.
 */

/** 'PORT' little-endian. */
export const PORT_MAGIC = 0x54524f50;

// line 0 (ro)
export const IF_MAGIC_I32 = 0;
/** Port kind (PORT_KIND_* in port-table.ts). */
export const IF_KIND_I32 = 1;
export const IF_NTX_I32 = 2;
export const IF_NRX_I32 = 3;
export const IF_SLOTS_I32 = 4;
export const IF_MAX_OFFSET_I32 = 5;
/** If index of the port this one is linked to (a pipe's other end), 0 if none. */
export const IF_PEER_IF_I32 = 6;

// line 1 (L)
export const IF_STATE_I32 = 16;
export const IF_OPENS_I32 = 17;
export const IF_EXCL_I32 = 18;
export const IF_OWNER_I32 = 19;
export const IF_EXTRA_HEAD_I32 = 20;
export const IF_EXTRA_COUNT_I32 = 21;
/**
 * 0 while no monitor watches this port; otherwise a value that changes
 * whenever its set of monitors changes (written by the monitor kind under
 * the region lock). Port.txsync / rxsync read it once per call.
 */
export const IF_MONITORS_I32 = 22;

// line 2 (x)
export const IF_DOORBELL_I32 = 32;
export const IF_KICKS_I32 = 33;
/**
 * Set to 1 (Atomics.store, once) by a thread that synced this port while
 * MONITORS was not 0 but had no monitor hook installed (it never loaded the
 * monitor kind, `@pktfabric/vale`): its monitors miss those frames. Monitor
 * tools read it to say so instead of staying silent.
 */
export const IF_MON_UNSERVED_I32 = 34;

// line 3 (w)
export const IF_WAITERS_I32 = 48;
/**
 * (s) Notify calls this port's syncs made to wake other ports' sleepers
 * (a pipe's peer, a switch destination, a monitor): its wake-ups sent.
 * KICKS counts the ones it received. Atomics.add, by whichever thread of
 * this port woke somebody, at most once per batch.
 */
export const IF_WAKES_SENT_I32 = 49;

// line 4: the kind's own words
export const IF_KIND_WORDS_I32 = 64;
export const IF_KIND_WORDS = 16;

/** First entry of the ring table. */
export const IF_RING_TABLE_I32 = 80;

/** IF_STATE values. */
export const PORT_NEVER = 0;
export const PORT_OPEN = 1;
export const PORT_CLOSED = 2;
/** Its owner died while it was open. */
export const PORT_DEAD = 3;

/** Most rings (TX + RX) an if object of `ifSize` bytes can describe. */
export function maxPortRings(ifSize: number): number {
  return Math.floor(ifSize / 4) - IF_RING_TABLE_I32;
}
