/**
 * Entry of a helper worker (loaded from dist as helper-worker.js), the third
 * thread some cases start in their transport's `setup` (transports/helper.ts):
 *
 * - `vale-sender`: a second sender into the switch (vale-2to1-64b), the
 *   same loop and work as the engine's sender (vale.ts, sendBatches);
 * - `monitor-drain`: opens a copy monitor of the sending port and drains it
 *   with an rxsync loop that naps between looks, counting packets
 *   (vale-64b-rw-monitored);
 * - `monitor-capture`: opens a copy monitor of the sending port and
 *   captures it as pcap to /dev/null with the CLI's capture
 *   (`capturePort`, `CaptureWriter`, `FdSink`; pipe-64b-rw-captured).
 *
 * It follows the aux block's handshake (helper.ts) and, on an error, sets
 * ABORT and posts `{ error }`.
 */
import { attachRegion, ringSpace, type Port } from '@pktfabric/core';
import {
  MAX_VALE_SLOTS,
  monitorDrops,
  openMonitor,
  openValePort,
  RoomGauge,
  setLookup,
} from '@pktfabric/vale';
import { parentPort, workerData } from 'node:worker_threads';
import { CONTROL_POLL_MS } from './control.js';
import { BenchCaseError } from './errors.js';
import { makeWork } from './packet-work.js';
import {
  AUX_ABORT,
  AUX_DONE,
  AUX_F_DROPS,
  AUX_F_PACKETS,
  AUX_GO,
  AUX_OPENED,
  AUX_READY,
  AUX_STOP,
  AUX_SUM,
  auxViews,
  raise,
  waitFlag,
  type HelperInit,
} from './transports/helper.js';
import { sendBatches, SWITCH, toReceiver } from './transports/vale.js';

/** Where the second sender's sequence numbers start (the first sender's start at 0). */
const SEQ0 = 0x40000000;

const init = workerData as HelperInit;
const aux = auxViews(init.aux);
/** STOP, or ABORT (the run failed and `release` is ending this worker). */
const stop = {
  stopped: (): boolean =>
    Atomics.load(aux.i32, AUX_STOP) !== 0 || Atomics.load(aux.i32, AUX_ABORT) !== 0,
};

function secondSender(): void {
  const region = attachRegion(init.sab);
  const ep = openValePort(region, init.portName);
  try {
    setLookup(region, SWITCH, toReceiver);
    const gauge = new RoomGauge(region, init.roomPort!);
    const work = makeWork('64b-rw', region.u8);
    raise(aux, AUX_READY);
    waitFlag(aux, AUX_GO, init.caseName, 'the run to start');
    const { sent, sum } = sendBatches(
      region,
      ep,
      gauge,
      work,
      init.burst,
      init.margin!,
      stop,
      SEQ0,
    );
    aux.f64[AUX_F_PACKETS] = sent;
    Atomics.store(aux.i32, AUX_SUM, sum);
  } finally {
    ep.close();
  }
}

/** Gives back every slot of the monitor's ring; returns how many there were. */
function takeAll(mon: Port): number {
  const rx = mon.rxRings[0]!;
  const n = ringSpace(rx.head, rx.tail, rx.numSlots);
  rx.head = rx.cur = rx.tail;
  return n;
}

/**
 * How long the monitor drainer naps between looks, ms. It does not poll: a
 * drainer registered as a sleeper would have the monitored port's sync wake
 * it for every batch, and a spinning one would take a core from the two
 * sides on this two-core machine. Its MAX_VALE_SLOTS-slot monitor ring holds
 * about 500 us of 64-byte traffic at 8 Mpps, so a 0.4 ms nap keeps up (what
 * it misses would be counted as the monitor's drops, and `release` checks
 * seen + dropped = sent). Measured 2026-11-30, Node 20: 0.2 ms gave the
 * monitored row about 0.74x the unmonitored one, 0.4 ms 0.78x.
 */
const DRAIN_NAP_MS = 0.4;

function drainMonitor(): void {
  waitFlag(aux, AUX_OPENED, init.caseName, 'the sender to open its port');
  const mon = openMonitor(attachRegion(init.sab), init.portName, { slots: MAX_VALE_SLOTS });
  const nap = new Int32Array(new SharedArrayBuffer(4));
  try {
    raise(aux, AUX_READY);
    let seen = 0;
    for (;;) {
      // STOP is set after the sender's last txsync: a sync after it sees everything.
      const last = stop.stopped();
      mon.rxsync();
      const n = takeAll(mon);
      seen += n;
      if (n === 0 && last) break;
      Atomics.wait(nap, 0, 0, DRAIN_NAP_MS);
    }
    mon.rxsync();
    aux.f64[AUX_F_PACKETS] = seen;
    aux.f64[AUX_F_DROPS] = monitorDrops(mon);
  } finally {
    mon.close();
  }
}

async function captureMonitor(): Promise<void> {
  // Loaded here only: the other helpers do not need the CLI.
  const { capturePort, CaptureWriter, FdSink } = await import('pktfabric');
  waitFlag(aux, AUX_OPENED, init.caseName, 'the sender to open its port');
  const mon = openMonitor(attachRegion(init.sab), init.portName);
  try {
    const writer = new CaptureWriter(FdSink.open('/dev/null'), { format: 'pcap' });
    const ac = new AbortController();
    const watch = setInterval(() => {
      if (stop.stopped()) ac.abort();
    }, CONTROL_POLL_MS);
    raise(aux, AUX_READY);
    let summary;
    try {
      summary = await capturePort(mon, writer, { signal: ac.signal, batch: init.burst });
    } finally {
      clearInterval(watch);
    }
    // What the capture had not taken when it was stopped: counted, not written.
    let rest = 0;
    for (;;) {
      mon.rxsync();
      const n = takeAll(mon);
      if (n === 0) break;
      rest += n;
    }
    aux.f64[AUX_F_PACKETS] = summary.captured + rest;
    aux.f64[AUX_F_DROPS] = summary.dropped;
  } finally {
    mon.close();
  }
}

try {
  if (init.kind === 'vale-sender') secondSender();
  else if (init.kind === 'monitor-drain') drainMonitor();
  else if (init.kind === 'monitor-capture') await captureMonitor();
  else
    throw new BenchCaseError(init.caseName, 'worker-error', `unknown helper ${String(init.kind)}`);
  raise(aux, AUX_DONE);
} catch (e) {
  raise(aux, AUX_ABORT);
  parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
