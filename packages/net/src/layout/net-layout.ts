/**
 * A network port's words in the region, where a reader such as `stat` finds
 * them. A network port is a pipe (@pktfabric/pipes) whose master end
 * `pipe{N` is the port the user holds and whose slave end `pipe}N` is held
 * by the port's I/O worker. The pipe uses words 0..2 of each end's KIND line
 * (pipe-layout.ts); the network port uses words 3..15 of the **slave**'s
 * KIND line (the if object at IF_PEER_IF of the port the user holds):
 *
 * ```
 *  KIND line of pipe}N (core's port-layout.ts, +256 bytes into the if object)
 *   +3  NET_MAGIC      'NETZ': this pipe is a network port          (ro)
 *   +4  NET_CONF       bit 0 out, bit 3 both (neither: in), bit 1 fan-out,
 *                      bit 2 bind                                         (ro)
 *   +5  NET_LINK       LINK_WAITING / LINK_UP / LINK_HUP / LINK_CLOSED    (w)
 *   +6  NET_PEERS      ZeroMQ connections up now                          (w)
 *   +7  PACKETS_LO     packets sent (out) or received (in), both for `both`, 64-bit (w)
 *   +8  PACKETS_HI
 *   +9  BYTES_LO       their payload bytes, 64-bit                        (w)
 *   +10 BYTES_HI
 *   +11 BATCHES        ZeroMQ messages sent or received (u32, wraps)      (w)
 *   +12 GAPS           in: batches missing by sequence number             (w)
 *   +13 DROPS          packets lost: in: missing by packet number, plus
 *                      oversize frames skipped; out (fan-out): sent while
 *                      no subscriber was connected                        (w)
 *   +14 BAD            in: messages that are not ours, skipped            (w)
 *   +15 RECONNECTS     connections after the first (a peer back, or a new one) (w)
 * ```
 *
 * (w) is the I/O worker, the only writer, with plain stores once per batch
 * (LINK with Atomics.store, then the user's doorbell rings). A reader uses
 * Atomics.load; a 64-bit pair is read hi, lo, hi and retried if hi moved.
 */
import { IF_KIND_WORDS_I32 } from '@pktfabric/core';

/** 'NETZ' little-endian. */
export const NET_MAGIC = 0x5a54454e;

export const NET_MAGIC_I32 = IF_KIND_WORDS_I32 + 3;
export const NET_CONF_I32 = IF_KIND_WORDS_I32 + 4;
export const NET_LINK_I32 = IF_KIND_WORDS_I32 + 5;
export const NET_PEERS_I32 = IF_KIND_WORDS_I32 + 6;
export const NET_PACKETS_LO_I32 = IF_KIND_WORDS_I32 + 7;
export const NET_PACKETS_HI_I32 = IF_KIND_WORDS_I32 + 8;
export const NET_BYTES_LO_I32 = IF_KIND_WORDS_I32 + 9;
export const NET_BYTES_HI_I32 = IF_KIND_WORDS_I32 + 10;
export const NET_BATCHES_I32 = IF_KIND_WORDS_I32 + 11;
export const NET_GAPS_I32 = IF_KIND_WORDS_I32 + 12;
export const NET_DROPS_I32 = IF_KIND_WORDS_I32 + 13;
export const NET_BAD_I32 = IF_KIND_WORDS_I32 + 14;
export const NET_RECONNECTS_I32 = IF_KIND_WORDS_I32 + 15;

/** NET_CONF bits. */
export const CONF_OUT = 1;
export const CONF_FANOUT = 2;
export const CONF_BIND = 4;
export const CONF_BOTH = 8;

/** NET_LINK values. */
/** No peer has connected yet. */
export const LINK_WAITING = 0;
/** At least one peer is connected. */
export const LINK_UP = 1;
/** Every peer has been gone for `peerTimeoutMs`: the port reports POLLHUP until one comes back. */
export const LINK_HUP = 2;
/** The I/O worker has stopped (the port closed or the worker failed). */
export const LINK_CLOSED = 3;
