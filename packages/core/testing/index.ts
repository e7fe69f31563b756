/**
 * The shared test harness of the pktfabric packages (`@pktfabric/core/testing`):
 * seeds, hang-guarded waits, worker fixtures, errors across threads, and
 * buffer conservation. For tests only; nothing under src/ imports it.
 * Worker fixtures import `@pktfabric/core/testing/errors` instead, which does
 * not load vitest.
 */
export { announceSeed, envSeed, testSeed, testSeeds } from './seed.js';
export {
  HANG_GUARD_MS,
  HangError,
  nextTurn,
  waitFor,
  waitForWord,
  type WaitOptions,
} from './wait-for.js';
export {
  errorMessage,
  serializeError,
  WorkerError,
  type ErrorMessage,
  type SerializedError,
} from './errors.js';
export {
  fixtureUrl,
  FixtureWorker,
  NEXT_TIMEOUT_MS,
  type FixtureOptions,
} from './fixture-worker.js';
export { expectConserved, markPools, type PoolMark } from './conservation.js';
