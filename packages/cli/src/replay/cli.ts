/** `pktfabric replay`: nmreplay over pktfabric ports. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { formatBps, formatPps, norm } from '@pktfabric/examples';
import { readCaptureFile } from '../pcap/read.js';
import { checkRegionName, leaveShared, openOrCreateShared } from '../util/shared-region.js';
import { closeNamedPort, openNamedPort } from '../util/open-port.js';
import { int, onInterrupt, reportErrors } from '../util/cli-args.js';
import { parseBandwidth, parseDelay, parseLoss } from './models.js';
import { portTarget, prepareTrace, replay } from './replay.js';

export function buildProgram(): Command {
  return new Command('pktfabric replay')
    .description(
      "Send a pcap / pcapng file into a port with netmap nmreplay's models:\n" +
        '  pktfabric replay --region demo -f trace.pcap -i pipe{1 -B ether,10G -D uniform,10u,50u -L plr,0.001\n' +
        'Bandwidth -B: constant,RATE | ether,RATE | real[,SPEEDUP]   (RATE: 10G, 100m, 1500k; default real,1)\n' +
        'Delay -D: constant,D | uniform,MIN,MAX | exp,MEAN,MIN   (times: 10u, 1.5m, 2n, 0.1 = s)\n' +
        'Loss -L: plr,P | burst,P,MIN,MAX   Packets never reorder; a lost packet takes no link time.',
    )
    .requiredOption(
      '--region <name>',
      'the region shared by processes that holds the port',
      checkRegionName,
    )
    .requiredOption(
      '-f, --file <file>',
      'capture file (pcap in us or ns, either byte order, or pcapng)',
    )
    .requiredOption('-i, --interface <port>', 'port to send into (e.g. pipe{1)')
    .option('-B, --bandwidth <model>', 'bandwidth model', 'real,1')
    .option('-D, --delay <model>', 'delay model')
    .option('-L, --loss <model>', 'loss model')
    .option('-n, --rounds <n>', 'play the file n times', int('-n', 1), 1)
    .option('-b, --burst <n>', 'most packets per send, 1..8192', int('-b', 1), 128)
    .option('--seed <n>', 'seed of the delay and loss draws', int('--seed'), 1)
    .option('-T, --report <ms>', 'interval line every ms, 0 = none', int('-T'), 1000)
    .showHelpAfterError();
}

export async function main(args: string[]): Promise<number> {
  const program = buildProgram();
  program.parse(args, { from: 'user' });
  const a = program.opts<{
    region: string;
    file: string;
    interface: string;
    bandwidth: string;
    delay?: string;
    loss?: string;
    rounds: number;
    burst: number;
    seed: number;
    report: number;
  }>();
  return reportErrors('pktfabric replay', async () => {
    // Everything is parsed and checked before the port is touched.
    const bandwidth = parseBandwidth(a.bandwidth);
    const delay = a.delay === undefined ? undefined : parseDelay(a.delay);
    const loss = a.loss === undefined ? undefined : parseLoss(a.loss);
    const file = readCaptureFile(readFileSync(a.file));
    const region = await openOrCreateShared(a.region);
    try {
      // Replay sends: a network port (zmq:...) is opened to send.
      const port = await openNamedPort(region, a.interface, {
        direction: 'out',
        regionName: a.region,
      });
      const ac = new AbortController();
      const off = onInterrupt('pktfabric replay', ac);
      try {
        const prepared = prepareTrace(file, port.maxPacketBytes);
        process.stderr.write(
          `${file.packets.length} packets (${file.format}, link type ${file.linkType}) from ${a.file} into ${a.interface}, ${a.rounds} round(s)\n`,
        );
        const s = await replay(portTarget(port), prepared, {
          bandwidth,
          ...(delay !== undefined ? { delay } : {}),
          ...(loss !== undefined ? { loss } : {}),
          rounds: a.rounds,
          burst: a.burst,
          seed: a.seed,
          signal: ac.signal,
          intervalMs: a.report > 0 ? a.report : 3_600_000,
          onInterval: (p) => {
            if (a.report === 0) return;
            const s = p.intervalMs / 1000;
            process.stderr.write(
              `${(p.atMs / 1000).toFixed(3)} s  ${formatPps(p.packets / s)} (${norm(p.packets)}pkts ${formatBps((8 * p.bytes) / s)} in ${p.intervalMs.toFixed(1)} ms) ` +
                `${p.batches > 0 ? (p.packets / p.batches).toFixed(2) : '0.00'} avg_batch\n`,
            );
          },
        });
        const sec = s.elapsedNs / 1e9;
        process.stderr.write(
          `Sent ${s.sent} packets, ${s.bytes} bytes, ${s.batches} batches in ${sec.toFixed(3)} seconds (${s.ended}); ` +
            `lost by the model ${s.lost}${s.bursts > 0 ? ` in ${s.bursts} bursts` : ''}.\n` +
            (sec > 0
              ? `Speed: ${formatPps(s.sent / sec)}  Bandwidth: ${formatBps((8 * s.bytes) / sec)}\n`
              : ''),
        );
      } finally {
        off();
        await closeNamedPort(port);
      }
      return 0;
    } finally {
      await leaveShared(a.region, region);
    }
  });
}
