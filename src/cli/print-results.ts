/**
 * Human-readable output of each command's result. Steps are printed as they
 * finish (output/step-progress.ts); these are the closing lines and `status`.
 */
import type { DownResult } from '../commands/down';
import type { MigrationStatus, StatusResult } from '../commands/status';
import type { UpResult } from '../commands/up';
import { describeDataLoss } from '../engine/data-loss';
import { plainStyle, type Style } from './output/colors';
import { formatDuration } from './output/step-progress';
import { renderTable, type Column } from './output/table';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const totalMs = (steps: Array<{ ms: number }>) => steps.reduce((sum, s) => sum + s.ms, 0);

export function upSummary(result: UpResult, style: Style = plainStyle): string {
  if (result.applied.length === 0) return style.green('Nothing to apply: the database is up to date.');
  return `Applied ${plural(result.applied.length, 'migration')} in batch ${result.batch} (${formatDuration(totalMs(result.applied))}).`;
}

export function downSummary(result: DownResult, style: Style = plainStyle): string {
  if (result.reverted.length === 0) return style.green('Nothing to revert.');
  return `Reverted ${plural(result.reverted.length, 'migration')} (${formatDuration(totalMs(result.reverted))}).`;
}

/** What a revert destroyed (as confirmed), or in a dry run would destroy. */
export function dataLossLines(result: DownResult): string[] {
  if (result.dataLoss.length === 0) return [];
  const title = result.dryRun ? 'Reverting for real would destroy:' : 'Destroyed, as confirmed:';
  return [title, ...result.dataLoss.map((l) => `  ${describeDataLoss(l)}`)];
}

const STATE_COLOR: Record<string, keyof Pick<Style, 'green' | 'yellow' | 'red'>> = {
  applied: 'green',
  pending: 'yellow',
};

const STATUS_COLUMNS: Array<Column<MigrationStatus>> = [
  { header: 'MIGRATION', value: (m) => m.name },
  // An applied migration whose file changed since shows as `changed` (red); `--json` keeps state and a `changed` flag.
  { header: 'STATE', value: (m) => (m.changed ? 'changed' : m.state), color: (text, m, style) => style[(!m.changed && STATE_COLOR[m.state]) || 'red'](text) },
  { header: 'APPLIED AT', value: (m) => (m.appliedAt ? formatTimestamp(m.appliedAt) : '-') },
  { header: 'BATCH', value: (m) => (m.batch === null ? '-' : String(m.batch)), align: 'right' },
];

export function formatStatus(result: StatusResult, style: Style = plainStyle): string[] {
  const upToDate = result.pending === 0 && result.unknown.length === 0 && result.changed.length === 0;
  const summary =
    `${result.applied} applied, ${result.pending} pending` +
    (result.changed.length ? `, ${result.changed.length} changed since applied (${result.changed.join(', ')})` : '') +
    (result.unknown.length ? `, ${result.unknown.length} unknown to this code (${result.unknown.join(', ')})` : '') +
    (upToDate ? `: ${style.green('up to date')}.` : '.');
  return [...renderTable(result.migrations, STATUS_COLUMNS, style), '', summary];
}

/** UTC, to the second, the same on every machine: `2026-11-01 08:13:59 UTC`. */
function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
