/**
 * bridge's command line (commander): forwards between two ports of shared
 * regions (opened by name with @pktfabric/shm), both ways, until Ctrl-C or
 * --duration. `bridgeCli` is the program as a function, so tests run it
 * in-process on regions they hold.
 */
import { Command, InvalidArgumentError } from 'commander';
import { PktfabricError, type Port, type Region } from '@pktfabric/core';
import { runBridge, sameRegion } from '../bridge.js';
import { openToolPort } from '../open-named.js';
import { parseTool } from './parse.js';

export interface BridgeIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Opens a region by name. @defaultValue @pktfabric/shm's openSharedRegion */
  openRegion?: (name: string) => Region | Promise<Region>;
  /** Stops the bridge (the CLI wires SIGINT to it). */
  signal?: AbortSignal;
}

function regionName(v: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(v))
    throw new InvalidArgumentError('must be 1 to 64 of A-Z a-z 0-9 . _ -');
  return v;
}

function positive(name: string) {
  return (v: string): number => {
    if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0)
      throw new InvalidArgumentError(`${name} must be a positive number`);
    return Number(v);
  };
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function buildProgram(): Command {
  return new Command('bridge')
    .description(
      'Forwards packets between two pktfabric ports, both ways (netmap bridge): buffers are swapped when both ports are in one region, copied otherwise.',
    )
    .requiredOption(
      '--region <name>',
      'the shared region of the first port (and of the second unless --region-b)',
      regionName,
    )
    .option('--region-b <name>', 'the shared region of the second port', regionName)
    .option('-i, --interface <port>', 'a port: vale0:p1, pipe}1, ... (give it twice)', collect, [])
    .option('-b, --burst <slots>', 'slots moved per ring per pass', positive('--burst'), 512)
    .option(
      '-T, --report <ms>',
      'progress line interval in milliseconds',
      positive('--report'),
      1000,
    )
    .option(
      '--duration <s>',
      'stop after this many seconds (default: until Ctrl-C)',
      positive('--duration'),
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  bridge --region demo -i vale0:up -i pipe}1            zero copy (one region)\n' +
        '  bridge --region a --region-b b -i vale0:x -i vale0:y   copying between two regions\n',
    );
}

/** Runs the bridge with `argv` (without node and script). Returns the exit code. */
export async function bridgeCli(argv: readonly string[], io: BridgeIo): Promise<number> {
  const prog = buildProgram();
  const exit = parseTool(prog, argv, io);
  if (exit !== null) return exit;
  const o = prog.opts<{
    region: string;
    regionB?: string;
    interface: string[];
    burst: number;
    report: number;
    duration?: number;
  }>();
  if (o.interface.length !== 2) {
    io.err('bridge: give exactly two ports with -i (see --help)\n');
    return 1;
  }
  const ports: Port[] = [];
  try {
    const open =
      io.openRegion ?? (async (n: string) => (await import('@pktfabric/shm')).openSharedRegion(n));
    const ra = await open(o.region);
    const rb = o.regionB === undefined ? ra : await open(o.regionB);
    ports.push(openToolPort(ra, o.interface[0]!));
    ports.push(openToolPort(rb, o.interface[1]!));
    const [a, b] = ports as [Port, Port];
    const ac = new AbortController();
    io.signal?.addEventListener('abort', () => ac.abort(), { once: true });
    if (io.signal?.aborted === true) ac.abort();
    const timer = o.duration === undefined ? null : setTimeout(() => ac.abort(), o.duration * 1000);
    io.err(
      `bridge: ${a.name} <-> ${b.name} (${sameRegion(a, b) ? 'swapping buffers' : 'copying'})\n`,
    );
    const t0 = performance.now();
    const r = await runBridge(a, b, {
      burst: o.burst,
      signal: ac.signal,
      reportMs: o.report,
      onReport: (x, y) =>
        io.err(
          `bridge: ${((performance.now() - t0) / 1000).toFixed(1)} s  ${a.name} -> ${b.name} ${x}  ${b.name} -> ${a.name} ${y}\n`,
        ),
    });
    if (timer !== null) clearTimeout(timer);
    io.out(`${a.name} -> ${b.name}: ${r.aToB} slots\n${b.name} -> ${a.name}: ${r.bToA} slots\n`);
    return 0;
  } catch (e) {
    const msg = e instanceof PktfabricError ? `${e.name}: ${e.message}` : String(e);
    io.err(`bridge: ${msg}\n`);
    return 1;
  } finally {
    for (const p of ports) p.close();
  }
}
