/** `up`: apply pending migrations in order, each in its own transaction. */
import { assertHistoryKnown, pendingMigrations, resolveTarget } from '../engine/plan';
import { runStep, type StepResult } from '../engine/run-step';
import type { StepListener } from '../engine/step-events';
import { ensureHistoryTables, nextBatch, readHistory } from '../history/history-table';
import { listLocalMigrations } from '../history/local-migrations';
import type { MigrationContext } from '../context';

export interface UpOptions {
  /** Stop after this migration (full name or numeric prefix). */
  to?: string;
  /** Told as each migration starts and finishes. */
  onStep?: StepListener;
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
    options.onStep?.({ type: 'started', name: migration.name, direction: 'up' });
    const step = await runStep(ctx.knex, migration, 'up', batch);
    applied.push(step);
    options.onStep?.({ type: 'finished', step });
  }
  return { applied, batch };
}
