/**
 * The worker one stage replica runs in: exposes its control API
 * (stage-api.ts) to the coordinator with comlink over the worker's port.
 */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { nodeEndpoint } from '../util/comlink-endpoint.js';
import { createStageApi } from './stage-api.js';

Comlink.expose(createStageApi(), nodeEndpoint(parentPort!));
