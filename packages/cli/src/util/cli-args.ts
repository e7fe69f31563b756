/** Argument parsers shared by the tools' command lines (commander). */
import { InvalidArgumentError } from 'commander';

export function int(name: string, min = 0) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return Number(v);
  };
}

/** Seconds with a fraction, as ms. */
export function seconds(name: string) {
  return (v: string): number => {
    if (!/^(\d+\.?\d*|\.\d+)$/.test(v))
      throw new InvalidArgumentError(`${name} must be a number of seconds`);
    return Math.round(Number(v) * 1000);
  };
}

/** Runs `fn`, printing a typed error as `tool: message` and returning exit code 1. */
export async function reportErrors(tool: string, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    process.stderr.write(
      `${tool}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`,
    );
    return 1;
  }
}

/** First Ctrl-C aborts `ac` (a clean stop); a second quits at once. Returns the remover. */
export function onInterrupt(tool: string, ac: AbortController): () => void {
  let n = 0;
  const h = (): void => {
    if (++n === 1) {
      process.stderr.write(`\n${tool}: stopping (Ctrl-C again to quit at once)\n`);
      ac.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', h);
  process.on('SIGTERM', h);
  return () => {
    process.off('SIGINT', h);
    process.off('SIGTERM', h);
  };
}
