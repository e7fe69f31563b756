/**
 * The process one stage replica runs in (`--processes`, forked by the
 * coordinator from dist): exposes its control API (stage-api.ts) with
 * comlink over the IPC channel. It opens the region shared by processes by
 * name at init. When the coordinator goes away (the channel closes) it stops
 * at once (what it holds is closed as it ends), and exits. Ctrl-C is the
 * coordinator's to handle.
 */
import * as Comlink from 'comlink';
import { processEndpoint } from '../util/comlink-endpoint.js';
import { createStageApi } from './stage-api.js';

const api = createStageApi();
process.once('disconnect', () => api.stop(2));
// Ctrl-C reaches the whole process group: the coordinator handles it (it
// stops the stages in order and prints the totals); a second one makes it
// exit, which closes this channel.
process.on('SIGINT', () => {});
Comlink.expose(api, processEndpoint());
