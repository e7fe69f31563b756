/**
 * A pipe's words in its ends' if objects. Each end of a pipe is a port with
 * an if object of its own (core's layout/port-layout.ts); the two are linked
 * through IF_PEER_IF. A pipe uses the KIND line of each if object:
 *
 * ```
 *  KIND line of either end (ro, but REFS (L))
 *    +0  PIPE_ID   the pipe number N
 *    +1  END       0 master `pipe{N`, 1 slave `pipe}N`
 *    +2  REFS      master only: one per open of either end, plus one held by
 *                  createPipe's handle; the pipe is destroyed at 0
 * ```
 *
 * Rings: per ring index r, four ring objects. Master TX r owns a slot array
 * that the slave's RX r shares; slave TX r owns one that master RX r shares.
 * The master's ring table lists [its TX rings, its RX rings]; the slave's
 * likewise. The port-name table maps `pipeN` to the master's if object.
 */
import { IF_KIND_WORDS_I32 } from '@pktfabric/core';

export const PIPE_ID_I32 = IF_KIND_WORDS_I32 + 0;
export const PIPE_END_I32 = IF_KIND_WORDS_I32 + 1;
/** References: one per open of either end, plus one held by createPipe's handle. (L, master's if object) */
export const PIPE_REFS_I32 = IF_KIND_WORDS_I32 + 2;

export const END_MASTER = 0;
export const END_SLAVE = 1;
