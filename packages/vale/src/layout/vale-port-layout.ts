/**
 * What a switch port keeps in shared memory beside core's if object
 * (core's port-layout.ts): its KIND words, and one lease object (from the
 * region's ring pool) holding the lease state of each of its RX rings.
 * Offsets ending in `_I32` index an Int32Array over the whole region.
 *
 * ## KIND words of the if object (relative to the if object's first word)
 *
 * ```
 *  +256 line 4  SWITCH_OFF PORT_NO LEASE_OFF (ro) | PERSIST (L) | STATE ACTIVE (Atomics)
 *               TX_PKTS TX_DROPS RX_PKTS RX_DROPS TX_BYTES RX_BYTES MON_DROPS (Atomics.add)
 * ```
 *
 * Counters (u32, wrapping), each added once per batch:
 * - TX_PKTS: packets this port's txsync took from its TX rings;
 * - TX_DROPS: of those, packets dropped before any destination (shorter than
 *   14 bytes, lookup said DROP, sent back to this port, to no such port, or
 *   a lookup threw);
 * - RX_PKTS: packets delivered into this port's RX rings;
 * - RX_DROPS: packets for this port dropped because its RX ring had no room
 *   (or it was leaving the switch);
 * - TX_BYTES / RX_BYTES: bytes of those packets (wrapping);
 * - MON_DROPS: frames this port's copy monitors could not take (monitor full).
 *
 * STATE is VP_ATTACHED while senders may deliver, VP_DETACHING once a close
 * began to take the port off the switch. ACTIVE counts senders delivering
 * into the port right now: a sender adds 1, then checks STATE; the detacher
 * sets STATE, then waits for ACTIVE to drain before freeing the rings.
 *
 * ## The lease object: one LEASE_BLOCK_BYTES block per RX ring
 *
 * ```
 *  +0    line 0 (senders, under LOCK) LOCK HWLEASE NEXT OLDEST
 *  +64   line 1 (receiver)            RX_HWCUR
 *  +128  lease records, LEASES x 4 words: START END OWNER OWNER_GEN
 *  +384  (next ring)
 * ```
 *
 * netmap's lease protocol (REFERENCE.md 1.4): a sender reserves [HWLEASE,
 * HWLEASE + k) under LOCK, taking record NEXT, copies without the lock, then
 * under LOCK writes the record's END and publishes: from record OLDEST on,
 * every completed record moves the ring's published tail (the RX ring's
 * PIPE_TAIL word, ring-layout.ts) to its END. Records are used in order,
 * modulo LEASES; a ring with LEASES leases outstanding drops. END is
 * LEASE_PENDING until completed; OWNER / OWNER_GEN name the sender (owner
 * table) so that a dead sender's lease can be padded with empty slots.
 * RX_HWCUR is the receiver's hwcur: the first slot it has not given back.
 */
import { IF_KIND_WORDS_I32 } from '@pktfabric/core';

export const VP_SWITCH_OFF_I32 = IF_KIND_WORDS_I32 + 0;
export const VP_PORT_NO_I32 = IF_KIND_WORDS_I32 + 1;
export const VP_LEASE_OFF_I32 = IF_KIND_WORDS_I32 + 2;
export const VP_PERSIST_I32 = IF_KIND_WORDS_I32 + 3;
export const VP_STATE_I32 = IF_KIND_WORDS_I32 + 4;
export const VP_ACTIVE_I32 = IF_KIND_WORDS_I32 + 5;
export const VP_TX_PKTS_I32 = IF_KIND_WORDS_I32 + 6;
export const VP_TX_DROPS_I32 = IF_KIND_WORDS_I32 + 7;
export const VP_RX_PKTS_I32 = IF_KIND_WORDS_I32 + 8;
export const VP_RX_DROPS_I32 = IF_KIND_WORDS_I32 + 9;
export const VP_TX_BYTES_I32 = IF_KIND_WORDS_I32 + 10;
export const VP_RX_BYTES_I32 = IF_KIND_WORDS_I32 + 11;
export const VP_MON_DROPS_I32 = IF_KIND_WORDS_I32 + 12;

/** VP_STATE values. */
export const VP_ATTACHED = 1;
export const VP_DETACHING = 2;

/** Lease records per RX ring (a power of two). */
export const LEASES = 16;
export const LEASE_MASK = LEASES - 1;
export const LEASE_BLOCK_BYTES = 384;

export const LB_LOCK_I32 = 0;
export const LB_HWLEASE_I32 = 1;
export const LB_NEXT_I32 = 2;
export const LB_OLDEST_I32 = 3;
export const LB_RX_HWCUR_I32 = 16;
export const LB_RECORDS_I32 = 32;
export const LR_WORDS = 4;
export const LR_START = 0;
export const LR_END = 1;
export const LR_OWNER = 2;
export const LR_GEN = 3;
/** END of a lease not completed yet. */
export const LEASE_PENDING = -1;

/** Bytes of the lease object of a port with `rings` RX rings. */
export function leaseObjectBytes(rings: number): number {
  return rings * LEASE_BLOCK_BYTES;
}

/*
 * ## A monitor's if object (kind PORT_KIND_MONITOR)
 *
 * A monitor is built like a switch port (same lease object, so its RX
 * rings fill by the same lease protocol) but has no TX ring and is on no
 * switch. Its KIND words reuse the line:
 *
 * ```
 *  +256 line 4  PARENT_IF MODE LEASE_OFF (ro) ... MON_DROPS (Atomics.add, = VP_MON_DROPS_I32)
 * ```
 *
 * MODE: MON_TX | MON_RX, with MON_ZCOPY for `/z`. MON_DROPS counts slots the monitor could not take
 * because its ring was full (the monitored port is never held back).
 */
/** If index of the monitored port. */
export const MON_PARENT_IF_I32 = IF_KIND_WORDS_I32 + 0;
export const MON_MODE_I32 = IF_KIND_WORDS_I32 + 1;
export const MON_TX = 1;
export const MON_RX = 2;
/** A zero-copy monitor (`/z`): swaps buffers instead of copying. */
export const MON_ZCOPY = 4;
