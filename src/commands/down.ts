/**
 * `down`: revert the last applied migration, or down to a target, or all —
 * under the migration lock. A revert that would destroy data (see each
 * migration's `dataLostOnDown`) is refused unless `yes` is set or
 * `confirmDataLoss` (the CLI asks on a terminal) agrees; a refused run changes nothing.
 */
import type { MigrationContext } from '../context';
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';
import { dataLostByReverting, RefusedDestructiveError, type StepDataLoss } from '../engine/data-loss';
import { dryRunSteps, type DryRunStep } from '../engine/dry-run';
import { underMigrationLock, type RunOptions } from '../engine/locked-run';
import { assertUnchanged, changedSinceApplied, migrationsToRevert, resolveTarget } from '../engine/plan';
import { withCompletedSteps } from '../engine/progress';
import { runStep, type StepResult } from '../engine/run-step';
import { assertSessionStepsCanRun } from '../engine/session-steps';
import type { StepListener } from '../engine/step-events';
import { listLocalMigrations } from '../history/local-migrations';

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
}

export interface DownResult {
  reverted: StepResult[];
  /** What the revert destroyed (or, in a dry run, would destroy). */
  dataLoss: StepDataLoss[];
  /** Only with dryRun: what each step would run; nothing was committed. */
  dryRun?: DryRunStep[];
}

export async function down(ctx: MigrationContext, options: DownOptions = {}): Promise<DownResult> {
  const local = listLocalMigrations(ctx.migrationsDir);
  const target = options.to ? resolveTarget(options.to, local) : undefined;

  return underMigrationLock(ctx, 'down', local, options, async ({ history, timeouts, stepOptions }) => {
    if (history.length === 0 && !target && !options.all) {
      throw new KonstructError('nothing to revert: no migration has been applied', {
        exitCode: ExitCode.Usage,
        hint: 'Run `konstruct-migrate status` to see the history.',
      });
    }
    const toRevert = migrationsToRevert(local, history, { to: target, all: options.all });
    const names = new Set(toRevert.map((m) => m.name));
    assertUnchanged(changedSinceApplied(local, history).filter((n) => names.has(n)), options.allowChanged ?? false);

    const dataLoss = await dataLostByReverting(ctx.knex, toRevert, timeouts);
    if (options.dryRun) {
      return { reverted: [], dataLoss, dryRun: await dryRunSteps(ctx.knex, toRevert, 'down', 0, timeouts) };
    }
    await assertSessionStepsCanRun(ctx.knex, toRevert, 'down');
    if (dataLoss.length > 0 && !options.yes && !(await options.confirmDataLoss?.(dataLoss))) {
      throw new RefusedDestructiveError(dataLoss);
    }

    const reverted: StepResult[] = [];
    await withCompletedSteps(reverted, async () => {
      for (const migration of toRevert) {
        options.onStep?.({ type: 'started', name: migration.name, direction: 'down' });
        const step = await runStep(ctx.knex, migration, 'down', 0, stepOptions);
        reverted.push(step);
        options.onStep?.({ type: 'finished', step });
      }
    });
    return { reverted, dataLoss };
  });
}
