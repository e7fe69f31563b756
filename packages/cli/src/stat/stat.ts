/**
 * stat: a live view of every port of a region, refreshed every interval
 * (a table redrawn in place on a TTY, plain lines otherwise, or one JSON
 * line per interval). `startStat` runs it in-process (for a region of
 * threads); the CLI attaches to a region shared by name.
 */
import { OptionError, type Region } from '@pktfabric/core';
import { renderJson, renderLines, renderTable } from './render.js';
import { rates, snapshotRegion, type RegionSnapshot } from './snapshot.js';

export type StatFormat = 'table' | 'lines' | 'json';

export interface StatOptions {
  /** ms between refreshes. @defaultValue 1000 */
  intervalMs?: number;
  /** @defaultValue 'table' when `out` is a TTY, else 'lines' */
  format?: StatFormat;
  /** Stop after this many refreshes, 0 for none. `--once` is 1 (a first read, then one interval). @defaultValue 0 */
  count?: number;
  /** Where to print. @defaultValue process.stdout */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Title of the table. */
  title?: string;
}

export interface StatHandle {
  stop(): void;
  /** Resolves when stopped or the count is reached. */
  readonly done: Promise<void>;
}

const CLEAR = '\x1b[H\x1b[2J';

/** Starts printing the region's ports. Allocates per refresh; takes no lock on the data path. */
export function startStat(region: Region, opts: StatOptions = {}): StatHandle {
  const intervalMs = opts.intervalMs ?? 1000;
  if (!Number.isInteger(intervalMs) || intervalMs < 10 || intervalMs > 3_600_000)
    throw new OptionError('intervalMs', 'an integer from 10 to 3600000', intervalMs);
  const count = opts.count ?? 0;
  if (!Number.isInteger(count) || count < 0)
    throw new OptionError('count', 'a non-negative integer', count);
  const out = opts.out ?? process.stdout;
  const format = opts.format ?? (out.isTTY === true ? 'table' : 'lines');
  if (format !== 'table' && format !== 'lines' && format !== 'json')
    throw new OptionError('format', "'table', 'lines' or 'json'", format);
  const title = opts.title ?? 'pktfabric stat';
  const t0 = performance.now();
  let prev: RegionSnapshot = snapshotRegion(region);
  let shown = 0;
  let timer: NodeJS.Timeout | null = null;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const tick = (): void => {
    const cur = snapshotRegion(region);
    const rs = rates(prev, cur);
    prev = cur;
    const at = cur.atMs - t0;
    if (format === 'json') out.write(`${renderJson(at, rs)}\n`);
    else if (format === 'lines') out.write(`${renderLines(at, rs).join('\n')}\n`);
    else
      out.write(
        `${CLEAR}${renderTable(`${title}  (${(at / 1000).toFixed(1)} s, every ${intervalMs} ms)`, rs)}\n`,
      );
    if (count > 0 && ++shown >= count) stop();
  };
  const stop = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = null;
    finish();
  };
  timer = setInterval(tick, intervalMs);
  return { stop, done };
}
