/**
 * The bar chart of a bench run, drawn with Vega and rendered to SVG without
 * a browser (`renderer: 'none'`): one horizontal bar per case, median Mpps on
 * a log-scale x axis (the cases span three orders of magnitude), coloured by
 * the transport's family (Transport.family). Cases whose every run failed have no bar (a log scale has no 0).
 */
import * as vega from 'vega';
import { FAMILIES, familyOf } from './cases.js';
import type { ResultsFile } from './results.js';

export const BAR_MARK = 'bars';
export const LABEL_MARK = 'labels';

/** Legend entry of the bars of cases no registered transport runs (an old results file). */
const OTHER = { label: 'other', color: '#bcbd22' };

function family(c: string): string {
  return (familyOf(c) ?? OTHER).label;
}

/** The Vega spec for `results` (exported for tests and for people who want to restyle it). */
export function chartSpec(results: ResultsFile): vega.Spec {
  const values = results.rows
    // Round-trip rows (rttP50Ns set) are latencies, not throughput: not in this chart.
    .filter((r) => r.medianPps > 0 && (r.rttP50Ns ?? null) === null)
    .map((r) => ({
      case: r.case,
      mpps: r.medianPps / 1e6,
      family: family(r.case),
      label: `${(r.medianPps / 1e6).toPrecision(3)} Mpps`,
    }));
  const runs = Math.max(0, ...results.rows.map((r) => r.runsPps.length));
  // Every registered family (a stable legend), and 'other' only when a row needs it.
  const families = values.some((v) => v.family === OTHER.label) ? [...FAMILIES, OTHER] : FAMILIES;
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    description: 'pktfabric throughput bench: median packets per second per case',
    width: 560,
    height: Math.max(1, values.length) * 30,
    padding: 10,
    title: {
      text: 'pktfabric throughput between two workers',
      subtitle: `median of ${runs} run(s) · node ${results.node} · ${results.cpus} CPUs · ${results.date}`,
    },
    data: [{ name: 'rows', values }],
    scales: [
      {
        name: 'x',
        type: 'log',
        domain: { data: 'rows', field: 'mpps' },
        range: 'width',
        nice: true,
      },
      {
        name: 'y',
        type: 'band',
        domain: values.map((v) => v.case),
        range: 'height',
        padding: 0.2,
      },
      {
        name: 'color',
        type: 'ordinal',
        domain: families.map((f) => f.label),
        range: families.map((f) => f.color),
      },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'Mpps (log scale)', grid: true },
      { orient: 'left', scale: 'y', labelLimit: 0 },
    ],
    legends: [{ fill: 'color', orient: 'bottom', direction: 'horizontal', labelLimit: 0 }],
    marks: [
      {
        type: 'rect',
        name: BAR_MARK,
        from: { data: 'rows' },
        encode: {
          enter: {
            y: { scale: 'y', field: 'case' },
            height: { scale: 'y', band: 1 },
            x: { value: 0 },
            x2: { scale: 'x', field: 'mpps' },
            fill: { scale: 'color', field: 'family' },
          },
        },
      },
      {
        type: 'text',
        name: LABEL_MARK,
        from: { data: 'rows' },
        encode: {
          enter: {
            x: { scale: 'x', field: 'mpps', offset: 4 },
            y: { scale: 'y', field: 'case', band: 0.5 },
            baseline: { value: 'middle' },
            fontSize: { value: 11 },
            text: { field: 'label' },
          },
        },
      },
    ],
  };
}

/** Renders the chart to an SVG document string. */
export async function renderChartSvg(results: ResultsFile): Promise<string> {
  const view = new vega.View(vega.parse(chartSpec(results)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
