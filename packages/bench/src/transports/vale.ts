/**
 * The VALE switch transport (cases vale-64b-rw, vale-1500b-copy,
 * vale-2to1-64b, vale-64b-rw-monitored): one
 * region, a switch `vale0` with two persistent ports made in setup,
 * `vale0:tx` (port 0, the sender's) and `vale0:rx` (port 1, the
 * receiver's), 1024 slots (CaseOptions.slots, at most 4096). Every packet
 * is forwarded by the sender's txsync, which copies it into the receiver's
 * RX ring: the cost of the switch beside the pipe, which moves descriptors.
 *
 * The lookup is a user function sending everything from port 0 to port 1
 * (the work writes the payload from byte 0, so the learning bridge would
 * see arbitrary MAC addresses). The switch drops when the receiver's ring
 * is full and the engine wants every packet accounted for, so the sender
 * sends a batch only when the receiver's ring has room for it (a
 * RoomGauge), spinning (and watching STOP) while it has not.
 *
 * vale-2to1-64b: two senders into one receiver. A third port `vale0:tx2`
 * (port 2) is driven by a second sender thread the setup starts
 * (helper.ts, helper-worker.ts), with the same loop and work as the
 * engine's sender; the lookup sends both to port 1. Each leaves room in
 * the receiver's ring for one batch of the other (batches of at most
 * min(burst, (slots - 1) / 2)), so nothing is dropped; the sender worker
 * reports both senders' packets and checksums together.
 *
 * vale-64b-rw-monitored: vale-64b-rw with a copy monitor `vale0:tx/t` on
 * the sending port, opened and drained (a plain rxsync/poll loop) by a
 * third thread. The copies are made in the sender's txsync; the monitor
 * never holds the sender back (a full monitor ring counts drops), and
 * `release` checks that it saw or counted every packet sent.
 *
 * After a successful run the switch must have dropped nothing.
 */
import {
  attachRegion,
  createRegion,
  DEFAULT_BUF_COUNT,
  ringBytes,
  type Port,
  type Region,
} from '@pktfabric/core';
import {
  attachPort,
  detachPort,
  listSwitches,
  MAX_VALE_SLOTS,
  openValePort,
  RoomGauge,
  setLookup,
  type LookupFn,
} from '@pktfabric/vale';
import { DEFAULT_SLOTS } from '../api.js';
import { BenchCaseError } from '../errors.js';
import type { PacketWork } from '../packet-work.js';
import type { SideResult } from '../protocol.js';
import { defineTransport, type SetupContext, type Shared, type SideContext } from '../transport.js';
import { recvOn } from './pipe.js';
import {
  AUX_DONE,
  AUX_F_PACKETS,
  AUX_F_SENT,
  AUX_GO,
  AUX_OPENED,
  AUX_READY,
  AUX_STOP,
  AUX_SUM,
  auxViews,
  checkMonitorHelper,
  createAux,
  raise,
  startHelper,
  waitFlag,
  type Helper,
  type HelperKind,
} from './helper.js';

export interface ValeSide {
  sab: SharedArrayBuffer;
  portName: string;
  /** The sender's: the switch port whose RX room it checks, and the margin it leaves (sendBatches). */
  roomPort: string;
  margin: number;
  /** The sender's, when the case has a helper thread: its aux block and what the helper does. */
  aux?: SharedArrayBuffer;
  helper?: HelperKind;
}

export const SWITCH = 'vale0';
const TX = 'vale0:tx';
const RX = 'vale0:rx';
/** The second sender's port (vale-2to1-64b). */
const TX2 = 'vale0:tx2';
/** The switch port number of RX: the second port attached. */
const RX_PORT = 1;

/** The lookup of every case: whatever does not come from the receiver goes to it. */
export const toReceiver: LookupFn = (_f, src) => (src === RX_PORT ? 0 : RX_PORT);

export const valeTransport = defineTransport({
  name: 'vale',
  family: { label: 'pktfabric VALE switch', color: '#2ca02c' },
  cases: [
    { name: 'vale-64b-rw', work: '64b-rw', mode: 'slots' },
    { name: 'vale-1500b-copy', work: '1500b-copy', mode: 'slots' },
    { name: 'vale-2to1-64b', work: '64b-rw', mode: 'slots' },
    { name: 'vale-64b-rw-monitored', work: '64b-rw', mode: 'slots' },
  ],
  setup: setupVale,
  run: (ctx) => (ctx.role === 'sender' ? valeSend(ctx) : valeRecv(ctx)),
});

function setupVale({ caseName, slots, burst }: SetupContext): Shared<ValeSide> {
  if (slots > 4096)
    throw new RangeError(`${caseName}: ` + `a switch port has at most 4096 slots (got ${slots})`);
  const twoSenders = caseName === 'vale-2to1-64b';
  const monitored = caseName === 'vale-64b-rw-monitored';
  // The monitor's ring is MAX_VALE_SLOTS deep (helper-worker.ts, drainMonitor).
  const ringSlots = monitored ? MAX_VALE_SLOTS : slots;
  const region = createRegion({
    bufCount: Math.max(
      DEFAULT_BUF_COUNT,
      (twoSenders ? 6 : 4) * slots + (monitored ? MAX_VALE_SLOTS : 0) + 64,
    ),
    ...(ringSlots > DEFAULT_SLOTS ? { ringSize: ringBytes(ringSlots) } : {}),
  });
  const ports = twoSenders ? [TX, RX, TX2] : [TX, RX];
  for (const p of ports) attachPort(region, p, { slots });
  // Two senders each leave room for one batch of the other.
  const margin = twoSenders ? Math.min(burst, (slots - 1) >>> 1) : 0;
  let helper: Helper | undefined;
  let aux: SharedArrayBuffer | undefined;
  if (twoSenders || monitored) {
    aux = createAux();
    helper = startHelper(
      twoSenders
        ? {
            kind: 'vale-sender',
            caseName,
            sab: region.sab,
            portName: TX2,
            burst,
            roomPort: RX,
            margin,
          }
        : { kind: 'monitor-drain', caseName, sab: region.sab, portName: `${TX}/t`, burst },
      aux,
    );
  }
  const sender: ValeSide = { sab: region.sab, portName: TX, roomPort: RX, margin };
  if (aux !== undefined) {
    sender.aux = aux;
    sender.helper = twoSenders ? 'vale-sender' : 'monitor-drain';
  }
  return {
    sender: { data: sender },
    receiver: { data: { sab: region.sab, portName: RX, roomPort: RX, margin } },
    release(ok) {
      if (helper !== undefined) {
        if (monitored) checkMonitorHelper(caseName, helper, ok);
        else {
          helper.terminate();
          const err = helper.error();
          if (ok && err !== undefined)
            throw new BenchCaseError(caseName, 'worker-error', `second sender: ${err}`);
        }
      }
      if (!ok) return;
      const drops = listSwitches(region)
        .flatMap((s) => s.ports)
        .reduce((d, p) => d + p.rxDrops + p.txDrops, 0);
      if (drops !== 0)
        throw new BenchCaseError(caseName, 'integrity', `the switch dropped ${drops} packets`);
      for (const p of ports) detachPort(region, p);
      const buf = region.pools().find((p) => p.name === 'buf')!;
      if (buf.free !== buf.objTotal - buf.reserved)
        throw new BenchCaseError(
          caseName,
          'integrity',
          `after the switch ports were detached ${buf.free} of ${buf.objTotal - buf.reserved} buffers are free`,
        );
    },
  };
}

/** Opens the sender's port (and the helper's handshake, if the case has one); sends until STOP. */
function valeSend(ctx: SideContext<ValeSide>): SideResult {
  const { control, burst, caseName } = ctx;
  const { roomPort, margin } = ctx.data;
  const region = attachRegion(ctx.data.sab);
  const ep = openValePort(region, ctx.data.portName);
  setLookup(region, SWITCH, toReceiver);
  const gauge = new RoomGauge(region, roomPort);
  const aux = ctx.data.aux === undefined ? undefined : auxViews(ctx.data.aux);
  try {
    if (aux !== undefined) {
      raise(aux, AUX_OPENED);
      waitFlag(aux, AUX_READY, caseName, 'the helper to open its port');
    }
    ctx.ready();
    if (aux !== undefined) raise(aux, AUX_GO);
    const { sent, sum } = sendBatches(
      region,
      ep,
      gauge,
      ctx.makeWork(region.u8),
      burst,
      margin,
      control,
    );
    let packets = sent;
    let checksum = sum;
    if (aux !== undefined) {
      aux.f64[AUX_F_SENT] = sent;
      raise(aux, AUX_STOP);
      waitFlag(aux, AUX_DONE, caseName, 'the helper to finish');
      if (ctx.data.helper === 'vale-sender') {
        // The second sender's packets went to the same receiver.
        packets += aux.f64[AUX_F_PACKETS]!;
        checksum = (checksum + Atomics.load(aux.i32, AUX_SUM)) | 0;
      }
    }
    control.markSenderDone(packets);
    control.waitReceiverDone();
    return {
      role: 'sender',
      packets,
      checksum,
      kicks: -1,
      windowPackets: 0,
      windowSeconds: 0,
    };
  } finally {
    ep.close();
  }
}

/**
 * The send loop (also a second sender's, in the helper worker): batches of
 * the case's work from `ep`'s TX ring until `stop.stopped()`, each sent
 * only once the receiver's RX ring (`gauge`) has room for it plus `margin`
 * slots. With one sender `margin` is 0. With two, each leaves room for one
 * batch of the other (batches of at most `margin` packets): a sender has at
 * most one batch between reading the gauge and its txsync, so whatever the
 * other does meanwhile nothing overflows the ring and nothing is dropped.
 * Returns the packets sent and the fold of their checksums. Does not
 * allocate per packet.
 */
export function sendBatches(
  region: Region,
  ep: Port,
  gauge: RoomGauge,
  work: PacketWork,
  burst: number,
  margin: number,
  stop: { stopped(): boolean },
  seq0 = 0,
): { sent: number; sum: number } {
  const tx = ep.txRings[0]!;
  const u32 = region.u32;
  const { bufBase, bufSize } = region;
  const numSlots = tx.numSlots;
  const { bufIdxBase, lenFlagsBase } = tx;
  const len = work.len;
  // The TX ring always has room (forwarded slots come back at once).
  const most = margin > 0 ? Math.min(burst, margin) : Math.min(burst, numSlots - 1);
  let seq = seq0;
  let sum = 0;
  let sent = 0;
  while (!stop.stopped()) {
    const room = gauge.room() - margin;
    if (room <= 0) continue;
    const want = room < most ? room : most;
    let head = tx.head;
    for (let n = 0; n < want; n++) {
      sum = (sum + work.write(bufBase + u32[bufIdxBase + head]! * bufSize, seq)) | 0;
      u32[lenFlagsBase + head] = len;
      head = head + 1 === numSlots ? 0 : head + 1;
      seq = (seq + 1) | 0;
    }
    tx.head = tx.cur = head;
    ep.txsync();
    sent += want;
  }
  return { sent, sum };
}

/**
 * Receives until the sender is done and everything it sent was read: the
 * pipe rows' receiver loop (pipe.ts, recvOn) on a switch port, which never
 * hangs up.
 */
function valeRecv(ctx: SideContext<ValeSide>): SideResult {
  const ep = openValePort(attachRegion(ctx.data.sab), ctx.data.portName);
  try {
    return recvOn(ctx, ep, false);
  } finally {
    ep.close();
  }
}
