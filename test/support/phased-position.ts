/**
 * Puts a database where a phased 006 can stand, in-process and without killing
 * anything: after `stepsDone` steps going up, or (`afterBatches`) between two
 * batches of its backfill, as a crash there would leave it.
 */
import { expect } from 'vitest';
import type { MigrationContext } from '../../src/context';
import { listLocalMigrations, loadMigration } from '../../src/history/local-migrations';
import { runPhased } from '../../src/phased/run-phased';
import { SOURCE_MIGRATIONS_DIR } from './context';

class StopHere extends Error {}

/** `held`: marked as `up --expand` leaves it, so that plain `up` refuses to carry it on. */
export async function standAt(ctx: MigrationContext, stepsDone: number, afterBatches?: number, held = false): Promise<void> {
  const migration = listLocalMigrations(SOURCE_MIGRATIONS_DIR).find((m) => m.name === '006_rbac_roles')!;
  const steps = (await loadMigration(migration)).phases!;
  let batches = 0;
  const run = runPhased(
    ctx.knex,
    { migration, steps, direction: 'up', stopAt: stepsDone, held, batch: 2 },
    {
      timeouts: { lockTimeoutMs: 500, statementTimeoutMs: 0 },
      lockBudgetMs: 10_000,
      log: () => {},
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
