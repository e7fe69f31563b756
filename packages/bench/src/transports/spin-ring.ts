/**
 * The spinning-ring transport (case spinring-64b-rw): the smallest ring that
 * can move the 64 B work between two workers, to tell how far the hand ring
 * (and so every ratio to it) is from the limit. One SharedArrayBuffer laid out
 * like the hand ring (layout/hand-ring-layout.ts: 1024 slots of 2048 bytes),
 * batches of up to `burst`, plain stores of the payload and len, one
 * `Atomics.store` of WRITE (or READ) per batch; a side with nothing to do
 * spins on the peer's index and never sleeps (so it is not a usable transport:
 * it burns its core while idle). It checks STOP every 1024 spins.
 */
import { MeasureWindow, type Control } from '../control.js';
import { HR_READ_I32, HR_WRITE_I32 } from '../layout/hand-ring-layout.js';
import type { PacketWork } from '../packet-work.js';
import type { SideResult } from '../protocol.js';
import { defineTransport } from '../transport.js';
import { handRingSides, type HandRing } from './hand-ring.js';

/** Spins between two looks at the control block. */
const SPIN_CHECK = 1024;

export const spinRingTransport = defineTransport({
  name: 'spinring',
  family: { label: 'minimal spinning SAB ring', color: '#bcbd22' },
  cases: [{ name: 'spinring-64b-rw', work: '64b-rw' }],
  ...handRingSides(spinSend, spinRecv),
});

function spinSend(ring: HandRing, control: Control, work: PacketWork, burst: number): SideResult {
  const { i32, u32, numSlots, mask, slotShift, lensI32, payloadByte } = ring;
  const len = work.len;
  let w = 0;
  let seq = 0;
  let sum = 0;
  let sent = 0;
  let spins = 0;
  for (;;) {
    const room = numSlots - ((w - Atomics.load(i32, HR_READ_I32)) | 0);
    if (room === 0) {
      if (++spins === SPIN_CHECK) {
        spins = 0;
        if (control.stopped()) break;
      }
      continue;
    }
    if (control.stopped()) break;
    const n = room < burst ? room : burst;
    for (let k = 0; k < n; k++) {
      const slot = w & mask;
      sum = (sum + work.write(payloadByte + (slot << slotShift), seq)) | 0;
      u32[lensI32 + slot] = len;
      w = (w + 1) | 0;
      seq = (seq + 1) | 0;
    }
    Atomics.store(i32, HR_WRITE_I32, w);
    sent += n;
  }
  control.markSenderDone(sent);
  return {
    role: 'sender',
    packets: sent,
    checksum: sum,
    kicks: 0,
    windowPackets: 0,
    windowSeconds: 0,
  };
}

function spinRecv(ring: HandRing, control: Control, work: PacketWork, burst: number): SideResult {
  const { i32, u32, mask, slotShift, lensI32, payloadByte } = ring;
  const win = new MeasureWindow(control);
  let r = 0;
  let sum = 0;
  let received = 0;
  let spins = 0;
  for (;;) {
    const avail = (Atomics.load(i32, HR_WRITE_I32) - r) | 0;
    if (avail === 0) {
      if (++spins === SPIN_CHECK) {
        spins = 0;
        win.check(received);
        // The sender's last publish precedes its done mark: once done is seen, empty is final.
        if (control.sentTotal() >= 0 && Atomics.load(i32, HR_WRITE_I32) === r) break;
      }
      continue;
    }
    const n = avail < burst ? avail : burst;
    for (let k = 0; k < n; k++) {
      const slot = r & mask;
      sum = (sum + work.read(payloadByte + (slot << slotShift), u32[lensI32 + slot]!, slot)) | 0;
      r = (r + 1) | 0;
    }
    Atomics.store(i32, HR_READ_I32, r);
    received += n;
    win.check(received);
  }
  win.close(received);
  return {
    role: 'receiver',
    packets: received,
    checksum: sum,
    kicks: 0,
    windowPackets: win.packets,
    windowSeconds: win.seconds,
  };
}
