/**
 * A copy at 005 brought to where 006's expand leaves it, in-process, before any batch: `role` with its default
 * and the sync triggers that keep it in step with is_admin (the engine's own steps, run-migration.ts, stopping
 * after the first). Plain batches then run on the table the engine's batches run on.
 */
import path from 'node:path';
import { openContext } from '../../src/context';
import { runMigration } from '../../src/engine/run-migration';
import { workTransactions } from '../../src/engine/work-transaction';
import { listLocalMigrations } from '../../src/history/local-migrations';
import { loadMigration } from '../../src/model/load-migration';
import { PACKAGE_ROOT } from '../project-files';

const MIGRATIONS = path.join(PACKAGE_ROOT, 'dist', 'migrations');

export async function expand006(url: string): Promise<void> {
  const ctx = await openContext({ url, migrationsDir: MIGRATIONS, env: {} });
  try {
    const migration = await loadMigration(listLocalMigrations(MIGRATIONS).find((m) => m.name === '006_rbac_roles')!);
    const runner = workTransactions(ctx.knex, { timeouts: { lockTimeoutMs: 0, statementTimeoutMs: 0 }, lockBudgetMs: 60_000, log: () => {} });
    await runMigration(ctx.knex, runner, { migration, direction: 'up', stopAt: 1, held: true, batch: 2 }, { batchSize: 1, batchPauseMs: 0 });
    const { rows } = await ctx.knex.raw(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = 'portal_users'::regclass AND NOT tgisinternal`);
    if (rows[0].n === 0) throw new Error("006's expand left portal_users without its sync triggers");
  } finally {
    await ctx.close();
  }
}
