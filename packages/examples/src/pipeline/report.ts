/** Text output of the pipeline CLI: a live line per stage and the final table. Allocates strings. */
import { formatPps, formatTable } from '../stats/format.js';
import type { PipelineResult, PipelineSnapshot, StageTotals } from './pipeline.js';

function label(s: StageTotals): string {
  return `${s.index + 1}:${s.name}${s.replicas > 1 ? ` x${s.replicas}` : ''}`;
}

function extra(s: StageTotals): string {
  return Object.entries(s.counters)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** One line per stage: `[   2.0 s] 2:swap-mac x2   1.234 Mpps  in 2468000  out 2468000  drops 0`. */
export function formatSnapshot(snap: PipelineSnapshot): string[] {
  const t = `[${(snap.elapsedMs / 1000).toFixed(1).padStart(6)} s]`;
  const w = Math.max(...snap.stages.map((s) => label(s).length));
  return snap.stages.map((s, i) => {
    const head = i === 0 ? t : ' '.repeat(t.length);
    const x = extra(s);
    return `${head} ${label(s).padEnd(w)} ${formatPps(s.pps).padStart(13)}  in ${s.packets}  out ${s.out}  drops ${s.drops}${x === '' ? '' : `  ${x}`}`;
  });
}

/** The final table: one row per stage, then the elapsed time. */
export function formatResult(r: PipelineResult): string {
  const rows = [['stage', 'packets', 'bytes', 'drops', 'out', 'avg rate', 'other']];
  for (const s of r.stages)
    rows.push([
      label(s),
      String(s.packets),
      String(s.bytes),
      String(s.drops),
      String(s.out),
      formatPps(s.pps),
      extra(s),
    ]);
  return `${formatTable(rows)}\n${r.stopped ? 'stopped' : 'finished'} after ${(r.elapsedMs / 1000).toFixed(3)} s`;
}
