/**
 * The captured pipe (case pipe-64b-rw-captured): pipe-64b-rw (the same
 * region, pipe, ring-API loops and work, pipe.ts) with a copy monitor
 * `pipe{1/t` on the sender's end, opened by a third thread the setup starts
 * (helper.ts) and captured as pcap to /dev/null with the CLI's capture
 * (`capturePort` + `CaptureWriter` + `FdSink`, package `pktfabric`). The
 * copies are made in the sender's txsync; a full monitor ring counts drops
 * and never holds the sender back. Beside pipe-64b-rw it is the monitored
 * port's rate with and without capture (issue 11). `release` checks that the
 * capture saw, or counted as dropped, every packet sent.
 */
import { attachRegion } from '@pktfabric/core';
import { openPort } from '@pktfabric/pipes';
import type { SideResult } from '../protocol.js';
import { defineTransport, type SetupContext, type Shared, type SideContext } from '../transport.js';
import {
  AUX_DONE,
  AUX_F_SENT,
  AUX_OPENED,
  AUX_READY,
  AUX_STOP,
  auxViews,
  checkMonitorHelper,
  createAux,
  raise,
  startHelper,
  waitFlag,
} from './helper.js';
import { pipeRecv, sendOn, setupPipe, type PipeSide } from './pipe.js';

export interface CapturedPipeSide extends PipeSide {
  /** The sender's: the aux block shared with the capturing thread. */
  aux?: SharedArrayBuffer;
}

export const pipeCapturedTransport = defineTransport({
  name: 'pipe-captured',
  family: { label: 'pktfabric pipe', color: '#1f77b4' },
  cases: [{ name: 'pipe-64b-rw-captured', work: '64b-rw', mode: 'slots' }],
  setup: setupCaptured,
  run: (ctx) => (ctx.role === 'sender' ? capturedSend(ctx) : pipeRecv(ctx)),
});

function setupCaptured(ctx: SetupContext): Shared<CapturedPipeSide> {
  const shared = setupPipe(ctx);
  const aux = createAux();
  const sab = shared.sender.data.sab as SharedArrayBuffer;
  const helper = startHelper(
    {
      kind: 'monitor-capture',
      caseName: ctx.caseName,
      sab,
      portName: `${shared.sender.data.portName}/t`,
      burst: ctx.burst,
    },
    aux,
  );
  return {
    sender: { data: { ...shared.sender.data, aux } },
    receiver: shared.receiver,
    started: shared.started!,
    release(ok) {
      // The monitor closes before the pipe is destroyed and its buffers counted.
      try {
        checkMonitorHelper(ctx.caseName, helper, ok);
      } finally {
        shared.release!(ok);
      }
    },
  };
}

/** pipe.ts's sender, with the capturing thread's handshake around it. */
function capturedSend(ctx: SideContext<CapturedPipeSide>): SideResult {
  const { sab, portName, checks } = ctx.data;
  const aux = auxViews(ctx.data.aux!);
  const ep = openPort(attachRegion(sab), portName, { checks });
  try {
    raise(aux, AUX_OPENED);
    waitFlag(aux, AUX_READY, ctx.caseName, 'the capture to open its monitor');
    const result = sendOn(ctx, ep);
    aux.f64[AUX_F_SENT] = result.packets;
    raise(aux, AUX_STOP);
    waitFlag(aux, AUX_DONE, ctx.caseName, 'the capture to finish');
    return result;
  } finally {
    ep.close();
  }
}
