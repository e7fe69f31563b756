/** pktgen's command line: options (commander) and the run. See cli.ts. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { createRegion, OptionError } from '@pktfabric/core';
import { isNetName } from '@pktfabric/net';
import type { PktgenEvent } from './events.js';
import { PEER_MODE, PKTGEN_MODES, type PktgenMode } from './options.js';
import { formatInterval, formatSummary } from './report.js';
import { runPktgen, runPktgenPair, runPktgenShared } from './run.js';

function int(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return Number(v);
  };
}

function mode(v: string): PktgenMode {
  if (!(PKTGEN_MODES as readonly string[]).includes(v))
    throw new InvalidArgumentError(`must be one of ${PKTGEN_MODES.join(', ')}`);
  return v as PktgenMode;
}

function pair(v: string): [PktgenMode, PktgenMode] {
  const parts = v.split(':');
  if (parts.length !== 2) throw new InvalidArgumentError('must look like tx:rx');
  return [mode(parts[0]!), mode(parts[1]!)];
}

function regionName(v: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(v))
    throw new InvalidArgumentError('must be 1 to 64 of A-Z a-z 0-9 . _ -');
  return v;
}

function collect(v: string, prev: number[]): number[] {
  return [...prev, int('-l')(v)];
}

export function buildProgram(): Command {
  return new Command('pktgen')
    .description(
      "netmap's pkt-gen over pktfabric pipes. Both ends run in this process, each in a worker:\n" +
        '  pktgen --pair tx:rx -n 1000000      (or txseq:rxseq, ping:pong)\n' +
        '  pktgen -f tx                        (tx, with rx started as its peer)\n' +
        'Or one end per process, in a region shared by name (Linux):\n' +
        '  pktgen -f rx -i pipe}1 --region demo -w 30    (in one shell)\n' +
        '  pktgen -f tx -i pipe{1 --region demo -n 10000000   (in another)',
    )
    .option(
      '--region <name>',
      'run only the -f end, in the region shared by processes called <name> (created if absent; removed when its last user ends)',
      regionName,
    )
    .addOption(new Option('-f, --function <mode>', 'mode of the first end').argParser(mode))
    .option('--pair <a:b>', 'run mode a on -i and mode b on the other end', pair)
    .option(
      '-i, --interface <port>',
      'port of the first end (the second gets the other end)',
      'pipe{1',
    )
    .option(
      '-l, --length <bytes>',
      'frame size 60..1514; give it twice for a random range',
      collect,
      [],
    )
    .option('-b, --burst <n>', 'packets per sync (default 512; 1 for ping/pong)', int('-b'))
    .option('-n, --count <n>', 'packets to send/receive, 0 = until stopped', int('-n'), 0)
    .option('-R, --rate <pps>', 'packets per second for the sender, 0 = unlimited', int('-R'), 0)
    .option('-T, --report <ms>', 'report interval, 0 = none', int('-T'), 1000)
    .addOption(
      new Option(
        '-w, --wait [sec]',
        'wait for the peer to open before starting the clock',
      ).argParser((v) => Number(v)),
    )
    .option('--slots <n>', 'slots per ring of the pipe (power of two)', int('--slots'), 1024)
    .option('--seed <n>', 'seed for random frame sizes', int('--seed'), 1)
    .option('--udp-checksum', 'compute UDP checksums too (the IPv4 header checksum is always set)')
    .addOption(
      new Option('--inject-gap <seq>', 'txseq: skip this sequence number (tests rxseq)')
        .argParser(int('--inject-gap'))
        .hideHelp(),
    )
    .showHelpAfterError();
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.parse(argv);
  const a = program.opts<{
    function?: PktgenMode;
    pair?: [PktgenMode, PktgenMode];
    interface: string;
    length: number[];
    burst?: number;
    count: number;
    rate: number;
    report: number;
    wait?: number | true;
    slots: number;
    seed: number;
    udpChecksum?: boolean;
    injectGap?: number;
    region?: string;
  }>();
  let modes: [PktgenMode, PktgenMode];
  const net = isNetName(a.interface);
  if (net) {
    if (a.region !== undefined || a.pair !== undefined || a.function === undefined)
      return program.error(
        'pktgen: a network port runs one end here: give -f MODE (the other end is another process or host)',
      );
    modes = [a.function, PEER_MODE[a.function]];
  } else if (a.region !== undefined) {
    if (a.pair !== undefined)
      return program.error('pktgen: --region runs one end: give -f, not --pair');
    if (a.function === undefined) return program.error('pktgen: --region needs a mode: -f MODE');
    modes = [a.function, PEER_MODE[a.function]];
  } else if (a.pair !== undefined) {
    if (a.function !== undefined && a.function !== a.pair[0])
      program.error('pktgen: -f and --pair disagree; give one of them');
    modes = a.pair;
  } else if (a.function !== undefined) {
    modes = [a.function, PEER_MODE[a.function]];
    process.stderr.write(
      `pktgen: both ends of a pipe must live in this process; starting ${modes[1]} on the other end as the peer (see --pair)\n`,
    );
  } else {
    return program.error(
      'pktgen: give a mode with -f MODE or two with --pair A:B (e.g. --pair tx:rx)',
    );
  }
  if (a.length.length > 2) program.error('pktgen: -l takes one size, or two for a range');
  const size: number | [number, number] =
    a.length.length === 0
      ? 60
      : a.length.length === 1
        ? a.length[0]!
        : [a.length[0]!, a.length[1]!];
  const waitSec = a.wait === undefined ? 0 : a.wait === true ? 5 : a.wait;
  const ac = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\npktgen: stopping (Ctrl-C again to quit at once)\n');
      ac.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  const print = (ev: PktgenEvent): void => {
    const s = ev.type === 'interval' ? ev : ev.summary;
    const lines = ev.type === 'interval' ? [formatInterval(ev)] : formatSummary(ev.summary);
    for (const l of lines) process.stdout.write(`[${s.mode} ${s.port}] ${l}\n`);
  };
  // What both ways of running take (one end here and one in another process, or both here).
  const common = {
    size,
    burst: a.burst,
    count: a.count,
    rate: a.rate,
    reportMs: a.report,
    waitSec,
    seed: a.seed,
    injectGap: a.injectGap,
    frame: { udpChecksum: a.udpChecksum === true },
    signal: ac.signal,
    onEvent: print,
  };
  try {
    if (net) {
      const summary = await runPktgen({
        ...common,
        region: createRegion({ bufCount: 4 * a.slots + 64 }),
        mode: modes[0],
        port: a.interface,
      });
      if (summary.ended === 'peer-closed')
        process.stderr.write(
          `pktgen: the peer of ${a.interface} has gone (no peer for its timeout)\n`,
        );
      return 0;
    }
    if (a.region !== undefined) {
      const summary = await runPktgenShared({
        ...common,
        regionName: a.region,
        mode: modes[0],
        port: a.interface,
      });
      if (summary.ended === 'peer-closed')
        process.stderr.write(`pktgen: the peer of ${a.interface} has gone (closed or died)\n`);
      return 0;
    }
    const res = await runPktgenPair({ ...common, modes, port: a.interface, slots: a.slots });
    if (!res.buffersConserved) {
      process.stderr.write('pktgen: warning: not every buffer returned to the pool\n');
      return 1;
    }
    return 0;
  } catch (e) {
    const msg = e instanceof OptionError || e instanceof Error ? e.message : String(e);
    process.stderr.write(`pktgen: ${msg}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
