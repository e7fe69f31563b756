/**
 * bridge's command line (commander): forwards between two ports of shared
 * regions (opened by name with @pktfabric/shm), both ways (or the one way a
 * one-way port allows), until Ctrl-C or --duration. `bridgeCli` is the
 * program as a function, so tests run it in-process on regions they hold;
 * `pktfabric bridge` runs it with an opener that also knows network ports.
 */
import { Command, InvalidArgumentError } from 'commander';
import { PktfabricError, type Port, type Region } from '@pktfabric/core';
import { bridgeWays, runBridge, sameRegion } from '../bridge.js';
import { BridgePortError } from '../errors.js';
import { openToolPort } from '../open-named.js';
import { parseTool } from './parse.js';

/** What the bridge tells a port opener besides the region and the name. */
export interface BridgeOpenOptions {
  /** The name the port's region was opened by (--region / --region-b): an opener whose port is served by another thread opens it by this name. */
  regionName: string;
}

export interface BridgeIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Opens a region by name. @defaultValue @pktfabric/shm's openSharedRegion */
  openRegion?: (name: string) => Region | Promise<Region>;
  /**
   * Opens a port by name in a region. `pktfabric bridge` passes the tools'
   * openNamedPort (@pktfabric/examples), which opens network ports
   * (`zmq:...`) too. @defaultValue openToolPort (ports of the region only; a
   * `zmq:` name is a BridgePortError)
   */
  open?: (region: Region, name: string, opts: BridgeOpenOptions) => Port | Promise<Port>;
  /** Closes a port `open` opened (and waits for what it needs, e.g. a network port's I/O worker). @defaultValue port.close() */
  close?: (port: Port) => void | Promise<void>;
  /** Stops the bridge (the CLI wires SIGINT to it). */
  signal?: AbortSignal;
}

/** The default opener: ports of the region; a network port name is refused with the tool that opens it. */
function openRegionPort(region: Region, name: string): Port {
  if (name.startsWith('zmq:')) throw new BridgePortError(name);
  return openToolPort(region, name);
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
    .option(
      '-i, --interface <port>',
      'a port: vale0:p1, pipe}1, ... (give it twice); network ports zmq:... with `pktfabric bridge`',
      collect,
      [],
    )
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
        '  bridge --region a --region-b b -i vale0:x -i vale0:y   copying between two regions\n' +
        '  pktfabric bridge --region demo -i vale0:up -i zmq:tcp://127.0.0.1:5555@out\n' +
        '      to a network port (@out: this way only, @in: from it only, @both: both ways);\n' +
        '      network ports need `pktfabric bridge`, this command opens ports of a region only\n',
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
  const close = io.close ?? ((p: Port) => void p.close());
  try {
    const openRegion =
      io.openRegion ?? (async (n: string) => (await import('@pktfabric/shm')).openSharedRegion(n));
    const openPort = io.open ?? openRegionPort;
    const ra = await openRegion(o.region);
    const rb = o.regionB === undefined ? ra : await openRegion(o.regionB);
    ports.push(await openPort(ra, o.interface[0]!, { regionName: o.region }));
    ports.push(await openPort(rb, o.interface[1]!, { regionName: o.regionB ?? o.region }));
    const [a, b] = ports as [Port, Port];
    const ways = bridgeWays(a, b);
    const ac = new AbortController();
    io.signal?.addEventListener('abort', () => ac.abort(), { once: true });
    if (io.signal?.aborted === true) ac.abort();
    const timer = o.duration === undefined ? null : setTimeout(() => ac.abort(), o.duration * 1000);
    // Labelled with the names given (a network port is a pipe end named pipe{N underneath).
    const na = o.interface[0]!;
    const nb = o.interface[1]!;
    const arrow = ways.aToB && ways.bToA ? '<->' : ways.aToB ? '->' : '<-';
    io.err(
      `bridge: ${na} ${arrow} ${nb} (${sameRegion(a, b) ? 'swapping buffers' : 'copying'}${arrow === '<->' ? '' : ', one way'})\n`,
    );
    const totals = (x: number, y: number, sep: string): string =>
      (ways.aToB ? `${na} -> ${nb}: ${x} slots` : '') +
      (ways.aToB && ways.bToA ? sep : '') +
      (ways.bToA ? `${nb} -> ${na}: ${y} slots` : '');
    const t0 = performance.now();
    const r = await runBridge(a, b, {
      burst: o.burst,
      signal: ac.signal,
      reportMs: o.report,
      onReport: (x, y) =>
        io.err(
          `bridge: ${((performance.now() - t0) / 1000).toFixed(1)} s  ${totals(x, y, '  ')}\n`,
        ),
    });
    if (timer !== null) clearTimeout(timer);
    io.out(`${totals(r.aToB, r.bToA, '\n')}\n`);
    return 0;
  } catch (e) {
    const msg = e instanceof PktfabricError ? `${e.name}: ${e.message}` : String(e);
    io.err(`bridge: ${msg}\n`);
    return 1;
  } finally {
    for (const p of ports) {
      try {
        await close(p);
      } catch (e) {
        io.err(`bridge: closing ${p.name}: ${String(e)}\n`);
      }
    }
  }
}
