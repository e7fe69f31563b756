/** The three ways stat prints: a table (TTY), plain lines, JSON lines. Allocates strings. */
import Table from 'cli-table3';
import { PORT_CLOSED, PORT_DEAD, PORT_OPEN, RING_DROP_NAMES } from '@pktfabric/core';
import { formatBps, formatPps } from '@pktfabric/examples';
import type { NetCounters } from '@pktfabric/net';
import type { PortRates } from './snapshot.js';

function state(s: number, ok: boolean): string {
  if (!ok) return 'bad';
  return s === PORT_OPEN
    ? 'open'
    : s === PORT_CLOSED
      ? 'closed'
      : s === PORT_DEAD
        ? 'dead'
        : 'idle';
}

function drops(d: number[], net?: NetCounters): string {
  const parts = d.flatMap((n, i) => (n > 0 ? [`${RING_DROP_NAMES[i]} ${n}`] : []));
  // A network port's own losses: packets missing by number, batches missing, messages not ours.
  if (net !== undefined)
    for (const [k, n] of [
      ['net-lost', net.drops],
      ['gaps', net.gaps],
      ['bad-msg', net.bad],
    ] as const)
      if (n > 0) parts.push(`${k} ${n}`);
  return parts.length === 0 ? '0' : parts.join(', ');
}

/** A closed port's name in the table: the catch-all says how many ports it holds. */
function tableName(p: PortRates): string {
  return p.closed?.catchAll === true ? `${p.name} x${p.closed.closes}` : p.name;
}

/** What plain lines add for a closed port: ports closed under its name, or folded into the catch-all. */
function closedTail(p: PortRates): string {
  if (p.closed === undefined) return '';
  return p.closed.catchAll ? ` folded ${p.closed.closes}` : ` closes ${p.closed.closes}`;
}

/** A table of every port (cli-table3), like top's. */
export function renderTable(title: string, ports: PortRates[]): string {
  const t = new Table({
    head: [
      'port',
      'state',
      'tx pps',
      'tx bps',
      'rx pps',
      'rx bps',
      'tx pkts',
      'rx pkts',
      'drops',
      'errors',
      'occupancy',
      'wakes in/out',
    ],
    style: { head: [], border: [] },
  });
  for (const p of ports)
    t.push([
      tableName(p),
      state(p.state, p.ok),
      formatPps(p.txPps),
      formatBps(p.txBps),
      formatPps(p.rxPps),
      formatBps(p.rxBps),
      String(p.txPkts),
      String(p.rxPkts),
      drops(p.drops, p.net),
      String(p.errors),
      `${p.occupancy}/${p.slots}`,
      `${p.kicks}/${p.wakesSent}`,
    ]);
  return `${title}\n${ports.length === 0 ? '(no ports)' : t.toString()}`;
}

/** One plain line per port (for a terminal that is not a TTY). */
export function renderLines(atMs: number, ports: PortRates[]): string[] {
  return ports.map(
    (p) =>
      `${(atMs / 1000).toFixed(3)} s ${p.name} ${state(p.state, p.ok)} tx ${formatPps(p.txPps)} ${formatBps(p.txBps)} ` +
      `rx ${formatPps(p.rxPps)} ${formatBps(p.rxBps)} tx_pkts ${p.txPkts} rx_pkts ${p.rxPkts} ` +
      `drops ${drops(p.drops, p.net)} errors ${p.errors} occupancy ${p.occupancy}/${p.slots} wakes_in ${p.kicks} wakes_out ${p.wakesSent}${closedTail(p)}`,
  );
}

/** One JSON object per interval: `{ "t": seconds, "ports": [...] }` with drops by reason name. */
export function renderJson(atMs: number, ports: PortRates[]): string {
  return JSON.stringify({
    t: Number((atMs / 1000).toFixed(3)),
    ports: ports.map((p) => ({
      name: p.name,
      kind: p.kind,
      state: state(p.state, p.ok),
      txPkts: p.txPkts,
      txBytes: p.txBytes,
      rxPkts: p.rxPkts,
      rxBytes: p.rxBytes,
      txPps: Math.round(p.txPps),
      txBps: Math.round(p.txBps),
      rxPps: Math.round(p.rxPps),
      rxBps: Math.round(p.rxBps),
      drops: Object.fromEntries(RING_DROP_NAMES.map((n, i) => [n, p.drops[i]!])),
      errors: p.errors,
      occupancy: p.occupancy,
      slots: p.slots,
      wakes: p.kicks,
      wakesSent: p.wakesSent,
      ...(p.net !== undefined ? { net: p.net } : {}),
      ...(p.closed === undefined
        ? {}
        : p.closed.catchAll
          ? { folded: p.closed.closes }
          : { closes: p.closed.closes }),
    })),
  });
}
