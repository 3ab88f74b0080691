/**
 * The migration lock lives in a transaction held open for the run
 * (db/advisory-lock.ts). That transaction must survive the server's
 * idle_in_transaction_session_timeout, and hold no snapshot (xmin) while the
 * run's steps execute: a snapshot would hold back VACUUM and make the run's own
 * CREATE INDEX CONCURRENTLY wait for it forever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY } from '../../src/db/advisory-lock';
import { historyNames } from '../support/database-state';
import { runCli } from '../support/cli';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { statementRunning } from '../support/session-activity';
import { waitUntil } from '../support/wait-until';
import { startWatchedCli } from '../support/watched-cli';

let db: TestDatabase;
let dir: TempMigrations;

beforeAll(async () => {
  db = await createTestDatabase('locktx');
  // The first step lasts longer than the server lets a session idle in a transaction.
  await db.knex.raw(`ALTER DATABASE ${db.name} SET idle_in_transaction_session_timeout = '500ms'`);
  dir = tempMigrations({
    '001_slow': sqlMigration('SELECT pg_sleep(2); CREATE TABLE slow_done (id int)', 'DROP TABLE slow_done'),
    '002_next': sqlMigration('CREATE TABLE next_done (id int)', 'DROP TABLE next_done'),
  });
});
afterAll(async () => {
  await db?.drop();
  dir?.remove();
});

/** The lock session's row in pg_stat_activity, while a run holds it. */
async function lockSession(): Promise<{ state: string; backend_xmin: string | null } | undefined> {
  const { rows } = await db.knex.raw(
    `SELECT a.state, a.backend_xmin::text FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows[0];
}

describe('the lock transaction', () => {
  it('outlives idle_in_transaction_session_timeout and holds no snapshot while a step runs', async () => {
    const run = startWatchedCli(['up'], { env: { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: dir.dir } });
    await waitUntil(async () => (await lockSession()) !== undefined, 'the run to hold the lock');
    await waitUntil(() => statementRunning(db.knex, 'pg_sleep(2)'), '001_slow to be running');
    expect(await lockSession()).toEqual({ state: 'idle in transaction', backend_xmin: null });

    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(await historyNames(db.knex)).toEqual(['001_slow', '002_next']);
  });

  it('conflicts with the session-level lock older versions take on the same key', async () => {
    const old = await db.knex.client.acquireRawConnection();
    try {
      await old.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK_KEY]);
      const run = await runCli(['down', '--lock-wait', '0'], { env: { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: dir.dir } });
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(/another migration run holds the lock/);
    } finally {
      await db.knex.client.destroyRawConnection(old);
    }
  });
});
