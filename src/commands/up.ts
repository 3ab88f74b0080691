/** `up`: apply pending migrations in order, each in its own transaction. */
import { assertHistoryKnown, pendingMigrations, resolveTarget } from '../engine/plan';
import { runStep, type StepResult } from '../engine/run-step';
import { ensureHistoryTables, nextBatch, readHistory } from '../history/history-table';
import { listLocalMigrations } from '../history/local-migrations';
import type { MigrationContext } from '../context';

export interface UpOptions {
  /** Stop after this migration (full name or numeric prefix). */
  to?: string;
}

export interface UpResult {
  applied: StepResult[];
  batch: number | null;
}

export async function up(ctx: MigrationContext, options: UpOptions = {}): Promise<UpResult> {
  const local = listLocalMigrations(ctx.migrationsDir);
  const target = options.to ? resolveTarget(options.to, local) : undefined;
  await ensureHistoryTables(ctx.knex);
  const history = await readHistory(ctx.knex);
  assertHistoryKnown(local, history);

  const pending = pendingMigrations(local, history, target);
  if (pending.length === 0) return { applied: [], batch: null };
  const batch = nextBatch(history);
  const applied: StepResult[] = [];
  for (const migration of pending) {
    ctx.log(`applying ${migration.name} ...`);
    applied.push(await runStep(ctx.knex, migration, 'up', batch));
  }
  return { applied, batch };
}
