/**
 * Human-readable output of each command's result. Steps are printed as they
 * finish (output/step-progress.ts); these are the closing lines and `status`.
 */
import type { DownResult } from '../commands/down';
import type { DrainStatus, MigrationStatus, PartWayStatus, StatusResult } from '../commands/status';
import { writer } from '../drain/drain-evidence';
import type { UpResult } from '../commands/up';
import { describeDataLoss } from '../engine/data-loss';
import { acceptedLine } from '../checks/accepted-findings';
import type { PartWayState } from '../phased/part-way-state';
import { plainStyle, type Style } from './output/colors';
import { formatDuration } from './output/step-progress';
import { groupDigits } from './output/group-digits';
import { steeringStatusLines } from './output/steering-lines';
import { renderTable, type Column } from './output/table';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const totalMs = (steps: Array<{ ms: number }>) => steps.reduce((sum, s) => sum + s.ms, 0);

export function upSummary(result: UpResult, style: Style = plainStyle): string {
  const expanded = result.expanded.length
    ? `${result.expanded.join(', ')} is expanded and held: both application versions are served. ` +
      'Deploy the new version everywhere, then run `konstruct-migrate complete`.'
    : '';
  // With --to, later migrations may be pending: "up to date" would say otherwise.
  const nothing = result.upTo ? `Nothing to apply: ${result.upTo} and the migrations before it are applied.` : 'Nothing to apply: the database is up to date.';
  if (result.applied.length === 0) return expanded || style.green(nothing);
  const applied = `Applied ${plural(result.applied.length, 'migration')} in batch ${result.batch} (${formatDuration(totalMs(result.applied))}).`;
  return expanded ? `${applied}\n${expanded}` : applied;
}

export function completeSummary(result: UpResult, style: Style = plainStyle): string {
  if (result.applied.length === 0) return style.green('Nothing to complete: no migration stands part-way.');
  return `Completed ${result.applied.map((s) => s.name).join(', ')} in batch ${result.batch} (${formatDuration(totalMs(result.applied))}).`;
}

export function downSummary(result: DownResult, style: Style = plainStyle): string {
  if (result.expanded.length > 0) {
    return `${result.expanded.join(', ')} is back to expanded and held: both application versions are served. ` +
      'Roll the application back, then run `konstruct-migrate down` again to revert the rest (or `complete` to contract again).';
  }
  if (result.reverted.length === 0) return style.green('Nothing to revert.');
  return `Reverted ${plural(result.reverted.length, 'migration')} (${formatDuration(totalMs(result.reverted))}).`;
}

/** What a revert destroyed (as confirmed), or in a dry run would destroy. */
export function dataLossLines(result: DownResult): string[] {
  if (result.dataLoss.length === 0) return [];
  const title = result.dryRun ? 'Reverting for real would destroy:' : 'Destroyed, as confirmed:';
  return [title, ...result.dataLoss.map((l) => `  ${describeDataLoss(l)}`)];
}

const STATE_COLOR: Record<string, keyof Pick<Style, 'green' | 'yellow' | 'red' | 'cyan'>> = {
  applied: 'green',
  pending: 'yellow',
  expanding: 'yellow',
  backfilling: 'yellow',
  expanded: 'cyan',
  contracting: 'yellow',
};

/** Which application versions a part-way migration serves: what decides whether the new one may be deployed. */
const SERVED: Record<PartWayState, string> = {
  expanding: 'expanding: only the old application version is served until it is expanded',
  backfilling: 'backfilling: only the old application version is served until it is expanded',
  expanded: 'expanded: both application versions are served',
  contracting: 'contracting: only the new application version is served',
};

const STATUS_COLUMNS: Array<Column<MigrationStatus>> = [
  { header: 'MIGRATION', value: (m) => m.name },
  // An applied migration whose file changed since shows as `changed` (red); `--json` keeps state and a `changed` flag.
  // One applied from an earlier revision its record accepts says so (`earlierRevision` in --json): not changed.
  { header: 'STATE', value: (m) => (m.changed ? 'changed' : m.earlierRevision ? `${m.state} (earlier revision)` : m.state), color: (text, m, style) => style[(!m.changed && STATE_COLOR[m.state]) || 'red'](text) },
  { header: 'APPLIED AT', value: (m) => (m.appliedAt ? formatTimestamp(m.appliedAt) : '-') },
  { header: 'BATCH', value: (m) => (m.batch === null ? '-' : String(m.batch)), align: 'right' },
];

export function formatStatus(result: StatusResult, style: Style = plainStyle): string[] {
  const upToDate = result.pending === 0 && result.partWay.length === 0 && result.unknown.length === 0 && result.changed.length === 0 && result.order.length === 0 && !result.knexLocked;
  const summary =
    `${result.applied} applied, ${result.pending} pending` +
    (result.partWay.length ? `, ${result.partWay.length} part-way (${result.partWay.join(', ')})` : '') +
    (result.changed.length ? `, ${result.changed.length} changed since applied (${result.changed.join(', ')})` : '') +
    (result.planChanged.length ? `, ${result.planChanged.length} part-way with other steps in this version (${result.planChanged.join(', ')}): finish or revert with the version that started it` : '') +
    (result.unknown.length ? `, ${result.unknown.length} unknown to this code (${result.unknown.join(', ')})` : '') +
    (result.order.length ? `, ${plural(result.order.length, 'order problem')}` : '') +
    (result.knexLocked ? ", knex's lock set" : '') +
    (upToDate ? `: ${style.green('up to date')}.` : '.');
  const partWay = result.migrations.flatMap((m) => {
    const steering = m.steering ? steeringStatusLines(m.steering, style) : [];
    if (!m.partWay) return steering.length ? ['', `${m.name} is pending, steered for when it runs:`, ...steering] : [];
    const lines = partWayLines(m.name, m.partWay);
    return ['', ...lines.slice(0, -1), ...steering, lines.at(-1)!]; // before what to run next
  });
  const accepted = result.accepted.length ? ['', 'Accepted findings of `check` (docs/checking-migrations.md):', ...result.accepted.map((a) => `  ${acceptedLine(a)}`)] : [];
  return [...renderTable(result.migrations, STATUS_COLUMNS, style), ...partWay, ...accepted, ...orderLines(result, style), ...knexLockLines(result, style), '', summary];
}

/** knex's lock left set: every `up` and `down` refuses until it is cleared. */
function knexLockLines(result: StatusResult, style: Style): string[] {
  if (!result.knexLocked) return [];
  return [
    '',
    style.red('knex_migrations_lock.is_locked is set: the stock knex CLI is migrating this database, or a killed knex run left it set.'),
    '  `up` and `down` refuse until it is cleared: once no `knex migrate` command runs, `knex migrate:unlock` (or UPDATE knex_migrations_lock SET is_locked = 0).',
  ];
}

/** Files out of order: `up` refuses the pending ones unless --allow-out-of-order. */
function orderLines(result: StatusResult, style: Style): string[] {
  if (result.order.length === 0) return [];
  const refused = result.order.some((p) => p.pending);
  return [
    '',
    ...result.order.map((p) => style.red(`Out of order: ${p.message}.`)),
    refused ? '  `konstruct-migrate up` refuses to apply them: renumber the pending file after the newest one, or pass --allow-out-of-order.' : '  Both are applied: keep them as they are.',
  ];
}

/** Where a part-way migration stands and what to run next. */
function partWayLines(name: string, p: PartWayStatus): string[] {
  const lines = [`${name} stands part-way, ${SERVED[p.state]} (${p.stepsDone} of ${p.steps} steps done${p.held ? ', held by `up --expand` or `down --to-expanded`' : ''}; last run going ${p.direction}).`];
  if (p.backfill) {
    const total = p.backfill.estimatedRows ? ` of ~${groupDigits(p.backfill.estimatedRows)}` : '';
    lines.push(`  ${p.backfill.step}: ${groupDigits(p.backfill.rowsDone)}${total} rows done, stopped between two batches.`);
  }
  if (p.nextStep) lines.push(`  Next step: ${p.phase}: ${p.nextStep}.`);
  if (p.drain) lines.push(...drainLines(p.drain));
  lines.push(
    p.expanded
      ? '  Run `konstruct-migrate complete --wait` once every instance runs the new version, or `konstruct-migrate down` to revert it.'
      : p.held
        ? '  Run `konstruct-migrate up --expand` to carry it on to expanded (deploy the new version only then), or `konstruct-migrate down` to revert it.'
        : '  Run `konstruct-migrate up` to carry it on, or `konstruct-migrate down` to revert it.',
  );
  return lines;
}

/** The old version's traces: `  Old version seen: UPDATE of portal_users.is_admin, 12 times, last 2026-… by "v1" (user app, 10.0.0.5).` */
function drainLines(d: DrainStatus): string[] {
  const seen = [...d.writes, ...d.reads].filter((e) => e.lastSeen !== null);
  const lines = seen.map((e) => {
    const what = e.source === 'write' ? `${e.detail} of ${e.object}` : `a statement naming ${e.object} (queryid ${e.detail})`;
    const who = e.source === 'write' ? ` by ${writer(e.applicationName, e.user, e.clientAddr)}` : '';
    return `  Old version seen: ${what}, ${e.count} time${e.count === 1 ? '' : 's'}, last ${formatTimestamp(e.lastSeen!)}${who}.`;
  });
  if (seen.length === 0) lines.push('  Old version: no old-shape write or read seen.');
  return [...lines, ...d.notSeen.map((s) => `  Not seen: ${s}.`)];
}

/** UTC, to the second, the same on every machine: `2026-11-01 08:13:59 UTC`. */
function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
