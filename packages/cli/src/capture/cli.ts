/** `pktfabric capture`: a port's packets to a pcap / pcapng file or stdout. */
import { Command, Option } from 'commander';
import { formatBps, formatPps } from '@pktfabric/examples';
import { FdSink, CaptureWriter, type CaptureFormat } from '../pcap/write.js';
import { MAX_RECORD_BYTES, DEFAULT_SNAPLEN } from '../pcap/format.js';
import { checkRegionName, leaveShared, openOrCreateShared } from '../util/shared-region.js';
import { closeNamedPort, openNamedPort } from '../util/open-port.js';
import { int, onInterrupt, reportErrors, seconds } from '../util/cli-args.js';
import { capturePort } from './capture.js';

export function buildProgram(): Command {
  return new Command('pktfabric capture')
    .description(
      'Write the packets reaching a port to a pcap or pcapng file (ns timestamps).\n' +
        'The port is opened as the consumer (a pipe end today; a monitor port such as\n' +
        'vale0:p1/t once the switch has them). In a region shared by processes:\n' +
        '  pktfabric capture --region demo -i pipe}1 -w out.pcapng -c 1000\n' +
        '  pktfabric capture --region demo -i pipe}1 -w - | tshark -r -',
    )
    .requiredOption(
      '--region <name>',
      'the region shared by processes that holds the port',
      checkRegionName,
    )
    .requiredOption('-i, --interface <port>', 'port to capture from (e.g. pipe}1)')
    .requiredOption('-w, --write <file>', 'output file (.pcap or .pcapng), or - for stdout')
    .addOption(
      new Option(
        '-F, --format <fmt>',
        'pcap or pcapng (default: from the file name; pcap for -)',
      ).choices(['pcap', 'pcapng']),
    )
    .option(
      '-s, --snaplen <bytes>',
      `bytes kept per packet, 1..${MAX_RECORD_BYTES}`,
      int('--snaplen', 1),
      DEFAULT_SNAPLEN,
    )
    .option('-c, --count <n>', 'stop after n packets, 0 = no limit', int('--count'), 0)
    .option(
      '-d, --duration <sec>',
      'stop after this many seconds, 0 = no limit',
      seconds('--duration'),
      0,
    )
    .option('-T, --report <ms>', 'progress line interval on stderr, 0 = none', int('-T'), 1000)
    .showHelpAfterError();
}

export async function main(args: string[]): Promise<number> {
  const program = buildProgram();
  program.parse(args, { from: 'user' });
  const a = program.opts<{
    region: string;
    interface: string;
    write: string;
    format?: CaptureFormat;
    snaplen: number;
    count: number;
    duration: number;
    report: number;
  }>();
  return reportErrors('pktfabric capture', async () => {
    const format: CaptureFormat = a.format ?? (a.write.endsWith('.pcapng') ? 'pcapng' : 'pcap');
    const region = await openOrCreateShared(a.region);
    try {
      // Capture reads: a network port (zmq:...) is opened to receive.
      const port = await openNamedPort(region, a.interface, {
        direction: 'in',
        regionName: a.region,
      });
      const writer = new CaptureWriter(FdSink.open(a.write), {
        format,
        snapLen: a.snaplen,
        ifName: a.interface,
      });
      const ac = new AbortController();
      const off = onInterrupt('pktfabric capture', ac);
      let prev = { captured: 0, bytes: 0, ms: 0 };
      try {
        const s = await capturePort(port, writer, {
          count: a.count,
          durationMs: a.duration,
          signal: ac.signal,
          intervalMs: a.report,
          onInterval:
            a.report > 0
              ? (p) => {
                  const dt = (p.elapsedMs - prev.ms) / 1000;
                  process.stderr.write(
                    `${(p.elapsedMs / 1000).toFixed(3)} s  ${formatPps((p.captured - prev.captured) / dt)} ` +
                      `${formatBps((8 * (p.bytes - prev.bytes)) / dt)}  ${p.captured} captured\n`,
                  );
                  prev = { captured: p.captured, bytes: p.bytes, ms: p.elapsedMs };
                }
              : undefined,
        });
        process.stderr.write(
          `${s.captured} packets captured (${s.bytes} bytes, ${s.snapped} cut to ${a.snaplen}), ` +
            `${s.dropped} dropped by the port, in ${(s.elapsedMs / 1000).toFixed(3)} s (${s.ended}); ` +
            `${format} ${a.write === '-' ? 'to stdout' : a.write}\n`,
        );
        if (s.unserved)
          process.stderr.write(
            `capture: warning: ${a.interface} was used by a process that has not loaded @pktfabric/vale, ` +
              `so this monitor missed its frames there (import '@pktfabric/vale' in that program)\n`,
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
