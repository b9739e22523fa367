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
  /** unix ms the chart ends at. Default: now. */
  now?: number;
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
  const now = Math.round((input.now ?? Date.now()) / 1000);
  const days = history.days;
  const eff = toChartNumber(effective);
  // At least a week wide, ending now: one or two days of history still read as a timeline,
  // and the last price is drawn on up to now (it is the price in effect since that day).
  const first = days.length ? Math.round(days[0]!.day / 1000) : now - 7 * DAY_S;
  const start = Math.min(first, now - 7 * DAY_S);
  const xs: number[] = [];
  const last: (number | null)[] = [];
  const min: (number | null)[] = [];
  const max: (number | null)[] = [];
  if (start < first) { xs.push(start); last.push(null); min.push(null); max.push(null); }
  for (const d of days) {
    xs.push(Math.round(d.day / 1000));
    last.push(toChartNumber(d.last));
    min.push(toChartNumber(d.min));
    max.push(toChartNumber(d.max));
  }
  const lastKnown = days.length ? toChartNumber(days[days.length - 1]!.last) : null;
  if (now > xs[xs.length - 1]!) { xs.push(now); last.push(lastKnown); min.push(null); max.push(null); }
  const effLine = xs.map(() => eff);

  const locale = uiLocale();
  let tick: Intl.NumberFormat;
  try {
    tick = new Intl.NumberFormat(locale, history.currency
      ? { style: 'currency', currency: history.currency, maximumFractionDigits: 0 }
      : { maximumFractionDigits: 0 });
  } catch {
    tick = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  }
  const few = days.length < 3;

  const data: uPlot.AlignedData = [xs, last, min, max];
  if (eff !== null) data.push(effLine);

  const draw = (): uPlot => {
    const colors = {
      price: cssVar('--chart-price', '#1f6feb'),
      range: cssVar('--chart-range', 'rgba(31,111,235,0.15)'),
      effective: cssVar('--chart-effective', '#1a7f37'),
      axis: cssVar('--text-muted', '#57606a'),
      grid: cssVar('--border', '#d0d7de'),
    };
    const series: uPlot.Series[] = [
      {},
      { label: input.labels.price, stroke: colors.price, width: 2, spanGaps: false, points: { show: few, size: 6 } },
      { label: input.labels.range, stroke: 'transparent', width: 0, points: { show: false } },
      { label: input.labels.range, stroke: 'transparent', width: 0, points: { show: false } },
    ];
    if (eff !== null) series.push({ label: input.labels.effective, stroke: colors.effective, width: 2, dash: [6, 4], points: { show: false } });
    const width = Math.max(200, target.clientWidth);
    target.replaceChildren();
    return new uPlot({
      width,
      height: 140,
      series,
      // The day's low-high range as a band behind the price line.
      bands: [{ series: [3, 2], fill: colors.range }],
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      padding: [8, 8, 0, 0],
      scales: {
        x: {
          time: true,
          range: () => [start, now],
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
          font: '11px system-ui, sans-serif', size: 28,
        },
        {
          stroke: colors.axis, grid: { stroke: colors.grid, width: 1 }, ticks: { show: false },
          values: (_u, splits) => splits.map((s) => tick.format(s)),
          font: '11px system-ui, sans-serif', size: 52,
        },
      ],
    }, data, target);
  };
  let plot = draw();
  // The colours come from the theme's custom properties: draw again when the theme flips.
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  const redraw = (): void => { plot.destroy(); plot = draw(); };
  scheme.addEventListener('change', redraw);
  return { destroy: () => { scheme.removeEventListener('change', redraw); plot.destroy(); } };
}
