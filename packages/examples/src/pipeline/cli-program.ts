/** pktfabric-pipeline's command line (commander). See cli.ts. */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { StageError } from '../errors.js';
import { createPipeline } from './pipeline.js';
import { formatResult, formatSnapshot } from './report.js';

function int(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return Number(v);
  };
}

export function buildProgram(): Command {
  return new Command('pktfabric-pipeline')
    .description(
      'Runs a packet pipeline: each stage in its own worker (or, with --processes, its own process), joined by pktfabric pipes.\n' +
        '  pktfabric-pipeline "gen size=60 count=1000000 | swap-mac x2 | filter udp.dport=9 | count"\n' +
        '  pktfabric-pipeline --processes "gen count=1000000 | swap-mac | count"\n' +
        'Stages: gen, count, drop, swap-mac, filter FIELD=V | FIELD!=V, checksum, sink, ./module.js\n' +
        'Across hosts: end with zmq-out endpoint=tcp://*:5555, start with zmq-in endpoint=tcp://HOST:5555',
    )
    .argument('[spec...]', 'the pipeline (text form), or JSON text')
    .option('-f, --file <spec.json>', 'read a JSON spec from a file')
    .option('--slots <n>', 'slots per ring of every pipe (power of two)', int('--slots'), 1024)
    .option('-b, --burst <n>', 'packets per batch', int('--burst'), 512)
    .option('-T, --interval <ms>', 'live report interval, 0 = none', int('-T'), 1000)
    .option('--json', 'print the final result as JSON instead of a table')
    .option(
      '--processes',
      'run each stage replica in its own OS process over a region shared by name (Linux) instead of a worker thread',
    )
    .showHelpAfterError();
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.parse(argv);
  const a = program.opts<{
    file?: string;
    slots: number;
    burst: number;
    interval: number;
    json?: boolean;
    processes?: boolean;
  }>();
  const words = program.args;
  let spec: string;
  if (a.file !== undefined) {
    if (words.length > 0) program.error('pktfabric-pipeline: give a spec or --file, not both');
    spec = readFileSync(a.file, 'utf8');
  } else if (words.length > 0) spec = words.join(' ');
  else
    return program.error('pktfabric-pipeline: give a pipeline spec, e.g. "gen count=1000 | count"');
  const ac = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\npktfabric-pipeline: stopping (Ctrl-C again to quit at once)\n');
      ac.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  try {
    const p = await createPipeline(spec, {
      slots: a.slots,
      burst: a.burst,
      statsIntervalMs: a.interval,
      processes: a.processes === true,
      signal: ac.signal,
      onStats: (snap) => {
        for (const l of formatSnapshot(snap)) process.stdout.write(`${l}\n`);
      },
    });
    p.start();
    const r = await p.done;
    process.stdout.write(
      a.json === true ? `${JSON.stringify(r, null, 2)}\n` : `${formatResult(r)}\n`,
    );
    if (!r.buffersConserved) {
      process.stderr.write('pktfabric-pipeline: warning: not every buffer returned to the pool\n');
      return 1;
    }
    return 0;
  } catch (e) {
    if (e instanceof StageError) {
      process.stderr.write(`pktfabric-pipeline: ${e.message}\n`);
      if (e.cause.stack !== undefined) process.stderr.write(`${e.cause.stack}\n`);
    } else
      process.stderr.write(`pktfabric-pipeline: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
