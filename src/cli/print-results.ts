/** Human-readable output of each command's result. */
import type { DownResult } from '../commands/down';
import type { StatusResult } from '../commands/status';
import type { UpResult } from '../commands/up';
import type { StepResult } from '../engine/run-step';

const step = (s: StepResult) => `  ${s.direction === 'up' ? '↑' : '↓'} ${s.name} (${s.ms} ms)`;

export function formatUp(result: UpResult): string[] {
  if (result.applied.length === 0) return ['Nothing to apply: the database is up to date.'];
  return [
    `Applied ${result.applied.length} migration(s) (batch ${result.batch}):`,
    ...result.applied.map(step),
  ];
}

export function formatDown(result: DownResult): string[] {
  if (result.reverted.length === 0) return ['Nothing to revert.'];
  return [`Reverted ${result.reverted.length} migration(s):`, ...result.reverted.map(step)];
}

export function formatStatus(result: StatusResult): string[] {
  const width = Math.max(4, ...result.migrations.map((m) => m.name.length));
  const lines = result.migrations.map((m) => {
    const when = m.appliedAt ? m.appliedAt.toISOString() : '';
    return `  ${m.name.padEnd(width)}  ${m.state.padEnd(7)}  ${when}`.trimEnd();
  });
  const summary =
    `${result.applied} applied, ${result.pending} pending` +
    (result.unknown.length ? `, ${result.unknown.length} unknown to this code (${result.unknown.join(', ')})` : '') +
    (result.pending === 0 && result.unknown.length === 0 ? ': up to date.' : '.');
  return [...lines, summary];
}
