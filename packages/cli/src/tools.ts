/**
 * The tools `pktfabric <tool>` runs: name -> a one-line summary and a loader
 * of the module whose `main(args)` runs it (args: what follows the tool
 * name). A new tool (vale-ctl, bridge, ...) adds one entry.
 */
export interface ToolEntry {
  summary: string;
  /** Runs the tool with the words after its name; resolves with the exit code. */
  run(args: string[]): Promise<number>;
}

/** URL of a module of @pktfabric/examples or @pktfabric/shm beside its built index. */
function sibling(pkg: string, file: string): string {
  return new URL(file, import.meta.resolve(pkg)).href;
}

/** Output of the tools that take their streams as arguments. */
interface StdIo {
  out(s: string): void;
  err(s: string): void;
}
const stdio: StdIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

export const TOOLS: Record<string, ToolEntry> = {
  pktgen: {
    summary: "netmap's pkt-gen over pktfabric pipes (tx, rx, txseq, rxseq, ping, pong)",
    run: async (args) => {
      const m = (await import(sibling('@pktfabric/examples', './pktgen/cli-program.js'))) as {
        main(argv: string[]): Promise<number>;
      };
      return m.main(['node', 'pktgen', ...args]);
    },
  },
  pipeline: {
    summary: 'a pipeline of stages over pipes, from a one-line spec ("gen | filter | count")',
    run: async (args) => {
      const m = (await import(sibling('@pktfabric/examples', './pipeline/cli-program.js'))) as {
        main(argv: string[]): Promise<number>;
      };
      return m.main(['node', 'pktfabric-pipeline', ...args]);
    },
  },
  regions: {
    summary: 'regions shared by processes on this machine: list, clean',
    run: async (args) => {
      const m = (await import(sibling('@pktfabric/shm', './cli-program.js'))) as {
        main(argv: string[]): number;
      };
      return m.main(['node', 'pktfabric-regions', ...args]);
    },
  },
  stat: {
    summary: 'live rates, drops, occupancy of every port of a region (like top; --json)',
    run: async (args) => (await import('./stat/cli.js')).main(args),
  },
  capture: {
    summary: 'packets of a port to pcap / pcapng (or stdout for tshark -r -)',
    run: async (args) => (await import('./capture/cli.js')).main(args),
  },
  replay: {
    summary: 'a pcap / pcapng file into a port with nmreplay bandwidth, delay and loss models',
    run: async (args) => (await import('./replay/cli.js')).main(args),
  },
  'vale-ctl': {
    summary: 'VALE switches of a region: list ports and counters, attach / detach persistent ports',
    run: async (args) => {
      const m = (await import(sibling('@pktfabric/vale', './tools/vale-ctl-program.js'))) as {
        valeCtl(argv: readonly string[], io: StdIo): Promise<number>;
      };
      return m.valeCtl(args, stdio);
    },
  },
  bridge: {
    summary:
      'forward between two ports both ways (buffer swaps in one region, copies across; network ports too)',
    run: async (args) => {
      const { bridgeTool } = await import('./bridge-tool.js');
      // Ctrl-C stops the bridge, which then prints its totals.
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      return bridgeTool(args, { ...stdio, signal: ac.signal });
    },
  },
};
