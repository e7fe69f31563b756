/**
 * The copy-bandwidth row (case memcpy-1500b): what `Uint8Array.set` of a
 * 1500-byte packet costs on this machine, measured in the same run as the
 * 1500-byte ring cases, so their GB/s can be read against it.
 *
 * One thread does the work: the receiver copies 1500-byte packets out of the
 * slots of a 2 MB arena laid out like the hand ring's payload (1024 slots of
 * 2048 bytes, taken in turn) into a buffer of its own, with the same
 * `Copy1500Work.read` the ring receivers use: one side of
 * `handring-1500b-copy` with no other core and no ring. The sender only waits:
 * once STOP is seen it takes the receiver's published count and checksum as
 * its own, so the engine's checks hold. A 1500-byte ring case needs two such
 * copies per packet (one per side, on two cores) plus moving the lines
 * between the cores: on two free cores it can at best match this row.
 */
import { MeasureWindow, type Control } from '../control.js';
import { COPY_BYTES, type PacketWork } from '../packet-work.js';
import type { SideResult } from '../protocol.js';
import { defineTransport } from '../transport.js';

/** Word of the shared block where the receiver publishes its count (f64 at byte 8) and checksum. */
const DONE_I32 = 0;
const SUM_I32 = 1;
const COUNT_F64 = 1;
const ARENA_SLOTS = 1024;
const SLOT_BYTES = 2048;

export const memcpyTransport = defineTransport({
  name: 'memcpy',
  family: { label: 'Uint8Array.set, one thread', color: '#17becf' },
  cases: [{ name: 'memcpy-1500b', work: '1500b-copy' }],
  setup() {
    const sab = new SharedArrayBuffer(64 + ARENA_SLOTS * SLOT_BYTES);
    return { sender: { data: sab }, receiver: { data: sab } };
  },
  run(ctx) {
    const sab = ctx.data as SharedArrayBuffer;
    const i32 = new Int32Array(sab, 0, 16);
    const f64 = new Float64Array(sab, 0, 8);
    if (ctx.role === 'sender') {
      ctx.ready();
      while (Atomics.load(i32, DONE_I32) === 0) Atomics.wait(i32, DONE_I32, 0, 100);
      const packets = f64[COUNT_F64]!;
      ctx.control.markSenderDone(packets);
      return {
        role: 'sender',
        packets,
        checksum: i32[SUM_I32]!,
        kicks: -1,
        windowPackets: 0,
        windowSeconds: 0,
      };
    }
    const work = ctx.makeWork(new Uint8Array(sab, 64));
    // Fill every slot once with a stamped packet, as a sender would.
    const u32 = new Uint32Array(sab, 64);
    for (let s = 0; s < ARENA_SLOTS; s++) u32[(s * SLOT_BYTES) >>> 2] = s;
    ctx.ready();
    return copyLoop(ctx.control, work, i32, f64, ctx.burst);
  },
});

function copyLoop(
  control: Control,
  work: PacketWork,
  i32: Int32Array,
  f64: Float64Array,
  burst: number,
): SideResult {
  const win = new MeasureWindow(control);
  let k = 0;
  let sum = 0;
  let n = 0;
  while (!control.stopped()) {
    for (let b = 0; b < burst; b++) {
      sum = (sum + work.read(k * SLOT_BYTES, COPY_BYTES, k)) | 0;
      k = (k + 1) & (ARENA_SLOTS - 1);
    }
    n += burst;
    win.check(n);
  }
  win.close(n);
  f64[COUNT_F64] = n;
  i32[SUM_I32] = sum;
  Atomics.store(i32, DONE_I32, 1);
  Atomics.notify(i32, DONE_I32);
  return {
    role: 'receiver',
    packets: n,
    checksum: sum,
    kicks: -1,
    windowPackets: win.packets,
    windowSeconds: win.seconds,
  };
}
