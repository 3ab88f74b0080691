/**
 * Through a real PgBouncer in session pooling mode: everything
 * works, including what transaction pooling cannot do (a migration outside a
 * transaction, --schema). Skipped, saying why, when pgbouncer is not installed (failed under CI).
 */
import { describe, expect, it } from 'vitest';
import { poolingMode } from '../../src/db/pooler';
import { runCli } from '../support/cli';
import { testContext } from '../support/context';
import { advisoryLockCount, historyNames } from '../support/database-state';
import { skipWithoutPgBouncer, usePgBouncer } from '../support/pooled-databases';
import { sqlMigration, tempMigrations } from '../support/temp-migrations';
import { waitUntil } from '../support/wait-until';
import { startWatchedCli } from '../support/watched-cli';
import { expectSameAsDirect } from './same-as-direct';

// In session mode every client connection holds a server connection until it closes, and a run opens
// up to 4 for these migrations (3 in its pool, 1 for the lock): the pool is sized for the concurrent runs below.
const RUNS = 4;
const withoutPgBouncer = skipWithoutPgBouncer('session');
const POOL = { mode: 'session', poolSize: 4 * RUNS } as const;

describe.skipIf(withoutPgBouncer)(`PgBouncer, session pooling (pool size ${4 * RUNS})`, () => {
  const pooled = usePgBouncer(POOL);

  it('is detected as session pooling', async () => {
    const { url } = await pooled.database('spool_detect');
    const ctx = await testContext(url);
    try {
      expect(await poolingMode(ctx.knex)).toBe('session');
    } finally {
      await ctx.close();
    }
  });

  it('concurrent `up` runs apply each migration once and leave no lock', async () => {
    const { db, url } = await pooled.database('spool_concurrent');
    const runs = await Promise.all(Array.from({ length: RUNS }, () => runCli(['up'], { env: { DATABASE_URL: url }, timeoutMs: 180_000 })));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(runs.map((r) => r.stdout).join('').match(/↑ 006_rbac_roles/g)).toHaveLength(1);
    expect(await historyNames(db.knex)).toEqual(['005_baseline', '006_rbac_roles']);
    expect(await advisoryLockCount(db.knex)).toBe(0);
  });

  it('SIGKILL while the lock is held: the lock is freed and the next run proceeds', async () => {
    const slow = tempMigrations({ '001_slow': sqlMigration('SELECT pg_sleep(60); CREATE TABLE made_by_slow (id int)', 'DROP TABLE made_by_slow') });
    const { db, url } = await pooled.database('spool_kill');
    try {
      const env = { DATABASE_URL: url, KONSTRUCT_MIGRATIONS_DIR: slow.dir };
      const run = startWatchedCli(['up'], { env });
      await waitUntil(async () => (await advisoryLockCount(db.knex)) === 1, 'the run to hold the migration lock');
      run.kill('SIGKILL');
      await run.exited;
      await waitUntil(async () => (await advisoryLockCount(db.knex)) === 0, 'the migration lock to be freed');
      slow.write('001_slow', sqlMigration('CREATE TABLE made_by_slow (id int)', 'DROP TABLE made_by_slow'));
      const next = await runCli(['up'], { env, timeoutMs: 120_000 });
      expect(next.code, next.stderr).toBe(0);
      expect(await historyNames(db.knex)).toEqual(['001_slow']);
    } finally {
      slow.remove();
    }
  });

  it('a migration outside a transaction (CREATE INDEX CONCURRENTLY) runs, under the run\'s lock_timeout', async () => {
    const dir = tempMigrations({
      '001_table': sqlMigration('CREATE TABLE seen (lock_timeout text)', 'DROP TABLE seen'),
      '002_index': `exports.config = { transaction: false };
exports.up = async (knex) => {
  await knex.raw("INSERT INTO seen SELECT current_setting('lock_timeout')");
  await knex.raw('CREATE INDEX CONCURRENTLY seen_lt ON seen (lock_timeout)');
};
exports.down = (knex) => knex.raw('DROP INDEX CONCURRENTLY seen_lt');`,
    });
    const { db, url } = await pooled.database('spool_cic');
    try {
      const run = await runCli(['up', '--lock-timeout', '3'], { env: { DATABASE_URL: url, KONSTRUCT_MIGRATIONS_DIR: dir.dir } });
      expect(run.code, run.stderr).toBe(0);
      expect(await historyNames(db.knex)).toEqual(['001_table', '002_index']);
      expect(await db.knex('seen').pluck('lock_timeout')).toEqual(['3s']);
      const { rows } = await db.knex.raw(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'seen_lt'::regclass`);
      expect(rows).toEqual([{ indisvalid: true }]);
    } finally {
      dir.remove();
    }
  });

  it('--schema works', async () => {
    const { db, url } = await pooled.database('spool_schema');
    await db.knex.raw('CREATE SCHEMA app');
    const run = await runCli(['up', '--schema', 'app'], { env: { DATABASE_URL: url } });
    expect(run.code, run.stderr).toBe(0);
    const { rows } = await db.knex.raw(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'app' AND tablename = 'knex_migrations'`);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('every command prints and exits as on a direct connection', async () => {
    const direct = await pooled.direct('spool_direct');
    await expectSameAsDirect(direct, await pooled.database('spool_commands'));
  });
});
