/**
 * The lead chart of RESULTS.md: what the application felt while the phased
 * `up` ran at the largest row count, one panel per scenario (its first run):
 * the slowest request of each version per short bucket of time (log scale;
 * faint where the schema does not serve that version, see run-filters.ts),
 * the phases as shaded bands, the latency target as a dashed line, and the
 * failed requests as ticks under the axis.
 */
import type { AppVersion } from './app-load/app-versions';
import type { BenchResult } from './benchmark';
import { formatRows } from './format';
import type { RunMeasurement, Scenario } from './measured-run';
import type { TimelineBucket } from './app-load/latency-timeline';
import { isServed, runsOf } from './run-filters';
import { escape, formatTime, line, text } from './svg-parts';
import { ONLINE } from './targets';

const WIDTH = 860;
const PANEL_HEIGHT = 230;
const PLOT = { left: 80, right: 700, top: 40, bottom: 190 };
const COLOURS: Record<AppVersion, string> = { old: '#c2410c', new: '#7c3aed' };
const PHASE_FILL: Record<string, string> = { expand: '#dbeafe', backfill: '#dcfce7', contract: '#fef3c7', migration: '#e5e7eb' };
/** The scenarios the targets are stated for (early deploy is reported in the tables only). */
type ChartedScenario = Exclude<Scenario, 'idle' | 'early-deploy'>;
const TARGETS: Record<ChartedScenario, number> = { quiet: ONLINE.quietMaxMs, 'open-transaction': ONLINE.openTransactionMaxMs };
const TITLES: Record<ChartedScenario, string> = { quiet: 'quiet table', 'open-transaction': 'with an open application transaction' };

export function latencyChartSvg(result: BenchResult): string {
  const size = [...result.sizes].sort((a, b) => b.rows - a.rows)[0];
  const panels = (['quiet', 'open-transaction'] as const).flatMap((scenario) => {
    const run = size ? runsOf(size, 'ours', 'up', scenario)[0] : undefined;
    return run?.app ? [{ scenario, run }] : [];
  });
  const height = Math.max(1, panels.length) * PANEL_HEIGHT + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...panels.flatMap((p, i) => panel(p.run, p.scenario, size!.rows, i * PANEL_HEIGHT)),
    ...(panels.length === 0 ? [text(WIDTH / 2, 40, 'No phased up ran under load in this run.', 'middle')] : []),
    ...legend(height - 18),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

function panel(run: RunMeasurement, scenario: ChartedScenario, rows: number, top: number): string[] {
  const buckets = run.app!.timeline;
  const from = Math.min(buckets[0]?.at ?? 0, 0);
  const to = Math.max(buckets.at(-1)?.at ?? 1, run.phases.at(-1)?.to ?? 1);
  const x = (ms: number) => PLOT.left + ((ms - from) / (to - from || 1)) * (PLOT.right - PLOT.left);
  const peak = Math.max(TARGETS[scenario], ...buckets.flatMap((b) => [b.maxMs.old, b.maxMs.new]));
  const lo = 0;
  const hi = Math.max(1, Math.ceil(Math.log10(peak * 1.5)));
  const y = (ms: number) => top + PLOT.bottom - ((Math.log10(Math.max(ms, 1)) - lo) / (hi - lo)) * (PLOT.bottom - PLOT.top);
  const out = [text(WIDTH / 2, top + 22, `Phased up at ${formatRows(rows)} rows, ${TITLES[scenario]} (round ${run.round + 1}): slowest request per ${bucketWidth(run)} ms`, 'middle', 13)];
  for (const phase of run.phases) {
    out.push(`<rect x="${x(phase.from).toFixed(1)}" y="${top + PLOT.top}" width="${Math.max(0.5, x(phase.to) - x(phase.from)).toFixed(1)}" height="${PLOT.bottom - PLOT.top}" fill="${PHASE_FILL[phase.phase]}"><title>${escape(`${phase.phase}: ${Math.round(phase.to - phase.from)} ms`)}</title></rect>`);
    if (x(phase.to) - x(phase.from) > 40) out.push(text((x(phase.from) + x(phase.to)) / 2, top + PLOT.top + 14, phase.phase, 'middle', 11));
  }
  for (let power = lo; power <= hi; power++) {
    out.push(line(PLOT.left, y(10 ** power), PLOT.right, y(10 ** power), '#e5e7eb'), text(PLOT.left - 8, y(10 ** power) + 4, formatTime(10 ** power), 'end'));
  }
  const step = niceStep((to - from) / 6);
  for (let at = Math.ceil(from / step) * step; at <= to; at += step) {
    out.push(text(x(at), top + PLOT.bottom + 16, `${Number((at / 1000).toFixed(3))} s`, 'middle'));
  }
  out.push(
    line(PLOT.left, top + PLOT.bottom, PLOT.right, top + PLOT.bottom, '#374151'),
    line(PLOT.left, top + PLOT.top, PLOT.left, top + PLOT.bottom, '#374151'),
    `<line x1="${PLOT.left}" y1="${y(TARGETS[scenario]).toFixed(1)}" x2="${PLOT.right}" y2="${y(TARGETS[scenario]).toFixed(1)}" stroke="#111827" stroke-dasharray="4 4"/>`,
    text(PLOT.right + 6, y(TARGETS[scenario]) + 4, `target ${formatTime(TARGETS[scenario])}`, 'start', 11),
  );
  for (const version of ['old', 'new'] as const) {
    for (const segment of servedSegments(run, version)) {
      const points = segment.buckets.map((b) => `${x(b.at).toFixed(1)},${y(b.maxMs[version]).toFixed(1)}`);
      const style = segment.served ? 'stroke-width="1.5"' : 'stroke-width="1" stroke-opacity="0.4" stroke-dasharray="3 2"';
      out.push(`<polyline fill="none" stroke="${COLOURS[version]}" ${style} points="${points.join(' ')}"/>`);
    }
    const failed = buckets.filter((b) => b.errors[version] > 0);
    const row = top + PLOT.bottom + (version === 'old' ? 24 : 30);
    for (const b of failed) out.push(`<line x1="${x(b.at).toFixed(1)}" y1="${row}" x2="${x(b.at).toFixed(1)}" y2="${row + 4}" stroke="${COLOURS[version]}"/>`);
  }
  return out;
}

/** Consecutive buckets in which the version was served or not (each segment shares its first bucket with the one before). */
function servedSegments(run: RunMeasurement, version: AppVersion): Array<{ served: boolean; buckets: TimelineBucket[] }> {
  const end = run.phases.at(-1)?.to ?? 0;
  const served = (at: number) => {
    if (at < 0) return version === 'old';
    if (at >= end) return version === 'new';
    const phase = run.phases.find((p) => at >= p.from && at < p.to);
    return phase ? isServed(version, phase.phase) : true;
  };
  const segments: Array<{ served: boolean; buckets: TimelineBucket[] }> = [];
  for (const bucket of run.app!.timeline) {
    const now = served(bucket.at);
    const last = segments.at(-1);
    if (last?.served === now) last.buckets.push(bucket);
    else segments.push({ served: now, buckets: last ? [last.buckets.at(-1)!, bucket] : [bucket] });
  }
  return segments;
}

const bucketWidth = (run: RunMeasurement) => {
  const t = run.app!.timeline;
  return t.length > 1 ? Math.round(Math.min(...t.slice(1).map((b, i) => b.at - t[i]!.at))) : 100;
};

function legend(atY: number): string[] {
  return [
    ...(['old', 'new'] as const).flatMap((version, i) => {
      const left = PLOT.left + i * 130;
      return [
        `<line x1="${left}" y1="${atY}" x2="${left + 28}" y2="${atY}" stroke="${COLOURS[version]}" stroke-width="2"/>`,
        text(left + 36, atY + 4, `${version} version`, 'start'),
      ];
    }),
    text(PLOT.left + 260, atY + 4, 'faint: a version the schema does not serve then; ticks below the axis: failed requests', 'start', 11),
  ];
}

/** A round step (1, 2 or 5 times a power of ten, in ms) near `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(rough, 1)));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) ?? 10 * power;
}
