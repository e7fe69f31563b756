/** Number formatting in pkt-gen's style: three decimals and a unit prefix (K, M, G, T). Allocates strings. */

const PREFIXES = ['', 'K', 'M', 'G', 'T'];

/** `12345678` -> `12.346 M`; integers below 1000 print as they are (`512 `). */
export function norm(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1000) return `${v} `;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < PREFIXES.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(3)} ${PREFIXES[i]}`;
}

/** Packets per second, e.g. `12.346 Mpps`. */
export function formatPps(pps: number): string {
  return `${norm(pps)}pps`;
}

/** Bits per second, e.g. `5.926 Gbps`. */
export function formatBps(bps: number): string {
  return `${norm(bps)}bps`;
}

/** A duration in microseconds with a unit that fits: `850 ns`, `12.5 us`, `3.20 ms`, `1.50 s`. */
export function formatUs(us: number): string {
  if (us < 1) return `${Math.round(us * 1000)} ns`;
  if (us < 1000) return `${us < 10 ? us.toFixed(2) : us.toFixed(1)} us`;
  if (us < 1e6) return `${(us / 1000).toFixed(2)} ms`;
  return `${(us / 1e6).toFixed(2)} s`;
}

/** Pads every column of a table of strings to its widest cell; numeric-looking cells align right. */
export function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) =>
          /^[\d.,\s]+[KMGT]?(pps|bps|B)?$/.test(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
