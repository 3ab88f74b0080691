/**
 * How an operator's steering of a backfill reads (`steer`, history/steering-table.ts):
 * the lines a run prints when it is paused, resumed or given a new batch time,
 * the closing line of `steer`, and the line `status` adds under a steered migration.
 */
import type { SteerResult } from '../../commands/steer';
import type { StepEvent } from '../../engine/step-events';
import { describeSteeredBy, type Steering } from '../../history/steering-table';
import type { Style } from './colors';

/** UTC, to the second, the same on every machine: `2026-11-01 08:13:59 UTC`. */
export function utcTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const RESUME = '`konstruct-migrate steer --resume`';

/** `paused by alice@laptop (role app, psql, 10.0.0.5) at 2026-… UTC (peak traffic)` */
function pausedBy(s: { by: Steering['pausedBy']; at: Date | null; reason: string | null }): string {
  return `paused by ${s.by ? describeSteeredBy(s.by) : 'an operator'}${s.at ? ` at ${utcTime(s.at)}` : ''}${s.reason ? ` (${s.reason})` : ''}`;
}

/** `    ‖ fill n: paused by ... — waiting; \`konstruct-migrate steer --resume\`` (a running backfill). */
export function pausedLine(e: Extract<StepEvent, { type: 'paused' }>, style: Style): string {
  return `    ${style.yellow('‖')} ${e.step}: ${pausedBy({ by: e.by, at: e.at, reason: e.reason })} — waiting; ${RESUME}`;
}

/** The spinner's detail while paused. */
export const PAUSED_DETAIL = `paused — waiting; ${RESUME}`;

/** What `steer` did, and when the backfill will notice. */
export function steerSummary(r: SteerResult): string[] {
  const s = r.steering;
  const run = r.running ? `The running ${r.running.applicationName || `session (pid ${r.running.pid})`}` : undefined;
  const lines: string[] = [];
  if (s.paused) {
    lines.push(
      `${r.migration}: ${pausedBy({ by: s.pausedBy, at: s.pausedAt, reason: s.reason })}.`,
      run
        ? `  ${run} waits before its next batch, holding no lock and no transaction; ${RESUME} lets it carry on.`
        : `  No run is active: the next \`up\` or \`complete\` waits before its first batch of it until ${RESUME}.`,
    );
  } else {
    lines.push(r.wasPaused ? `${r.migration}: resumed.` : `${r.migration}: not paused.`);
    if (r.wasPaused) lines.push(run ? `  ${run} carries on with its next batch.` : '  No run is active: the next run carries it on (`konstruct-migrate status` says which command).');
  }
  if (s.batchTimeMs !== null) lines.push(`  Target batch time: ${s.batchTimeMs} ms (set by ${s.updatedBy}); batch sizes adapt to it from the next batch on.`);
  return lines;
}

/** Under a migration in `status`: whether and by whom its backfill is paused, and its steered batch time. */
export function steeringStatusLines(s: Steering, style: Style): string[] {
  return [
    ...(s.paused ? [`  ${style.yellow('Paused')}: ${pausedBy({ by: s.pausedBy, at: s.pausedAt, reason: s.reason })}; ${RESUME} lets it carry on.`] : []),
    ...(s.batchTimeMs !== null ? [`  Target batch time: ${s.batchTimeMs} ms (steered by ${s.updatedBy} at ${utcTime(s.updatedAt)}).`] : []),
  ];
}
