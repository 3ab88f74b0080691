/**
 * Through a real PgBouncer in transaction pooling mode (pool size 2): runs
 * serialize and apply each migration once, a killed run leaves no lock (looked
 * for in pg_locks on the server itself), every command works as it does on a
 * direct connection, and what cannot work there is refused before anything
 * changes. Skipped, saying why, when pgbouncer is not installed (failed under CI).
 */
import { describe, expect, it } from 'vitest';
import { poolingMode } from '../../src/db/pooler';
import { runCli } from '../support/cli';
import { testContext } from '../support/context';
import { advisoryLockCount, databaseState, historyNames } from '../support/database-state';
import { skipWithoutPgBouncer, usePgBouncer } from '../support/pooled-databases';
import { expectedCatalog } from '../support/spec-files';
import { sqlMigration, tempMigrations } from '../support/temp-migrations';
import { expectOnlyTheLockHolderCommits, LOST_AT } from '../support/lost-lock-run';
import { statementRunning } from '../support/session-activity';
import { waitUntil } from '../support/wait-until';
import { startWatchedCli } from '../support/watched-cli';
import { expectSameAsDirect } from './same-as-direct';

const withoutPgBouncer = skipWithoutPgBouncer('transaction');
const POOL = { mode: 'transaction', poolSize: 2 } as const;

const ROWS = 20_000;
const RUNS = 6;
const ROUNDS = 3;

describe.skipIf(withoutPgBouncer)('PgBouncer, transaction pooling (pool size 2)', () => {
  const pooled = usePgBouncer(POOL);

  it('is detected as transaction pooling; a direct connection as direct', async () => {
    const { db, url } = await pooled.database('pool_detect');
    for (const [target, expected] of [[url, 'transaction'], [db.url, 'direct']] as const) {
      const ctx = await testContext(target);
      try {
        expect(await poolingMode(ctx.knex)).toBe(expected);
      } finally {
        await ctx.close();
      }
    }
  });

  it(`${RUNS} concurrent \`up\` with 006 pending on ${ROWS} rows, ${ROUNDS} rounds: each applies 006 once, no lock left`, async () => {
    const { db, url } = await pooled.database('pool_concurrent');
    expect((await runCli(['up', '--to', '005'], { env: { DATABASE_URL: url } })).code).toBe(0);
    await db.knex.raw(`
      INSERT INTO portal_users (email, hashed_password, name, is_admin)
      SELECT 'user' || i || '@example.com', 'x', 'User ' || i, i % 7 = 0 FROM generate_series(1, ${ROWS}) AS i`);

    for (let round = 1; round <= ROUNDS; round++) {
      const ups = await Promise.all(Array.from({ length: RUNS }, () => runCli(['up'], { env: { DATABASE_URL: url }, timeoutMs: 180_000 })));
      for (const run of ups) expect(run.code, `round ${round}: ${run.stderr}`).toBe(0);
      const out = ups.map((r) => r.stdout).join('\n');
      expect(out.match(/↑ 006_rbac_roles/g), `round ${round}`).toHaveLength(1);
      expect(out.match(/Nothing to apply: the database is up to date\./g)).toHaveLength(RUNS - 1);
      expect(await historyNames(db.knex)).toEqual(['005_baseline', '006_rbac_roles']);
      expect(await advisoryLockCount(db.knex)).toBe(0);

      const downs = await Promise.all(
        Array.from({ length: RUNS }, () => runCli(['down', '--to', '005', '--yes'], { env: { DATABASE_URL: url }, timeoutMs: 180_000 })),
      );
      for (const run of downs) expect(run.code, `round ${round}: ${run.stderr}`).toBe(0);
      const downOut = downs.map((r) => r.stdout).join('\n');
      expect(downOut.match(/↓ 006_rbac_roles/g), `round ${round}`).toHaveLength(1);
      expect(downOut.match(/Nothing to revert\./g)).toHaveLength(RUNS - 1);
      expect(await historyNames(db.knex)).toEqual(['005_baseline']);
      expect(await advisoryLockCount(db.knex)).toBe(0);
    }
    expect(await db.knex('portal_users').count({ n: '*' })).toEqual([{ n: String(ROWS) }]);
    const state = await databaseState(db.knex);
    expect(state.catalog).toBe(await expectedCatalog(db.knex, 'catalog-after-005.sql'));
  });

  it('SIGKILL while the lock is held inside a step: the lock is freed, the step rolled back, the next run applies it once', async () => {
    const slow = tempMigrations({
      '001_slow': sqlMigration('CREATE TABLE made_by_slow (id int); SELECT pg_sleep(60)', 'DROP TABLE made_by_slow'),
    });
    const { db, url } = await pooled.database('pool_kill');
    try {
      const env = { DATABASE_URL: url, KONSTRUCT_MIGRATIONS_DIR: slow.dir };
      const run = startWatchedCli(['up'], { env });
      await waitUntil(() => statementRunning(db.knex, 'pg_sleep'), '001_slow to be running');
      expect(await advisoryLockCount(db.knex)).toBe(1);

      run.kill('SIGKILL');
      expect((await run.exited).signal).toBe('SIGKILL');
      // Looked for on the server itself, not through the pooler, which keeps its server connections open.
      await waitUntil(async () => (await advisoryLockCount(db.knex)) === 0, 'the migration lock to be freed');
      await waitUntil(async () => !(await statementRunning(db.knex, 'pg_sleep')), 'the killed step to be rolled back');
      expect(await historyNames(db.knex)).toEqual([]);
      expect(await db.knex.schema.hasTable('made_by_slow')).toBe(false);

      slow.write('001_slow', sqlMigration('CREATE TABLE made_by_slow (id int)', 'DROP TABLE made_by_slow'));
      const runs = await Promise.all([1, 2, 3].map(() => runCli(['up'], { env })));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      expect(runs.map((r) => r.stdout).join('').match(/↑ 001_slow/g)).toHaveLength(1);
      expect(await historyNames(db.knex)).toEqual(['001_slow']);
      expect(await advisoryLockCount(db.knex)).toBe(0);
    } finally {
      slow.remove();
    }
  });

  it('every command prints and exits as on a direct connection', async () => {
    const direct = await pooled.direct('pool_direct');
    const through = await pooled.database('pool_commands');
    await expectSameAsDirect(direct, through);
    expect(await advisoryLockCount(through.db.knex)).toBe(0);
  });

  it('a migration outside a transaction is refused before anything changes: exit 2, naming PgBouncer and the migration, then what to do', async () => {
    const dir = tempMigrations({
      '001_table': sqlMigration('CREATE TABLE t (id int)', 'DROP TABLE t'),
      '002_index': sqlMigration('CREATE INDEX CONCURRENTLY t_id ON t (id)', 'DROP INDEX CONCURRENTLY t_id', 'exports.config = { transaction: false };'),
    });
    const { db, url } = await pooled.database('pool_refuse');
    try {
      const before = await databaseState(db.knex);
      const run = await runCli(['up'], { env: { DATABASE_URL: url, KONSTRUCT_MIGRATIONS_DIR: dir.dir } });
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([
        'error: 002_index (up) runs outside a transaction and cannot work through PgBouncer in transaction pooling mode (it needs a database session of its own); nothing was changed',
        '  Run it with a direct DATABASE_URL to PostgreSQL (or a session-mode pool).',
      ]);
      expect(await databaseState(db.knex)).toEqual(before);

      // The same run on a direct URL goes through.
      expect((await runCli(['up'], { env: { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: dir.dir } })).code).toBe(0);
      expect(await historyNames(db.knex)).toEqual(['001_table', '002_index']);
    } finally {
      dir.remove();
    }
  });

  it('--schema is refused the same way (search_path is session state)', async () => {
    const { db, url } = await pooled.database('pool_schema');
    await db.knex.raw('CREATE SCHEMA app');
    const run = await runCli(['status', '--schema', 'app'], { env: { DATABASE_URL: url } });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: --schema app .*cannot work through PgBouncer in transaction pooling mode/),
      '  Run it with a direct DATABASE_URL to PostgreSQL (or a session-mode pool).',
    ]);
  });
});

describe.skipIf(withoutPgBouncer)('PgBouncer, transaction pooling (pool size 5): the migration lock lost mid-work', () => {
  // Two runs at once: each pins a server connection for its lock and one for its step.
  const pooled = usePgBouncer({ mode: 'transaction', poolSize: 5 });

  it.each(LOST_AT)('in %s: the run that lost it rolls back (exit 12), the run that took it applies the work once', async (at) => {
    const { db, url } = await pooled.database('pool_lost');
    await expectOnlyTheLockHolderCommits(db, url, at);
  });
});

describe.skipIf(withoutPgBouncer)('PgBouncer, transaction pooling with a pool of 1', () => {
  // The lock pins the only server connection; PgBouncer gives up on the next statement after query_wait_timeout.
  const tooSmall = usePgBouncer({ mode: 'transaction', poolSize: 1, settings: { query_wait_timeout: '2' } });

  it('a run that cannot get a second server connection says so (exit 4), and changes nothing', async () => {
    const { db, url } = await tooSmall.database('pool_one');
    const before = await databaseState(db.knex);
    const run = await runCli(['up'], { env: { DATABASE_URL: url } });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error: PgBouncer found no free server connection in time \(query_wait_timeout\).*\n {2}.*pool of at least 2 \(default_pool_size\)/);
    await waitUntil(async () => (await advisoryLockCount(db.knex)) === 0, 'the lock to be freed');
    expect(await databaseState(db.knex)).toEqual(before);
  });
});
