/**
 * Puts a database where a phased 006 can stand, in-process and without killing
 * anything: after `stepsDone` steps going up, or (`afterBatches`) between two
 * batches of its backfill, as a crash there would leave it.
 */
import { expect } from 'vitest';
import type { MigrationContext } from '../../src/context';
import { runMigration } from '../../src/engine/run-migration';
import { workTransactions } from '../../src/engine/work-transaction';
import { listLocalMigrations } from '../../src/history/local-migrations';
import { loadMigration } from '../../src/model/load-migration';
import { SOURCE_MIGRATIONS_DIR } from './context';

class StopHere extends Error {}

/** `held`: marked as `up --expand` leaves it, so that plain `up` refuses to carry it on. */
export async function standAt(ctx: MigrationContext, stepsDone: number, afterBatches?: number, held = false): Promise<void> {
  const migration = await loadMigration(listLocalMigrations(SOURCE_MIGRATIONS_DIR).find((m) => m.name === '006_rbac_roles')!);
  let batches = 0;
  const runner = workTransactions(ctx.knex, { timeouts: { lockTimeoutMs: 500, statementTimeoutMs: 0 }, lockBudgetMs: 10_000, log: () => {} });
  const run = runMigration(
    ctx.knex,
    runner,
    { migration, direction: 'up', stopAt: stepsDone, held, batch: 2 },
    {
      batchSize: 1,
      batchPauseMs: 0,
      onStep: (event) => {
        // Like a crash between two batches: the batch before has committed its cursor.
        if (event.type === 'progress' && afterBatches !== undefined && ++batches === afterBatches) throw new StopHere();
      },
    },
  );
  if (afterBatches === undefined) await run;
  else await expect(run).rejects.toThrow(StopHere);
}
