/** `up`: apply pending migrations in order, each in its own transaction, under the migration lock. */
import type { Knex } from 'knex';
import type { MigrationContext } from '../context';
import { dryRunSteps, type DryRunStep } from '../engine/dry-run';
import { underMigrationLock, type RunOptions } from '../engine/locked-run';
import { assertUnchanged, changedSinceApplied, pendingMigrations, resolveTarget } from '../engine/plan';
import { withCompletedSteps } from '../engine/progress';
import { runStep, type StepResult } from '../engine/run-step';
import { assertSessionStepsCanRun } from '../engine/session-steps';
import type { StepListener } from '../engine/step-events';
import { explainHistoryFailure } from '../history/history-failure';
import { ensureHistoryTables, nextBatch, recordMissingChecksums } from '../history/history-table';
import { listLocalMigrations } from '../history/local-migrations';

export interface UpOptions extends RunOptions {
  /** Stop after this migration (full name or numeric prefix). */
  to?: string;
  /** Told as each migration starts and finishes. */
  onStep?: StepListener;
}

export interface UpResult {
  applied: StepResult[];
  batch: number | null;
  /** Only with dryRun: what each pending step would run; nothing was committed. */
  dryRun?: DryRunStep[];
}

export async function up(ctx: MigrationContext, options: UpOptions = {}): Promise<UpResult> {
  const local = listLocalMigrations(ctx.migrationsDir);
  const target = options.to ? resolveTarget(options.to, local) : undefined;

  return underMigrationLock(ctx, 'up', local, options, async ({ history, timeouts, stepOptions }) => {
    assertUnchanged(changedSinceApplied(local, history), options.allowChanged ?? false);
    const pending = pendingMigrations(local, history, target);
    const batch = nextBatch(history);
    if (options.dryRun) {
      return { applied: [], batch: pending.length ? batch : null, dryRun: await dryRunSteps(ctx.knex, pending, 'up', batch, timeouts) };
    }

    // Rows written without a checksum (stock knex CLI, older versions) get today's: trusted on first sight.
    const unrecorded = history.filter((h) => h.checksum === null).map((h) => local.find((m) => m.name === h.name)!);
    const prepareHistory = (db: Knex) =>
      explainHistoryFailure(async () => {
        await ensureHistoryTables(db);
        await recordMissingChecksums(db, unrecorded);
      });
    if (unrecorded.length > 0) ctx.log(`recording the checksum of ${unrecorded.map((m) => m.name).join(', ')} (applied without one)`);
    if (pending.length === 0) {
      if (unrecorded.length > 0) await ctx.knex.transaction(prepareHistory);
      return { applied: [], batch: null };
    }

    await assertSessionStepsCanRun(ctx.knex, pending, 'up');
    const applied: StepResult[] = [];
    await withCompletedSteps(applied, async () => {
      for (const migration of pending) {
        options.onStep?.({ type: 'started', name: migration.name, direction: 'up' });
        // The history tables are created (if missing) in the first step's transaction, so a failed first run leaves nothing.
        const prepare = applied.length === 0 ? prepareHistory : undefined;
        const step = await runStep(ctx.knex, migration, 'up', batch, { ...stepOptions, prepare });
        applied.push(step);
        options.onStep?.({ type: 'finished', step });
      }
    });
    return { applied, batch };
  });
}
