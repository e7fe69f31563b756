/** What vale-ctl and bridge share to parse their command lines. */
import { type Command, CommanderError } from 'commander';

/**
 * Parses `argv` (without node and script) with `prog`, its output going to
 * `io`. Returns the exit code when commander ended the run (--help, a bad
 * option), or null when the tool should go on.
 */
export function parseTool(
  prog: Command,
  argv: readonly string[],
  io: { out: (s: string) => void; err: (s: string) => void },
): number | null {
  prog.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  try {
    prog.parse(argv as string[], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    throw e;
  }
  return null;
}
