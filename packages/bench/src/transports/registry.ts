/**
 * The registered transports. A new transport is one file under transports/
 * (a `defineTransport({ name, family, cases, setup, run })`, see
 * ../transport.ts) plus its entry here. The order of this list is the order
 * of the cases in the report, the chart and bench-results.json.
 */
import { handRingTransport } from './hand-ring.js';
import { captureTransport } from './capture.js';
import { memcpyTransport } from './memcpy.js';
import { messageChannelTransferTransport } from './messagechannel-transfer.js';
import { netRttTransport, zmqRawRttTransport } from './net-rtt.js';
import { netTransport, zmqRawTransport } from './net.js';
import { pipeCapturedTransport } from './pipe-captured.js';
import { pipeEasyTransport } from './pipe-easy.js';
import { pipeProcessTransport } from './pipe-process.js';
import { pipeRttTransport } from './pipe-rtt.js';
import { pipeFrameTransport, pipeTransport } from './pipe.js';
import { postMessageBatchTransport } from './postmessage-batch.js';
import { postMessageTransport } from './postmessage.js';
import { replayTransport } from './replay.js';
import { spinRingTransport } from './spin-ring.js';
import { valeTransport } from './vale.js';

export const TRANSPORTS = [
  pipeTransport,
  pipeEasyTransport,
  postMessageTransport,
  postMessageBatchTransport,
  messageChannelTransferTransport,
  handRingTransport,
  spinRingTransport,
  memcpyTransport,
  pipeRttTransport,
  pipeProcessTransport,
  valeTransport,
  pipeCapturedTransport,
  pipeFrameTransport,
  captureTransport,
  replayTransport,
  netTransport,
  zmqRawTransport,
  netRttTransport,
  zmqRawRttTransport,
] as const;
