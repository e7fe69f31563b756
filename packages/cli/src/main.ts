#!/usr/bin/env node
/**
 * `pktfabric <tool> [options]`: one entry point for every tool (tools.ts).
 * `pktfabric --help` lists them; `pktfabric <tool> --help` is the tool's.
 */
import { TOOLS } from './tools.js';
import { UnknownToolError } from './errors.js';

function usage(): string {
  const w = Math.max(...Object.keys(TOOLS).map((t) => t.length));
  return [
    'Usage: pktfabric <tool> [options]   (pktfabric <tool> --help for its options)',
    '',
    'Tools:',
    ...Object.entries(TOOLS).map(([n, t]) => `  ${n.padEnd(w)}  ${t.summary}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [tool, ...rest] = argv;
  if (tool === undefined || tool === '--help' || tool === '-h' || tool === 'help') {
    process.stdout.write(`${usage()}\n`);
    return tool === undefined ? 1 : 0;
  }
  const t = TOOLS[tool];
  if (t === undefined) {
    process.stderr.write(
      `pktfabric: ${new UnknownToolError(tool, Object.keys(TOOLS)).message}\n\n${usage()}\n`,
    );
    return 1;
  }
  return t.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(
      `pktfabric: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`,
    );
    process.exitCode = 1;
  },
);
