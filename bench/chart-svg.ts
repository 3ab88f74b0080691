/**
 * The chart of RESULTS.md: median wall time of 006 `up` and `down` against rows,
 * by contender, on log-log axes (the row counts and the times each span orders
 * of magnitude). Plain SVG, no dependency.
 */
import { SIDE_LABELS, SIDES, type Direction, type Side } from './contenders';
import { median } from './median';
import type { SizeResult } from './migration-bench';
import { offlineRuns } from './offline-markdown';
import { escape, formatTime, line, logScale, text } from './svg-parts';

const WIDTH = 860;
const HEIGHT = 420;
const PLOT = { left: 80, right: 520, top: 50, bottom: 360 };
const COLOURS: Record<Side, string> = { ours: '#1d4ed8', today: '#7c3aed', pgroll: '#d97706', single: '#15803d', seed: '#b91c1c' };
/** Short enough for the legend. */
const LABELS: Record<Side, string> = { ...SIDE_LABELS, today: "today's engine (fixed batches)", pgroll: 'pgroll-style backfill' };

interface Series {
  side: Side;
  direction: Direction;
  points: Array<{ rows: number; ms: number }>;
}

export function migrationChartSvg(sizes: SizeResult[]): string {
  const series: Series[] = SIDES.flatMap((side) =>
    (['up', 'down'] as const).map((direction) => ({
      side,
      direction,
      points: sizes.flatMap((s) => {
        const runs = offlineRuns(s, side, direction);
        return runs.length === 0 ? [] : [{ rows: s.rows, ms: median(runs.map((r) => r.wallMs)) }];
      }),
    })),
  ).filter((s) => s.points.length > 0);
  const x = logScale(sizes.map((s) => s.rows), PLOT.left, PLOT.right, false);
  const y = logScale(series.flatMap((s) => s.points.map((p) => p.ms)), PLOT.bottom, PLOT.top, true);

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(WIDTH / 2, 24, 'Revision 006: wall time against rows in portal_users (median of the runs at each size)', 'middle', 14),
    ...y.ticks.flatMap((t) => [
      line(PLOT.left, t.at, PLOT.right, t.at, '#e5e7eb'),
      text(PLOT.left - 8, t.at + 4, formatTime(t.value), 'end'),
    ]),
    ...x.ticks.flatMap((t) => [
      line(t.at, PLOT.top, t.at, PLOT.bottom, '#e5e7eb'),
      text(t.at, PLOT.bottom + 18, formatCount(t.value), 'middle'),
    ]),
    line(PLOT.left, PLOT.bottom, PLOT.right, PLOT.bottom, '#374151'),
    line(PLOT.left, PLOT.top, PLOT.left, PLOT.bottom, '#374151'),
    text((PLOT.left + PLOT.right) / 2, PLOT.bottom + 42, 'rows in portal_users (log scale)', 'middle'),
    `<text x="18" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(PLOT.top + PLOT.bottom) / 2})">wall time (log scale)</text>`,
    ...series.flatMap((s) => plotSeries(s, x.at, y.at)),
    ...series.flatMap((s, i) => legendEntry(s, PLOT.right + 20, PLOT.top + 10 + i * 24)),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

function plotSeries(s: Series, xAt: (v: number) => number, yAt: (v: number) => number): string[] {
  const colour = COLOURS[s.side];
  const dash = s.direction === 'down' ? ' stroke-dasharray="6 4"' : '';
  const coords = s.points.map((p) => `${xAt(p.rows).toFixed(1)},${yAt(p.ms).toFixed(1)}`);
  return [
    `<polyline fill="none" stroke="${colour}" stroke-width="2"${dash} points="${coords.join(' ')}"/>`,
    ...s.points.map((p) => {
      const tip = `${LABELS[s.side]} ${s.direction}, ${formatCount(p.rows)} rows: ${Math.round(p.ms)} ms`;
      return `<circle cx="${xAt(p.rows).toFixed(1)}" cy="${yAt(p.ms).toFixed(1)}" r="3.5" fill="${colour}"><title>${escape(tip)}</title></circle>`;
    }),
  ];
}

function legendEntry(s: Series, left: number, top: number): string[] {
  const dash = s.direction === 'down' ? ' stroke-dasharray="6 4"' : '';
  return [
    `<line x1="${left}" y1="${top}" x2="${left + 28}" y2="${top}" stroke="${COLOURS[s.side]}" stroke-width="2"${dash}/>`,
    text(left + 36, top + 4, `${LABELS[s.side]}, ${s.direction}`, 'start'),
  ];
}

function formatCount(n: number): string {
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e3) return `${n / 1e3}k`;
  return String(n);
}
