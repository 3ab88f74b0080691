/**
 * The chart of RESULTS.md: median wall time of 006 `up` and `down` against rows,
 * konstruct-migrate and the seed's statements, on log-log axes (the row counts
 * and the times each span orders of magnitude). Plain SVG, no dependency.
 */
import type { Direction, Side } from './contenders';
import type { SizeResult } from './migration-bench';

const WIDTH = 800;
const HEIGHT = 420;
const PLOT = { left: 80, right: 540, top: 50, bottom: 360 };
const COLOURS: Record<Side, string> = { ours: '#1d4ed8', seed: '#b91c1c' };
const LABELS: Record<Side, string> = { ours: 'konstruct-migrate', seed: "seed's statements" };

interface Series {
  side: Side;
  direction: Direction;
  points: Array<{ rows: number; ms: number }>;
}

export function migrationChartSvg(sizes: SizeResult[], runs: number): string {
  const series: Series[] = (['ours', 'seed'] as const).flatMap((side) =>
    (['up', 'down'] as const).map((direction) => ({
      side,
      direction,
      points: sizes.map((s) => ({ rows: s.rows, ms: s.summary[direction][side].wallMs })),
    })),
  );
  const x = logScale(sizes.map((s) => s.rows), PLOT.left, PLOT.right, false);
  const y = logScale(series.flatMap((s) => s.points.map((p) => p.ms)), PLOT.bottom, PLOT.top, true);

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(WIDTH / 2, 24, `Revision 006: wall time against rows in portal_users (median of ${runs} runs)`, 'middle', 14),
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

interface Scale {
  at: (value: number) => number;
  ticks: Array<{ value: number; at: number }>;
}

/** Ticks at the data values (x) or at the powers of ten spanning them (y). */
function logScale(values: number[], from: number, to: number, powersOfTen: boolean): Scale {
  let lo = Math.log10(Math.min(...values));
  let hi = Math.log10(Math.max(...values));
  if (powersOfTen) {
    lo = Math.floor(lo);
    hi = Math.max(Math.ceil(hi), lo + 1);
  } else if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  } else {
    const pad = (hi - lo) * 0.06;
    lo -= pad;
    hi += pad;
  }
  const at = (value: number) => from + ((Math.log10(value) - lo) / (hi - lo)) * (to - from);
  const tickValues = powersOfTen
    ? Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i))
    : [...new Set(values)];
  return { at, ticks: tickValues.map((value) => ({ value, at: at(value) })) };
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

const line = (x1: number, y1: number, x2: number, y2: number, stroke: string) =>
  `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${stroke}"/>`;

const text = (x: number, y: number, content: string, anchor: 'start' | 'middle' | 'end', size?: number) =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}"${size ? ` font-size="${size}"` : ''}>${escape(content)}</text>`;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function formatCount(n: number): string {
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e3) return `${n / 1e3}k`;
  return String(n);
}

function formatTime(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : ms >= 1 ? `${ms} ms` : `${ms * 1000} µs`;
}
