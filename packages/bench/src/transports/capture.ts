/**
 * The capture rows (issue 11): capture-60b-null, capture-60b-tmpfs,
 * capture-1514b-null, capture-1514b-tmpfs. The CLI's capture (package
 * `pktfabric`: `capturePort` into a pcap `CaptureWriter`, the code behind
 * `pktfabric capture`) is the receiver of a pipe: the sender is
 * pipe-60b-frame's / pipe-1514b-frame's (pipe.ts: frames of 60 or 1514
 * bytes, each stamped with its sequence number), and the receiver opens the
 * pipe's other end as the consumer and captures every frame into
 * `/dev/null` or into a file on tmpfs (`/dev/shm`). So the rate is the
 * capture's throughput, and "vs low-level" (over the pipe row moving the same
 * frames to a receiver that only reads the stamps) is what capturing costs.
 *
 * The receiver waits with `pollAsync` and takes `burst` frames per batch,
 * as the tool does. Its count and checksum come from the file's bytes: the
 * sink reads back every record flushed (capture-sink.ts), so a frame lost,
 * cut or garbled on its way into the file fails the run.
 *
 * The file: the main thread opens it in `setup` and the receiver writes to
 * its descriptor (fds are the process's, shared by its threads); `release`
 * closes it whatever happened. The tmpfs file has a unique name per run and
 * is unlinked as soon as it is opened, so nothing is left in /dev/shm even
 * when a run fails or the bench is killed; it is truncated every
 * TMPFS_CAP_BYTES (capture-sink.ts) so a run does not fill /dev/shm. Where
 * /dev/shm is missing, not writable or short of room, the tmpfs rows are
 * skipped with the reason.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, statfsSync, unlinkSync } from 'node:fs';
import { attachRegion } from '@pktfabric/core';
import { openPort } from '@pktfabric/pipes';
import { MeasureWindow } from '../control.js';
import type { SideResult } from '../protocol.js';
import { defineTransport, type SetupContext, type Shared, type SideContext } from '../transport.js';
import { CheckingSink } from './capture-sink.js';
import { pipeSend, setupPipe, type PipeSide } from './pipe.js';

/** Where the tmpfs rows write. */
export const TMPFS_DIR = '/dev/shm';
/** Size past which the tmpfs file is truncated to 0 (bytes). */
export const TMPFS_CAP_BYTES = 256 << 20;

export interface CaptureSide extends PipeSide {
  /** The receiver's: the descriptor of the file it captures into. */
  fd?: number;
}

/** The family of the capture and replay rows in the chart. */
export const CAPTURE_FAMILY = { label: 'pktfabric capture / replay (CLI)', color: '#9467bd' };

export const captureTransport = defineTransport({
  name: 'capture',
  family: CAPTURE_FAMILY,
  unavailable: (caseName) => (isTmpfs(caseName) ? tmpfsUnavailable() : undefined),
  cases: [
    {
      name: 'capture-60b-null',
      work: 'frame',
      frameBytes: 60,
      mode: 'slots',
      lowLevel: 'pipe-60b-frame',
    },
    {
      name: 'capture-60b-tmpfs',
      work: 'frame',
      frameBytes: 60,
      mode: 'slots',
      lowLevel: 'pipe-60b-frame',
    },
    {
      name: 'capture-1514b-null',
      work: 'frame',
      frameBytes: 1514,
      mode: 'slots',
      lowLevel: 'pipe-1514b-frame',
    },
    {
      name: 'capture-1514b-tmpfs',
      work: 'frame',
      frameBytes: 1514,
      mode: 'slots',
      lowLevel: 'pipe-1514b-frame',
    },
  ],
  setup: setupCapture,
  run: (ctx) => (ctx.role === 'sender' ? pipeSend(ctx) : captureRecv(ctx)),
});

function isTmpfs(caseName: string): boolean {
  return caseName.endsWith('-tmpfs');
}

/**
 * Why the tmpfs rows cannot capture into `dir` here (missing, not writable,
 * under `needBytes` free), or undefined.
 */
export function tmpfsUnavailable(
  dir = TMPFS_DIR,
  needBytes = 2 * TMPFS_CAP_BYTES,
): string | undefined {
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return `${dir} is missing or not writable (no tmpfs to capture to)`;
  }
  const st = statfsSync(dir);
  const free = st.bavail * st.bsize;
  if (free < needBytes)
    return `${dir} has ${Math.floor(free / 2 ** 20)} MiB free, under the ${Math.ceil(needBytes / 2 ** 20)} MiB a capture row needs`;
  return undefined;
}

let runs = 0;

/** Opens the file a run captures into: /dev/null, or a fresh file on tmpfs, unlinked at once. */
function openCaptureFile(caseName: string): number {
  if (!isTmpfs(caseName)) return openSync('/dev/null', 'w');
  const path = `${TMPFS_DIR}/pktfabric-bench-${process.pid}-${++runs}-${randomBytes(4).toString('hex')}.pcap`;
  // 'ax': created here (never someone else's file), O_APPEND (writes follow a truncation).
  const fd = openSync(path, 'ax');
  try {
    unlinkSync(path);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}

function setupCapture(ctx: SetupContext): Shared<CaptureSide> {
  const fd = openCaptureFile(ctx.caseName);
  let shared: Shared<PipeSide>;
  try {
    shared = setupPipe(ctx);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return {
    sender: shared.sender,
    receiver: { data: { ...shared.receiver.data, fd } },
    started: shared.started!,
    release(ok) {
      try {
        closeSync(fd);
      } finally {
        shared.release!(ok);
      }
    },
  };
}

/**
 * Opens its end, calls `ready`, and captures with `capturePort` until it has
 * taken every frame the sender sent; returns what the file received.
 */
async function captureRecv(ctx: SideContext<CaptureSide>): Promise<SideResult> {
  // Loaded here only: the other transports' workers do not need the CLI.
  const { capturePort, CaptureWriter, FdSink } = await import('pktfabric');
  const { sab, portName, checks, fd } = ctx.data;
  const { control } = ctx;
  const ep = openPort(attachRegion(sab), portName, { checks });
  try {
    const sink = isTmpfs(ctx.caseName)
      ? new CheckingSink(new FdSink(fd!, false), fd!, TMPFS_CAP_BYTES)
      : new CheckingSink(new FdSink(fd!, false));
    const writer = new CaptureWriter(sink, { format: 'pcap' });
    const win = new MeasureWindow(control);
    const stop = new AbortController();
    ctx.ready();
    // onInterval runs in the capture's loop between batches (at most once a
    // ms): it moves the measuring window (the count and the time are read
    // together) and stops the capture once it took all the sender sent.
    const summary = await capturePort(ep, writer, {
      batch: ctx.burst,
      signal: stop.signal,
      intervalMs: 1,
      onInterval: (p) => {
        win.check(p.captured);
        const total = control.sentTotal();
        if (total >= 0 && p.captured >= total) stop.abort();
      },
    });
    if (summary.ended !== 'stopped')
      throw new Error(
        `${portName}: the capture ended (${summary.ended}) before the sender was done`,
      );
    win.close(summary.captured);
    control.markReceiverDone();
    return {
      role: 'receiver',
      packets: sink.packets,
      checksum: sink.checksum,
      kicks: ep.kicks,
      windowPackets: win.packets,
      windowSeconds: win.seconds,
    };
  } finally {
    ep.close();
  }
}
