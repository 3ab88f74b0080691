/** `down`: revert the last applied migration, or down to a target, or all. */
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';
import { assertHistoryKnown, migrationsToRevert, resolveTarget } from '../engine/plan';
import { runStep, type StepResult } from '../engine/run-step';
import type { StepListener } from '../engine/step-events';
import { readHistory } from '../history/history-table';
import { listLocalMigrations } from '../history/local-migrations';
import type { MigrationContext } from '../context';

export interface DownOptions {
  /** Revert down to, but not including, this migration. */
  to?: string;
  all?: boolean;
  /** Told as each migration starts and finishes. */
  onStep?: StepListener;
}

export interface DownResult {
  reverted: StepResult[];
}

export async function down(ctx: MigrationContext, options: DownOptions = {}): Promise<DownResult> {
  const local = listLocalMigrations(ctx.migrationsDir);
  const target = options.to ? resolveTarget(options.to, local) : undefined;
  const history = await readHistory(ctx.knex);
  assertHistoryKnown(local, history);

  if (history.length === 0 && !target && !options.all) {
    throw new KonstructError("nothing to revert: no migration has been applied", {
      exitCode: ExitCode.Usage,
      hint: 'Run `konstruct-migrate status` to see the history.',
    });
  }
  const reverted: StepResult[] = [];
  for (const migration of migrationsToRevert(local, history, { to: target, all: options.all })) {
    options.onStep?.({ type: 'started', name: migration.name, direction: 'down' });
    const step = await runStep(ctx.knex, migration, 'down', 0);
    reverted.push(step);
    options.onStep?.({ type: 'finished', step });
  }
  return { reverted };
}
