/**
 * Phased (online) migrations through a real PgBouncer in transaction pooling
 * mode (pool size 2): each step and each backfill batch is a short transaction
 * with transaction-local settings, under the migration lock held for the run.
 * Concurrent `up --expand` then `complete` runs do each phase once; a run
 * killed between batches leaves no lock, and `complete` carries on from there.
 * Skipped, saying why, when pgbouncer is not installed (failed under CI).
 */
import { describe, expect, it } from 'vitest';
import { PHASE_TABLE } from '../../src/history/phase-state';
import { runCli } from '../support/cli';
import { advisoryLockCount, databaseState, historyNames } from '../support/database-state';
import { skipWithoutPgBouncer, usePgBouncer, type PooledDatabase } from '../support/pooled-databases';
import { expectedCatalog } from '../support/spec-files';
import type { TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';
import { startWatchedCli } from '../support/watched-cli';

const withoutPgBouncer = skipWithoutPgBouncer('transaction');
const POOL = { mode: 'transaction', poolSize: 2 } as const;
const ROWS = 20_000;
const RUNS = 6;

async function databaseAt005WithRows(pooled: PooledDatabase): Promise<PooledDatabase> {
  const { db, url } = pooled;
  expect((await runCli(['up', '--to', '005'], { env: { DATABASE_URL: url } })).code).toBe(0);
  await db.knex.raw(`
    INSERT INTO portal_users (email, hashed_password, name, is_admin)
    SELECT 'user' || i || '@example.com', 'x', 'User ' || i, i % 7 = 0 FROM generate_series(1, ${ROWS}) AS i`);
  return pooled;
}

const roles = async (db: TestDatabase) =>
  (await db.knex.raw(`SELECT count(*) FILTER (WHERE role = 'platform_admin')::int AS admins, count(role)::int AS filled FROM portal_users`)).rows[0];

/** Rows the backfill's committed batches covered, from the phase row (0 before it starts). */
async function backfilledRows(db: TestDatabase): Promise<number> {
  if (!(await db.knex.schema.hasTable(PHASE_TABLE))) return 0;
  const row = await db.knex(PHASE_TABLE).where({ name: '006_rbac_roles' }).first('rows_done');
  return Number(row?.rows_done ?? 0);
}

describe.skipIf(withoutPgBouncer)('phased migrations through PgBouncer, transaction pooling (pool size 2)', () => {
  const pooled = usePgBouncer(POOL);

  it(`${RUNS} concurrent \`up --expand\`, then ${RUNS} concurrent \`complete\`: all succeed, 006 ends expanded, then completed once, no lock left`, async () => {
    const { db, url } = await databaseAt005WithRows(await pooled.database('ppool_phased'));
    const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: url }, timeoutMs: 180_000 });

    const expands = await Promise.all(Array.from({ length: RUNS }, () => cli('up', '--expand', '--batch-size', '2000')));
    for (const run of expands) expect(run.code, run.stderr).toBe(0);
    expect(expands.map((r) => r.stdout).join('').match(/006_rbac_roles is expanded and held/g)).toHaveLength(RUNS);
    expect(await historyNames(db.knex)).toEqual(['005_baseline']);
    expect(await roles(db)).toEqual({ admins: Math.floor(ROWS / 7), filled: ROWS });
    expect(await advisoryLockCount(db.knex)).toBe(0);
    const status = await cli('status');
    expect(status.stdout).toMatch(/006_rbac_roles stands part-way, expanded/);

    const completes = await Promise.all(Array.from({ length: RUNS }, () => cli('complete')));
    for (const run of completes) expect(run.code, run.stderr).toBe(0);
    const out = completes.map((r) => r.stdout).join('\n');
    expect(out.match(/Completed 006_rbac_roles/g)).toHaveLength(1);
    expect(out.match(/Nothing to complete: no migration stands part-way\./g)).toHaveLength(RUNS - 1);
    expect(await historyNames(db.knex)).toEqual(['005_baseline', '006_rbac_roles']);
    expect(await advisoryLockCount(db.knex)).toBe(0);
    expect((await databaseState(db.knex)).catalog).toBe(await expectedCatalog(db.knex, 'target-catalog-after-006.sql'));
  });

  it('SIGKILL between backfill batches: no lock left, and `complete` carries on to the end', async () => {
    const { db, url } = await databaseAt005WithRows(await pooled.database('ppool_phased_kill'));
    const env = { DATABASE_URL: url };
    // Small batches with pauses, so the kill lands part-way through the backfill.
    const run = startWatchedCli(['up', '--batch-size', '500', '--batch-pause', '200'], { env });
    await waitUntil(async () => (await backfilledRows(db)) > 0, 'the backfill to have done a batch');
    expect(await advisoryLockCount(db.knex)).toBe(1);
    run.kill('SIGKILL');
    await run.exited;
    await waitUntil(async () => (await advisoryLockCount(db.knex)) === 0, 'the migration lock to be freed');
    const rowsDone = await backfilledRows(db);
    expect(rowsDone).toBeGreaterThan(0);
    expect(rowsDone).toBeLessThan(ROWS);

    const status = await runCli(['status'], { env });
    expect(status.stdout).toMatch(/006_rbac_roles stands part-way/);
    const done = await runCli(['complete'], { env, timeoutMs: 180_000 });
    expect(done.code, done.stderr).toBe(0);
    expect(await historyNames(db.knex)).toEqual(['005_baseline', '006_rbac_roles']);
    expect(await advisoryLockCount(db.knex)).toBe(0);
    expect((await databaseState(db.knex)).catalog).toBe(await expectedCatalog(db.knex, 'target-catalog-after-006.sql'));
  });
});
