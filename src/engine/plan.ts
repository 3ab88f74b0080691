/**
 * Deciding what a command will do, from the migrations this code knows and the
 * history the database holds. Pure functions: no I/O, easy to test and reason about.
 */
import { HistoryMismatchError, TargetError } from '../errors';
import type { AppliedMigration } from '../history/history-table';
import type { LocalMigration } from '../history/local-migrations';
import type { PhaseState } from '../history/phase-state';
import type { Migration } from '../model/migration';
import { revisionOf } from '../history/superseded-checksums';

/** `005` or `005_baseline` -> the one local migration it names. */
export function resolveTarget(target: string, local: LocalMigration[]): LocalMigration {
  const exact = local.find((m) => m.name === target);
  if (exact) return exact;
  const byPrefix = local.filter((m) => m.name.startsWith(`${target}_`));
  if (byPrefix.length === 1) return byPrefix[0]!;
  const known = local.map((m) => m.name).join(', ') || '(none)';
  if (byPrefix.length > 1) {
    throw new TargetError(`"${target}" names several migrations: ${byPrefix.map((m) => m.name).join(', ')}`, 'Use the full name.');
  }
  throw new TargetError(`unknown migration "${target}"`, `Known migrations: ${known}`);
}

/** Applied migrations this code does not have: the database is ahead of the code. */
export function unknownApplied(local: LocalMigration[], history: AppliedMigration[]): string[] {
  const names = new Set(local.map((m) => m.name));
  return history.filter((h) => !names.has(h.name)).map((h) => h.name);
}

export function assertHistoryKnown(local: LocalMigration[], history: AppliedMigration[]): void {
  const unknown = unknownApplied(local, history);
  if (unknown.length > 0) {
    throw new HistoryMismatchError(
      `the database has applied migrations this code does not know: ${unknown.join(', ')}`,
      'Nothing was changed. If the files were deleted or renamed here, restore them (git status shows it); if a newer version of the migrations applied them, run that version.',
    );
  }
}

/**
 * Applied migrations whose file differs from what was applied (rows without a recorded checksum are not judged;
 * an earlier revision recorded in superseded-checksums.json is not a difference).
 */
export function changedSinceApplied(local: LocalMigration[], history: AppliedMigration[]): string[] {
  const byName = new Map(local.map((m) => [m.name, m]));
  return history.filter((h) => h.checksum !== null && byName.has(h.name) && revisionOf(byName.get(h.name)!, h.checksum) === 'changed').map((h) => h.name);
}

/** Applied migrations whose history row holds an earlier revision's checksum (superseded-checksums.json). */
export function appliedAsEarlierRevision(local: LocalMigration[], history: AppliedMigration[]): string[] {
  const byName = new Map(local.map((m) => [m.name, m]));
  return history.filter((h) => h.checksum !== null && byName.has(h.name) && revisionOf(byName.get(h.name)!, h.checksum) === 'earlier').map((h) => h.name);
}

export function assertUnchanged(changed: string[], allowChanged: boolean): void {
  if (changed.length > 0 && !allowChanged) {
    throw new HistoryMismatchError(
      `applied migrations were changed since they were applied: ${changed.join(', ')}`,
      'Restore them as they were applied (see git history); if the change is intended and harmless, pass --allow-changed. Nothing was changed.',
    );
  }
}

export function pendingMigrations(local: LocalMigration[], history: AppliedMigration[], to?: LocalMigration): LocalMigration[] {
  const applied = new Set(history.map((h) => h.name));
  const pending = local.filter((m) => !applied.has(m.name));
  return to ? pending.filter((m) => m.name <= to.name) : pending;
}

/** Newest first: the migrations `down` reverts. */
export function migrationsToRevert(
  local: LocalMigration[],
  history: AppliedMigration[],
  options: { to?: LocalMigration; all?: boolean },
): LocalMigration[] {
  const byName = new Map(local.map((m) => [m.name, m]));
  const appliedNewestFirst = [...history].reverse().map((h) => byName.get(h.name)!);
  if (options.all) return appliedNewestFirst;
  if (options.to) return appliedNewestFirst.filter((m) => m.name > options.to!.name);
  return appliedNewestFirst.slice(0, 1);
}

/**
 * A part-way migration must be one this code knows, unchanged since its first
 * step ran: carrying on with different steps could leave a state neither end knows.
 */
export function assertPartWayKnown(local: LocalMigration[], partWay: PhaseState[], allowChanged: boolean): void {
  const byName = new Map(local.map((m) => [m.name, m]));
  const unknown = partWay.filter((s) => !byName.has(s.name)).map((s) => s.name);
  if (unknown.length > 0) {
    throw new HistoryMismatchError(
      `the database has part-way migrations this code does not know: ${unknown.join(', ')}`,
      'Finish or revert them with the version of konstruct-migrate that started them (nothing was changed).',
    );
  }
  const changed = partWay.filter((s) => s.checksum !== null && revisionOf(byName.get(s.name)!, s.checksum) === 'changed').map((s) => s.name);
  if (changed.length > 0 && !allowChanged) {
    throw new HistoryMismatchError(
      `part-way migrations were changed since their first step ran: ${changed.join(', ')}`,
      'Restore them as they were (see git history); if the change is intended and harmless, pass --allow-changed. Nothing was changed.',
    );
  }
}

/**
 * A part-way migration must still mean, step for step, what it meant when its
 * first step ran (model/plan-fingerprint.ts): an operations file whose compiled
 * steps changed under a newer engine would otherwise be carried on, either way,
 * from a step number that now names other work. No override: neither end is
 * known to be reachable from there. A row recorded before plans were (null)
 * is trusted, and gets today's plan from the run.
 */
export function assertPlansUnchanged(migrations: readonly Migration[], partWay: readonly PhaseState[]): void {
  const states = new Map(partWay.map((s) => [s.name, s]));
  const changed = migrations.filter((m) => {
    const recorded = states.get(m.name)?.plan;
    return recorded != null && recorded !== m.plan;
  });
  if (changed.length === 0) return;
  const first = changed[0]!;
  const state = states.get(first.name)!;
  throw new HistoryMismatchError(
    `${changed.map((m) => m.name).join(', ')} stands part-way (${state.stepsDone} steps done, going ${state.direction}), but this version of konstruct-migrate compiles it into other steps (plan ${first.plan}) than the version that started it (plan ${state.plan}): carrying it on could run the wrong step`,
    'Finish it (`complete`) or revert it (`down`) with the version of konstruct-migrate that started it, then upgrade (docs/online-migrations.md#when-the-engine-changes-under-a-part-way-migration). Nothing was changed.',
  );
}
