/**
 * The hand-ring transport (cases handring-index, handring-64b-rw,
 * handring-1500b-copy), the baseline every ratio "vs hand ring" divides by:
 * a minimal hand-written single-producer single-consumer ring in one
 * SharedArrayBuffer (layout/hand-ring-layout.ts). It follows the same rules
 * as pktfabric's pipes, so it is the strongest simple thing to compare
 * against, not a strawman:
 * - batches of up to `burst` packets; plain stores for lens and payload, then
 *   one `Atomics.store` of WRITE (or READ) per batch;
 * - the peer's index is cached and re-read only when the cached value cannot
 *   fill a whole batch;
 * - a side with nothing to do spins on the peer's index (POLL_SPIN loads, the
 *   count pipes' poll peeks before parking) and then parks in `Atomics.wait`
 *   after raising its sleeping flag and re-checking; the other side notifies
 *   only when that flag is up, at most once per batch. (Flag store, then
 *   the wait's atomic re-read, against index store, then flag load: all
 *   sequentially consistent, so no wake-up is lost.)
 *
 * What it leaves out, and pipes have: buffer indices in slots (zero-copy
 * swaps), validation of what the peer wrote, fragments, offsets, poll events,
 * peer-death detection.
 */
import { POLL_SPIN } from '@pktfabric/pipes';
import { CONTROL_POLL_MS, MeasureWindow, type Control } from '../control.js';
import {
  HR_C_SLEEPING_I32,
  HR_LENS_BYTE,
  HR_NUM_SLOTS_I32,
  HR_P_SLEEPING_I32,
  HR_READ_I32,
  HR_SLOT_BYTES_I32,
  HR_WRITE_I32,
  handRingBytes,
  handRingPayloadByte,
} from '../layout/hand-ring-layout.js';
import type { PacketWork } from '../packet-work.js';
import type { SideResult } from '../protocol.js';
import { defineTransport, type Transport } from '../transport.js';

/** Bytes per payload slot of the hand ring: the region's default buffer size. */
const HAND_RING_SLOT_BYTES = 2048;

export const handRingTransport = defineTransport({
  name: 'handring',
  family: { label: 'hand-written SAB ring', color: '#7f7f7f' },
  cases: [
    { name: 'handring-index', work: 'index' },
    { name: 'handring-64b-rw', work: '64b-rw' },
    { name: 'handring-1500b-copy', work: '1500b-copy' },
  ],
  ...handRingSides(handRingSend, handRingRecv),
});

/** One side's loop over a ring in the hand ring's memory. */
export type HandRingLoop = (
  ring: HandRing,
  control: Control,
  work: PacketWork,
  burst: number,
) => SideResult;

/**
 * `setup` and `run` of a transport over the hand ring's memory (1024 slots
 * of 2048 bytes by default) with its own sender and receiver loops: the
 * hand ring, and the spinning ring that never sleeps.
 */
export function handRingSides(
  send: HandRingLoop,
  recv: HandRingLoop,
): Pick<Transport<string, SharedArrayBuffer>, 'setup' | 'run'> {
  return {
    setup({ slots }) {
      const sab = createHandRing(slots, HAND_RING_SLOT_BYTES);
      return { sender: { data: sab }, receiver: { data: sab } };
    },
    run(ctx) {
      const ring = new HandRing(ctx.data);
      const work = ctx.makeWork(ring.u8);
      ctx.ready();
      return (ctx.role === 'sender' ? send : recv)(ring, ctx.control, work, ctx.burst);
    },
  };
}

/** Creates a hand ring of `numSlots` slots (a power of two) of `slotBytes` (a power of two >= 64). */
export function createHandRing(numSlots: number, slotBytes: number): SharedArrayBuffer {
  const pow2 = (v: number): boolean => Number.isInteger(v) && v > 0 && (v & (v - 1)) === 0;
  if (!pow2(numSlots) || numSlots < 2)
    throw new RangeError(`slots must be a power of two >= 2, got ${numSlots}`);
  if (!pow2(slotBytes) || slotBytes < 64)
    throw new RangeError(`slotBytes must be a power of two >= 64, got ${slotBytes}`);
  const sab = new SharedArrayBuffer(handRingBytes(numSlots, slotBytes));
  const i32 = new Int32Array(sab);
  i32[HR_NUM_SLOTS_I32] = numSlots;
  i32[HR_SLOT_BYTES_I32] = slotBytes;
  return sab;
}

/** Views of a hand ring, created once per worker. */
export class HandRing {
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly u8: Uint8Array;
  readonly numSlots: number;
  readonly mask: number;
  readonly slotShift: number;
  /** Index in u32 of len[0]. */
  readonly lensI32: number;
  /** Byte offset of slot 0's payload. */
  readonly payloadByte: number;

  constructor(sab: SharedArrayBuffer) {
    this.i32 = new Int32Array(sab);
    this.u32 = new Uint32Array(sab);
    this.u8 = new Uint8Array(sab);
    this.numSlots = this.i32[HR_NUM_SLOTS_I32]!;
    this.mask = this.numSlots - 1;
    this.slotShift = 31 - Math.clz32(this.i32[HR_SLOT_BYTES_I32]!);
    this.lensI32 = HR_LENS_BYTE >>> 2;
    this.payloadByte = handRingPayloadByte(this.numSlots);
  }
}

/**
 * Producer loop: sends batches until the control block says STOP, then
 * publishes its total. Blocks (spin, then Atomics.wait) while the ring is
 * full. No allocation per packet or per batch.
 */
export function handRingSend(
  ring: HandRing,
  control: Control,
  work: PacketWork,
  burst: number,
): SideResult {
  const { i32, numSlots } = ring;
  let w = 0; // == WRITE as last published
  let rCache = 0;
  let seq = 0;
  let sum = 0;
  let sent = 0;
  let kicks = 0;
  while (!control.stopped()) {
    let room = numSlots - ((w - rCache) | 0);
    if (room < burst) {
      rCache = Atomics.load(i32, HR_READ_I32);
      room = numSlots - ((w - rCache) | 0);
      if (room === 0) {
        waitWhileEqual(i32, HR_READ_I32, HR_P_SLEEPING_I32, rCache);
        continue;
      }
    }
    const n = room < burst ? room : burst;
    sum = (sum + writeHandBatch(ring, work, w, seq, n)) | 0;
    w = (w + n) | 0;
    seq = (seq + n) | 0;
    Atomics.store(i32, HR_WRITE_I32, w);
    if (Atomics.load(i32, HR_C_SLEEPING_I32) !== 0) {
      Atomics.notify(i32, HR_WRITE_I32);
      kicks++;
    }
    sent += n;
  }
  control.markSenderDone(sent);
  return {
    role: 'sender',
    packets: sent,
    checksum: sum,
    kicks,
    windowPackets: 0,
    windowSeconds: 0,
  };
}

/**
 * Consumer loop: reads batches until the sender is done and everything it
 * sent was read. Blocks (spin, then Atomics.wait with a short timeout so it
 * sees the control block) while the ring is empty. No allocation per packet
 * (the 1500-byte reader makes one view per slot, once).
 */
export function handRingRecv(
  ring: HandRing,
  control: Control,
  work: PacketWork,
  burst: number,
): SideResult {
  const { i32 } = ring;
  const win = new MeasureWindow(control);
  let r = 0; // == READ as last published
  let wCache = 0;
  let sum = 0;
  let received = 0;
  let kicks = 0;
  for (;;) {
    let avail = (wCache - r) | 0;
    if (avail < burst) {
      wCache = Atomics.load(i32, HR_WRITE_I32);
      avail = (wCache - r) | 0;
      if (avail === 0) {
        win.check(received);
        // The sender's last publish precedes its done mark: once done is
        // seen, an empty ring is final (the engine compares the counts).
        if (control.sentTotal() >= 0) {
          if (Atomics.load(i32, HR_WRITE_I32) === r) break;
        } else {
          waitWhileEqual(i32, HR_WRITE_I32, HR_C_SLEEPING_I32, r);
        }
        continue;
      }
    }
    const n = avail < burst ? avail : burst;
    sum = (sum + readHandBatch(ring, work, r, n)) | 0;
    r = (r + n) | 0;
    Atomics.store(i32, HR_READ_I32, r);
    if (Atomics.load(i32, HR_P_SLEEPING_I32) !== 0) {
      Atomics.notify(i32, HR_READ_I32);
      kicks++;
    }
    received += n;
    win.check(received);
  }
  win.close(received);
  return {
    role: 'receiver',
    packets: received,
    checksum: sum,
    kicks,
    windowPackets: win.packets,
    windowSeconds: win.seconds,
  };
}

/**
 * Writes `n` packets, numbered from `seq`, into the slots from `w` on and
 * stores their lens; returns the fold of their checksums. Does not allocate.
 *
 * The per-batch loops are functions of their own rather than inline in the
 * side loops: V8 then optimizes them as ordinary hot functions from their own
 * complete type feedback, instead of on-stack-replacing the whole long-running
 * side loop while some of its paths (waiting, the window) have never run, and
 * a deopt in those paths does not throw the packet loop's code away.
 */
export function writeHandBatch(
  ring: HandRing,
  work: PacketWork,
  w: number,
  seq: number,
  n: number,
): number {
  const { u32, mask, slotShift, lensI32, payloadByte } = ring;
  const len = work.len;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const slot = (w + k) & mask;
    sum = (sum + work.write(payloadByte + (slot << slotShift), (seq + k) | 0)) | 0;
    u32[lensI32 + slot] = len;
  }
  return sum;
}

/** Reads `n` packets from the slots from `r` on; returns the fold of their checksums. Does not allocate. */
export function readHandBatch(ring: HandRing, work: PacketWork, r: number, n: number): number {
  const { u32, mask, slotShift, lensI32, payloadByte } = ring;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const slot = (r + k) & mask;
    sum = (sum + work.read(payloadByte + (slot << slotShift), u32[lensI32 + slot]!, slot)) | 0;
  }
  return sum;
}

/**
 * Waits until `i32[word]` differs from `expected`: spins first, then raises
 * the sleeping flag, re-checks (inside Atomics.wait) and parks for at most
 * CONTROL_POLL_MS. Does not allocate.
 */
function waitWhileEqual(i32: Int32Array, word: number, flag: number, expected: number): void {
  for (let s = POLL_SPIN; s > 0; s--) {
    if (Atomics.load(i32, word) !== expected) return;
  }
  Atomics.store(i32, flag, 1);
  Atomics.wait(i32, word, expected, CONTROL_POLL_MS);
  Atomics.store(i32, flag, 0);
}
