/**
 * The replay rows (issue 11): replay-60b and replay-1514b. The CLI's replay
 * (package `pktfabric`: `replay` of a `prepareTrace`d capture into a
 * `portTarget`, the code behind `pktfabric replay`) is the sender of a pipe,
 * with no timing limit: the fastest the replayer goes. The receiver is
 * pipe-60b-frame's / pipe-1514b-frame's (pipe.ts), reading every frame's
 * stamp and len; "vs low-level" over that row (the same pipe and receiver,
 * a sender that only stamps its frames) is what replaying costs.
 *
 * The trace: TRACE_FRAMES frames of the case's size, frame i stamped i in
 * its first 32-bit word, all with one timestamp, written as a pcap file in
 * memory with the CLI's CaptureWriter and read back with readCaptureFile
 * (in the sender, before `ready`: not measured). Played with the `real`
 * model, every frame is due at once, so only the replayer and the pipe
 * set the rate. It is played round after round until STOP; replay copies
 * each frame into a slot (`sendBatch`), `burst` frames per batch, and waits
 * with `pollAsync` when the ring is full.
 *
 * Integrity: frames go out in trace order, so the k-th frame sent is frame
 * k mod TRACE_FRAMES; the sender computes the fold of what it sent from its
 * count (traceChecksum), and the receiver folds what it read.
 */
import { attachRegion } from '@pktfabric/core';
import { openPort } from '@pktfabric/pipes';
import { frameChecksum } from '../packet-work.js';
import type { SideResult } from '../protocol.js';
import { defineTransport, type SideContext } from '../transport.js';
import { CAPTURE_FAMILY } from './capture.js';
import { pipeRecv, setupPipe, type PipeSide } from './pipe.js';

/** Frames in the replayed trace. */
export const TRACE_FRAMES = 2048;
/** The trace's timestamp (s since the epoch); every frame has it. */
const TRACE_TIME_S = 1_700_000_000;

export const replayTransport = defineTransport({
  name: 'replay',
  family: CAPTURE_FAMILY,
  cases: [
    {
      name: 'replay-60b',
      work: 'frame',
      frameBytes: 60,
      mode: 'slots',
      lowLevel: 'pipe-60b-frame',
    },
    {
      name: 'replay-1514b',
      work: 'frame',
      frameBytes: 1514,
      mode: 'slots',
      lowLevel: 'pipe-1514b-frame',
    },
  ],
  setup: setupPipe,
  run: (ctx) => (ctx.role === 'sender' ? replaySend(ctx) : pipeRecv(ctx)),
});

/**
 * The fold of the checksums of the first `sent` frames of a trace of
 * `frames` frames of `len` bytes played round after round (frame i stamped
 * i): each frame counted as often as it went out.
 */
export function traceChecksum(frames: number, len: number, sent: number): number {
  const rounds = Math.floor(sent / frames);
  const rest = sent - rounds * frames;
  let sum = 0;
  for (let i = 0; i < frames; i++)
    sum = (sum + Math.imul(rounds + (i < rest ? 1 : 0), frameChecksum(i, len))) | 0;
  return sum;
}

/**
 * Opens its end, prepares the trace, calls `ready`, and replays until STOP;
 * marks itself done and waits for the receiver.
 */
async function replaySend(ctx: SideContext<PipeSide>): Promise<SideResult> {
  // Loaded here only: the other transports' workers do not need the CLI.
  const cli = await import('pktfabric');
  const { sab, portName, checks } = ctx.data;
  const { control, packetSize: len } = ctx;
  const ep = openPort(attachRegion(sab), portName, { checks });
  try {
    // The trace, as a pcap file in memory, read back as replay reads a file.
    const mem = new cli.MemorySink();
    const writer = new cli.CaptureWriter(mem, { format: 'pcap' });
    const frame = new Uint8Array(len);
    for (let b = 4; b < len; b++) frame[b] = (b * 7 + 3) & 0xff;
    const stamp = new Uint32Array(frame.buffer, 0, 1);
    writer.setTime(TRACE_TIME_S, 0);
    for (let i = 0; i < TRACE_FRAMES; i++) {
      stamp[0] = i;
      writer.record(frame);
    }
    writer.finish();
    const prepared = cli.prepareTrace(cli.readCaptureFile(mem.bytes()), ep.maxPacketBytes);
    const stop = new AbortController();
    ctx.ready();
    const summary = await cli.replay(cli.portTarget(ep), prepared, {
      bandwidth: { kind: 'real', speedup: 1 },
      rounds: Number.MAX_SAFE_INTEGER,
      burst: ctx.burst,
      signal: stop.signal,
      // Runs in the replay loop between batches (at most once a ms).
      intervalMs: 1,
      onInterval: () => {
        if (control.stopped()) stop.abort();
      },
    });
    if (summary.ended !== 'stopped' || summary.lost !== 0)
      throw new Error(
        `${portName}: the replay ended (${summary.ended}, ${summary.lost} lost) before STOP`,
      );
    const sent = summary.sent;
    control.markSenderDone(sent);
    // Stay open until the receiver drained everything, so closing cannot race it.
    control.waitReceiverDone();
    return {
      role: 'sender',
      packets: sent,
      checksum: traceChecksum(TRACE_FRAMES, len, sent),
      kicks: ep.kicks,
      windowPackets: 0,
      windowSeconds: 0,
    };
  } finally {
    ep.close();
  }
}
