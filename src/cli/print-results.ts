/** Human-readable output of each command's result. */
import type { DownResult } from '../commands/down';
import type { StatusResult } from '../commands/status';
import type { UpResult } from '../commands/up';
import { describeDataLoss } from '../engine/data-loss';
import type { StepResult } from '../engine/run-step';
import { formatDryRun } from './print-dry-run';

const step = (s: StepResult) =>
  `  ${s.direction === 'up' ? '↑' : '↓'} ${s.name} (${s.ms} ms${s.attempts > 1 ? `, ${s.attempts} attempts` : ''})`;

export function formatUp(result: UpResult): string[] {
  if (result.dryRun) return formatDryRun('up', result.dryRun);
  if (result.applied.length === 0) return ['Nothing to apply: the database is up to date.'];
  return [
    `Applied ${result.applied.length} migration(s) (batch ${result.batch}):`,
    ...result.applied.map(step),
  ];
}

export function formatDown(result: DownResult): string[] {
  const loss = result.dataLoss.map((l) => `  ${describeDataLoss(l)}`);
  if (result.dryRun) {
    return [...formatDryRun('down', result.dryRun), ...(loss.length ? ['Reverting for real would destroy:', ...loss] : [])];
  }
  if (result.reverted.length === 0) return ['Nothing to revert.'];
  return [
    `Reverted ${result.reverted.length} migration(s):`,
    ...result.reverted.map(step),
    ...(loss.length ? ['Destroyed, as confirmed:', ...loss] : []),
  ];
}

export function formatStatus(result: StatusResult): string[] {
  const width = Math.max(4, ...result.migrations.map((m) => m.name.length));
  const lines = result.migrations.map((m) => {
    const when = m.appliedAt ? m.appliedAt.toISOString() : '';
    const note = m.changed ? '  CHANGED since applied' : m.state === 'unknown' ? '  not in this code' : '';
    return `  ${m.name.padEnd(width)}  ${m.state.padEnd(7)}  ${when}${note}`.trimEnd();
  });
  const problems = [
    result.changed.length ? `${result.changed.length} changed since applied (${result.changed.join(', ')})` : '',
    result.unknown.length ? `${result.unknown.length} unknown to this code (${result.unknown.join(', ')})` : '',
  ].filter(Boolean);
  const summary =
    [`${result.applied} applied, ${result.pending} pending`, ...problems].join(', ') +
    (result.pending === 0 && problems.length === 0 ? ': up to date.' : '.');
  return [...lines, summary];
}
