/** `pktfabric stat`: a live table of every port of a shared region. */
import { Command } from 'commander';
import { checkRegionName, openShared } from '../util/shared-region.js';
import { int, onInterrupt, reportErrors } from '../util/cli-args.js';
import { startStat, type StatFormat } from './stat.js';

export function buildProgram(): Command {
  return new Command('pktfabric stat')
    .description(
      'Every port of a region shared by processes: rates (pps, bps), drops by reason,\n' +
        'sync errors, ring occupancy and wake-ups, read from shared memory without\n' +
        'disturbing the data path. A table redrawn like top on a terminal, plain lines\n' +
        'otherwise, one JSON line per interval with --json:\n' +
        '  pktfabric stat --region demo\n' +
        '  pktfabric stat --region demo --json -i 500 | jq .ports[0].rxPps\n' +
        'For a region of threads, call startStat(region) from the program that has it.',
    )
    .requiredOption('--region <name>', 'the region shared by processes', checkRegionName)
    .option('-i, --interval <ms>', 'refresh interval, 10..3600000', int('--interval', 10), 1000)
    .option('--json', 'one JSON line per interval')
    .option('--once', 'print one refresh (rates over one interval) and exit')
    .option('-c, --count <n>', 'stop after n refreshes, 0 = until Ctrl-C', int('--count'), 0)
    .showHelpAfterError();
}

export async function main(args: string[]): Promise<number> {
  const program = buildProgram();
  program.parse(args, { from: 'user' });
  const a = program.opts<{
    region: string;
    interval: number;
    json?: boolean;
    once?: boolean;
    count: number;
  }>();
  return reportErrors('pktfabric stat', async () => {
    const region = await openShared(a.region);
    try {
      const format: StatFormat | undefined = a.json === true ? 'json' : undefined;
      const h = startStat(region, {
        intervalMs: a.interval,
        count: a.once === true ? 1 : a.count,
        ...(format !== undefined ? { format } : {}),
        title: `pktfabric stat: region ${a.region}`,
      });
      const ac = new AbortController();
      ac.signal.addEventListener('abort', () => h.stop());
      const off = onInterrupt('pktfabric stat', ac);
      await h.done;
      off();
      return 0;
    } finally {
      region.detach();
    }
  });
}
