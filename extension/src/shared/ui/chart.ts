// The price-history chart: a thin wrapper over uPlot (canvas, ~50 KB, no dependencies).
// The popup imports this module lazily, after its first paint.
//
// Plotting needs numbers, so the decimal strings become numbers here and only here; nothing
// computed from them is ever shown as money (labels are formatted from the original strings
// or from the axis ticks, which are positions, not amounts).

import uPlot from 'uplot';

import type { History } from '../messages';
import { toChartNumber, uiLocale } from './money';
import { shortDay } from './time';

export interface ChartInput {
  history: History;
  /** The best stack's effective price now (decimal string), drawn as a flat line; null: none. */
  effective: string | null;
  /** Series names, translated. */
  labels: { price: string; range: string; effective: string };
}

export interface HistoryChart {
  destroy(): void;
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

const DAY_S = 24 * 3600;

/** Draws the chart into `target` (emptied first), as wide as the target. */
export function renderHistoryChart(target: HTMLElement, input: ChartInput): HistoryChart {
  const { history, effective } = input;
  const days = history.days;
  const xs = days.map((d) => Math.round(d.day / 1000));
  const last = days.map((d) => toChartNumber(d.last));
  const min = days.map((d) => toChartNumber(d.min));
  const max = days.map((d) => toChartNumber(d.max));
  const eff = toChartNumber(effective);
  const effLine = xs.map(() => eff);

  const colors = {
    price: cssVar('--chart-price', '#1f6feb'),
    range: cssVar('--chart-range', 'rgba(31,111,235,0.15)'),
    effective: cssVar('--chart-effective', '#1a7f37'),
    axis: cssVar('--text-muted', '#57606a'),
    grid: cssVar('--border', '#d0d7de'),
  };
  const locale = uiLocale();
  let tick: Intl.NumberFormat;
  try {
    tick = new Intl.NumberFormat(locale, history.currency
      ? { style: 'currency', currency: history.currency, maximumFractionDigits: 0 }
      : { maximumFractionDigits: 0 });
  } catch {
    tick = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  }
  const few = xs.length < 3;

  const series: uPlot.Series[] = [
    {},
    { label: input.labels.price, stroke: colors.price, width: 2, spanGaps: false, points: { show: few, size: 6 } },
    { label: input.labels.range, stroke: 'transparent', width: 0, points: { show: false } },
    { label: input.labels.range, stroke: 'transparent', width: 0, points: { show: false } },
  ];
  const data: uPlot.AlignedData = [xs, last, min, max];
  if (eff !== null) {
    series.push({ label: input.labels.effective, stroke: colors.effective, width: 2, dash: [6, 4], points: { show: few, size: 6 } });
    data.push(effLine);
  }

  const width = Math.max(200, target.clientWidth);
  target.replaceChildren();
  const plot = new uPlot({
    width,
    height: 150,
    series,
    // The day's low-high range as a band behind the price line.
    bands: [{ series: [3, 2], fill: colors.range }],
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    padding: [8, 8, 0, 0],
    scales: {
      x: {
        time: true,
        // One day alone would be a zero-width range: show a day either side.
        range: (_u, lo, hi) => (lo === hi ? [lo - DAY_S, hi + DAY_S] : [lo, hi]),
      },
      y: {
        range: (_u, lo, hi) => {
          const values = [lo, hi, eff].filter((v): v is number => v !== null && Number.isFinite(v));
          const a = Math.min(...values);
          const b = Math.max(...values);
          const pad = Math.max((b - a) * 0.15, Math.abs(b) * 0.05, 1);
          return [Math.max(0, a - pad), b + pad];
        },
      },
    },
    axes: [
      {
        stroke: colors.axis, grid: { stroke: colors.grid, width: 1 }, ticks: { show: false },
        values: (_u, splits) => splits.map((s) => shortDay(s * 1000, locale)),
        font: '11px system-ui, sans-serif',
      },
      {
        stroke: colors.axis, grid: { stroke: colors.grid, width: 1 }, ticks: { show: false },
        values: (_u, splits) => splits.map((s) => tick.format(s)),
        font: '11px system-ui, sans-serif', size: 52,
      },
    ],
  }, data, target);
  return { destroy: () => plot.destroy() };
}
