/**
 * Allocator benchmark: nanoseconds per buffer for allocBufs/freeBufs in bulk
 * (batches of 256 and 1024) and for allocBuf/freeBuf one at a time, against
 * `new Uint8Array(bufSize)` measured in the same run. Each repetition drains
 * the whole pool and refills it; the table shows the median (and the best)
 * over the repetitions and the ratio to the baseline.
 *
 *   npm run bench                 # in packages/core, after a build
 *   npm run bench -- --quick      # a few-second smoke run
 *   npm run bench -- --reps 15 --buffers 65536 --buf-size 2048
 *
 * Not a test: numbers depend on the machine and on what else runs on it.
 */
import { createRegion, type Region } from '../src/index.js';

interface Args {
  reps: number;
  buffers: number;
  bufSize: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { reps: 9, buffers: 32768, bufSize: 2048 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${k} needs a positive integer`);
      return v;
    };
    if (k === '--quick') {
      a.reps = 3;
      a.buffers = 4096;
    } else if (k === '--reps') a.reps = num();
    else if (k === '--buffers') a.buffers = num();
    else if (k === '--buf-size') a.bufSize = num();
    else if (k === '--help' || k === '-h') {
      console.log('usage: main.js [--quick] [--reps N] [--buffers N] [--buf-size BYTES]');
      process.exit(0);
    } else throw new Error(`unknown argument ${k} (try --help)`);
  }
  if (a.buffers % 1024 !== 0) throw new Error('--buffers must be a multiple of 1024');
  return a;
}

const now = (): bigint => process.hrtime.bigint();

/** ns per buffer of one timed section. */
type Sample = number;

interface Row {
  name: string;
  samples: Sample[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Drain the pool in batches of `batch`, then refill it in batches of `batch`. */
function bulk(r: Region, n: number, batch: number, held: Uint32Array): [Sample, Sample] {
  const t0 = now();
  for (let at = 0; at < n; at += batch) {
    if (r.allocBufs(batch, held, at) !== batch) throw new Error('pool ran dry');
  }
  const t1 = now();
  for (let at = 0; at < n; at += batch) r.freeBufs(held, batch, at);
  const t2 = now();
  return [Number(t1 - t0) / n, Number(t2 - t1) / n];
}

function single(r: Region, n: number, held: Uint32Array): [Sample, Sample] {
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const idx = r.allocBuf();
    if (idx === 0) throw new Error('pool ran dry');
    held[i] = idx;
  }
  const t1 = now();
  for (let i = 0; i < n; i++) r.freeBuf(held[i]!);
  const t2 = now();
  return [Number(t1 - t0) / n, Number(t2 - t1) / n];
}

/** The baseline: a fresh, garbage-collected Uint8Array per packet, kept alive until the round ends. */
function baseline(n: number, bufSize: number, keep: (Uint8Array | null)[]): Sample {
  const t0 = now();
  for (let i = 0; i < n; i++) keep[i] = new Uint8Array(bufSize);
  const t1 = now();
  keep.fill(null);
  return Number(t1 - t0) / n;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const { reps, buffers: n, bufSize } = args;
  const r = createRegion({ bufSize, bufCount: n + 2, ringCount: 2, ifCount: 2, memId: 1 });
  const held = new Uint32Array(n);
  const keep = new Array<Uint8Array | null>(n).fill(null);

  const rows: Row[] = [
    'new Uint8Array(bufSize)',
    'allocBufs(256)',
    'freeBufs(256)',
    'allocBufs+freeBufs(256)',
    'allocBufs(1024)',
    'freeBufs(1024)',
    'allocBufs+freeBufs(1024)',
    'allocBuf',
    'freeBuf',
    'allocBuf+freeBuf',
  ].map((name) => ({ name, samples: [] }));
  const add = (name: string, s: Sample): void => {
    rows.find((x) => x.name === name)!.samples.push(s);
  };

  console.log(
    `core allocator bench: ${n} buffers of ${bufSize} B, ${reps} repetitions (+1 warm-up), node ${process.version}`,
  );
  for (let rep = -1; rep < reps; rep++) {
    const base = baseline(n, bufSize, keep);
    const [a256, f256] = bulk(r, n, 256, held);
    const [a1k, f1k] = bulk(r, n, 1024, held);
    const [a1, f1] = single(r, n, held);
    if (r.bufPool.countFree() !== n) throw new Error('bench leaked buffers');
    if (rep < 0) continue; // warm-up
    add('new Uint8Array(bufSize)', base);
    add('allocBufs(256)', a256);
    add('freeBufs(256)', f256);
    add('allocBufs+freeBufs(256)', a256 + f256);
    add('allocBufs(1024)', a1k);
    add('freeBufs(1024)', f1k);
    add('allocBufs+freeBufs(1024)', a1k + f1k);
    add('allocBuf', a1);
    add('freeBuf', f1);
    add('allocBuf+freeBuf', a1 + f1);
  }

  const baseMedian = median(rows[0]!.samples);
  const table = rows.map((row) => {
    const med = median(row.samples);
    return {
      operation: row.name,
      'ns/buffer (median)': med.toFixed(1),
      'ns/buffer (best)': Math.min(...row.samples).toFixed(1),
      // > 1: faster than allocating a Uint8Array per packet
      'speed vs Uint8Array': `${(baseMedian / med).toFixed(2)}x`,
    };
  });
  console.table(table);
}

main();
