/**
 * The seed of a seeded test file: `PKTF_SEED` when set, else a random one,
 * printed once so that a failing run can be replayed with
 * `PKTF_SEED=<seed> npx vitest run <file>`.
 *
 * Module state is per test file: vitest evaluates the modules a test file
 * imports afresh for each file (`isolate`, the default).
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

let fileSeed: number | null = null;
const announced = new Set<number>();

/** `PKTF_SEED` as an unsigned 32-bit integer, or null when it is unset or empty. */
export function envSeed(): number | null {
  const env = process.env['PKTF_SEED'];
  if (env === undefined || env === '') return null;
  const n = Number(env);
  if (!Number.isFinite(n)) throw new Error(`PKTF_SEED=${env} is not a number`);
  return n >>> 0;
}

function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/**
 * The test file's seed: `PKTF_SEED` when set, else one random 32-bit value
 * drawn at the first call (later calls in the file return the same one).
 * Announced with `announceSeed`; `testUrl` (the test file's
 * `import.meta.url`) names the file in that line.
 */
export function testSeed(testUrl?: string | URL): number {
  fileSeed ??= envSeed() ?? randomSeed();
  announceSeed(fileSeed, testUrl);
  return fileSeed;
}

/**
 * `count` independent seeds for a file that runs one case per seed, or only
 * `[PKTF_SEED]` when it is set (to replay the case that failed). Each one is
 * announced with `announceSeed`.
 */
export function testSeeds(count: number, testUrl?: string | URL): number[] {
  const env = envSeed();
  const seeds = env !== null ? [env] : Array.from({ length: count }, randomSeed);
  for (const s of seeds) announceSeed(s, testUrl);
  return seeds;
}

/**
 * Prints `[<file>: ]seed=<seed> (re-run with PKTF_SEED=<seed>)`, once per
 * seed and test file.
 */
export function announceSeed(seed: number, testUrl?: string | URL): void {
  if (announced.has(seed)) return;
  announced.add(seed);
  const file = testUrl === undefined ? '' : `${basename(fileURLToPath(testUrl))}: `;
  console.log(`${file}seed=${seed} (re-run with PKTF_SEED=${seed})`);
}
