/**
 * `down`: revert the last applied migration, or down to a target, or all —
 * under the migration lock. A revert that would destroy data (see each
 * migration's `dataLostOnDown`) is refused unless `yes` is set or
 * `confirmDataLoss` (the CLI asks on a terminal) agrees; a refused run changes nothing.
 * A phased migration that stands part-way is reverted first, from wherever it stands.
 */
import type { MigrationContext } from '../context';
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';
import { dataLostByReverting, RefusedDestructiveError, type StepDataLoss } from '../engine/data-loss';
import { dryRunSteps, type DryRunStep } from '../engine/dry-run';
import { batchOptions, underMigrationLock, type RunOptions } from '../engine/locked-run';
import { assertPlansUnchanged, assertUnchanged, changedSinceApplied, migrationsToRevert, resolveTarget } from '../engine/plan';
import { withCompletedSteps } from '../engine/progress';
import { runMigration, startingPosition } from '../engine/run-migration';
import type { StepResult } from '../engine/step-result';
import { assertSessionStepsCanRun } from '../engine/session-steps';
import type { StepListener } from '../engine/step-events';
import { workTransactions } from '../engine/work-transaction';
import { listLocalMigrations } from '../history/local-migrations';
import { loadMigrations } from '../model/load-migration';
import { revertLosesData, type Migration } from '../model/migration';
import { DEFAULT_SNAPSHOTS_DIR } from '../catalog/snapshot-files';
import { contractDropsIn } from '../drain/contract-drops';
import { assertDownScope } from './preflight';
import { removeLeftoverCopies } from '../checks/leftover-copies';

export interface DownOptions extends RunOptions {
  /** Revert down to, but not including, this migration. */
  to?: string;
  all?: boolean;
  /** Revert even when it destroys data. */
  yes?: boolean;
  /** Asked when the revert would destroy data and `yes` is not set; without it, such a revert is refused. */
  confirmDataLoss?: (dataLoss: StepDataLoss[]) => Promise<boolean>;
  /** Told as each migration starts and finishes. */
  onStep?: StepListener;
  /**
   * Revert only the contract of the newest phased migration, leaving it expanded
   * and held (both application versions served): roll the application back, then
   * `down` again to revert the rest.
   */
  toExpanded?: boolean;
}

export interface DownResult {
  reverted: StepResult[];
  /** With toExpanded: phased migrations left expanded and held (their contract reverted). */
  expanded: string[];
  /** What the revert destroyed (or, in a dry run, would destroy). */
  dataLoss: StepDataLoss[];
  /** Only with dryRun: what each step would run; nothing was committed. */
  dryRun?: DryRunStep[];
}

export async function down(ctx: MigrationContext, options: DownOptions = {}): Promise<DownResult> {
  assertDownScope(options);
  await removeLeftoverCopies();
  const local = listLocalMigrations(ctx.migrationsDir);
  const target = options.to ? resolveTarget(options.to, local) : undefined;

  return underMigrationLock(ctx, 'down', local, options, async ({ history, partWay, timeouts, stepOptions }) => {
    if (history.length === 0 && partWay.length === 0 && !target && !options.all) {
      throw new KonstructError('nothing to revert: no migration has been applied', {
        exitCode: ExitCode.Usage,
        hint: 'Run `konstruct-migrate status` to see the history.',
      });
    }
    // A part-way migration is the newest one: it is reverted first, and alone by a plain `down`.
    const states = new Map(partWay.map((s) => [s.name, s]));
    const partWayLocal = local.filter((m) => states.has(m.name)).reverse();
    const applied = migrationsToRevert(local, history, { to: target, all: options.all });
    const reverting = partWayLocal.length > 0 && !target && !options.all ? partWayLocal : [...partWayLocal, ...applied];
    if (options.toExpanded && (target || options.all)) throw refuseToExpanded('--to-expanded reverts the contract of the newest migration only: it cannot be combined with --to or --all');
    const names = new Set(reverting.map((m) => m.name));
    assertUnchanged(changedSinceApplied(local, history).filter((n) => names.has(n)), options.allowChanged ?? false);
    const toRevert = await loadMigrations(reverting);
    assertPlansUnchanged(toRevert, partWay);
    const stopAt = options.toExpanded ? expandedPointOf(toRevert[0]) : 0;

    const dropsOf = (migration: Migration) => contractDropsIn(DEFAULT_SNAPSHOTS_DIR, local.map((m) => m.name), migration.name);
    const dataLoss = await dataLostByReverting(ctx.knex, toRevert.filter((m) => revertLosesData(m, stopAt)), timeouts);
    const from = (migration: Migration) =>
      startingPosition({ state: states.get(migration.name), applied: !states.has(migration.name), direction: 'down', steps: migration.steps });
    if (options.dryRun) {
      const units = toRevert.map((migration) => ({ migration, from: from(migration), stopAt, drops: dropsOf(migration) }));
      return { reverted: [], expanded: [], dataLoss, dryRun: await dryRunSteps(ctx.knex, units, 'down', { batch: 0, batchSize: batchOptions(options).batchSize, timeouts }) };
    }
    await assertSessionStepsCanRun(ctx.knex, toRevert, 'down');
    if (dataLoss.length > 0 && !options.yes && !(await options.confirmDataLoss?.(dataLoss))) {
      throw new RefusedDestructiveError(dataLoss);
    }

    const runner = workTransactions(ctx.knex, stepOptions);
    const reverted: StepResult[] = [];
    const expanded: string[] = [];
    await withCompletedSteps(reverted, async () => {
      for (const migration of toRevert) {
        options.onStep?.({ type: 'started', name: migration.name, direction: 'down' });
        const target = { migration, state: states.get(migration.name), applied: !states.has(migration.name), direction: 'down' as const, stopAt, held: Boolean(options.toExpanded), batch: 0, drops: dropsOf(migration) };
        const step = await runMigration(ctx.knex, runner, target, { ...batchOptions(options), onStep: options.onStep });
        if (stopAt > 0) {
          expanded.push(migration.name);
          continue;
        }
        reverted.push(step);
        options.onStep?.({ type: 'finished', step });
      }
    });
    return { reverted, expanded, dataLoss };
  });
}

/** `down --to-expanded`: the one migration it reverts must be phased; returns its expanded point. */
function expandedPointOf(newest: Migration | undefined): number {
  if (!newest?.phased) throw refuseToExpanded(`--to-expanded reverts the contract of a phased migration, and ${newest?.name ?? 'no migration'} is not one`);
  return newest.expandedAt;
}

function refuseToExpanded(why: string): KonstructError {
  return new KonstructError(why, { exitCode: ExitCode.Usage, hint: 'Nothing was changed. `konstruct-migrate status` shows what is applied.' });
}
