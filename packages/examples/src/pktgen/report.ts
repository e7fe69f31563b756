/** Turns pktgen events into pkt-gen style text lines. Allocates strings. */
import { formatBps, formatPps, formatUs, norm } from '../stats/format.js';
import type { IntervalEvent, PktgenSummary } from './events.js';

const SENDING = new Set(['tx', 'txseq', 'ping', 'pong']);

/** One line per interval: `1.001 s  12.345 Mpps (12.358 Mpkts 5.926 Gbps in 1001.0 ms) 511.98 avg_batch`. */
export function formatInterval(ev: IntervalEvent): string {
  let line =
    `${(ev.atMs / 1000).toFixed(3)} s  ${formatPps(ev.pps)} ` +
    `(${norm(ev.packets)}pkts ${formatBps(ev.bps)} in ${ev.intervalMs.toFixed(1)} ms) ` +
    `${ev.avgBatch.toFixed(2)} avg_batch`;
  if (ev.rtt !== undefined && ev.rtt.count > 0) {
    line +=
      `  RTT min ${formatUs(ev.rtt.minUs)} avg ${formatUs(ev.rtt.avgUs)} ` +
      `p99 ${formatUs(ev.rtt.p99Us)} (${ev.rtt.count} replies)`;
  }
  return line;
}

/** The final summary: pkt-gen's two lines, then sequence or RTT details. */
export function formatSummary(s: PktgenSummary): string[] {
  const verb = SENDING.has(s.mode) ? 'Sent' : 'Received';
  const each = s.packets > 0 ? Math.round(s.bytes / s.packets) : 0;
  const lines = [
    `${verb} ${s.packets} packets, ${s.bytes} bytes, ${s.batches} batches, ${each} bytes each in ${(s.elapsedMs / 1000).toFixed(3)} seconds (${endedText(s.ended)}).`,
    s.elapsedMs > 0
      ? `Speed: ${formatPps(s.pps)}  Bandwidth: ${formatBps(s.bps)} (raw ${formatBps(s.rawBps)})  Average batch: ${s.avgBatch.toFixed(2)} pkts`
      : `Speed: n/a (everything came in one batch)  Average batch: ${s.avgBatch.toFixed(2)} pkts`,
  ];
  if (s.received !== undefined) lines.push(`Received ${s.received} replies.`);
  if (s.seq !== undefined) {
    const q = s.seq;
    const inOrder = q.received - q.duplicates - q.reordered - q.stale;
    lines.push(
      `Sequence: ${inOrder} in order, ${q.gaps} gap${q.gaps === 1 ? '' : 's'} (${q.missing} missing), ` +
        `${q.duplicates} duplicate${q.duplicates === 1 ? '' : 's'}, ${q.reordered} reordered` +
        (q.stale > 0 ? `, ${q.stale} too old to classify` : ''),
    );
    for (const g of q.gapRecords)
      lines.push(
        g.from === g.to
          ? `  gap: seq ${g.from} missing`
          : `  gap: seq ${g.from}..${g.to} missing (${g.to - g.from + 1})`,
      );
  }
  if (s.rtt !== undefined) {
    const r = s.rtt;
    lines.push(
      r.count === 0
        ? `RTT: no replies (${r.lost} lost)`
        : `RTT min ${formatUs(r.minUs)}  avg ${formatUs(r.avgUs)}  p50 ${formatUs(r.p50Us)}  p99 ${formatUs(r.p99Us)}  max ${formatUs(r.maxUs)}  (${r.count} replies, ${r.lost} lost)`,
    );
    if (r.histogram.length > 0) {
      lines.push('RTT histogram (log2 buckets):');
      const top = Math.max(...r.histogram.map((h) => h.count));
      for (const h of r.histogram) {
        const bar = '#'.repeat(Math.max(1, Math.round((40 * h.count) / top)));
        lines.push(
          `  ${formatUs(h.lowNs / 1000).padStart(9)} .. ${formatUs(h.highNs / 1000).padEnd(9)} ${String(h.count).padStart(9)} ${bar}`,
        );
      }
    }
  }
  return lines;
}

function endedText(e: PktgenSummary['ended']): string {
  return e === 'count' ? 'count reached' : e === 'peer-closed' ? 'peer closed' : 'stopped';
}
