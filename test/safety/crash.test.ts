/**
 * A run killed with SIGKILL at the worst moment — holding the migration lock,
 * inside a migration transaction, waiting for a table another session holds —
 * leaves no lock behind and nothing half-applied; the next plain run proceeds.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { advisoryLockCount, databaseState, historyNames } from '../support/database-state';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';
import { startWatchedCli } from '../support/watched-cli';

let db: TestDatabase;
const env = () => ({ DATABASE_URL: db.url });
const cli = async (...args: string[]) => {
  const run = await runCli(args, { env: env() });
  expect(run.code, run.stderr).toBe(0);
  return run;
};

beforeAll(async () => {
  db = await createTestDatabase('crash');
});
afterAll(async () => {
  await db?.drop();
});

/** A session of "the application" reading a table in a long transaction: it holds ACCESS SHARE until it ends. */
async function readInLongTransaction(table: string): Promise<Knex.Transaction> {
  const trx = await db.knex.transaction();
  await trx.raw(`LOCK TABLE ${table} IN ACCESS SHARE MODE`);
  return trx;
}

/** True once a konstruct-migrate session is queued for a lock on `table`. */
async function migrationWaitsOn(table: string): Promise<boolean> {
  const { rows } = await db.knex.raw(
    `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE NOT l.granted AND l.relation = ?::regclass AND a.application_name = 'konstruct-migrate'`,
    [table],
  );
  return rows.length > 0;
}

/** No konstruct-migrate session is left in the database (only spawned CLIs connect as one here). */
async function noMigrationSessionLeft(): Promise<boolean> {
  const { rows } = await db.knex.raw(
    `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'konstruct-migrate%'`,
  );
  return rows.length === 0;
}

/**
 * Kills the CLI while it waits for `table`. Its lock session ends at once; its
 * migration backend, queued for the table, notices its client is gone within
 * client_connection_check_interval and rolls back — while the reader still
 * holds the table (otherwise it would wait behind the reader for lock_timeout,
 * which is 0 = forever here). Until it is gone, anything that reads the table
 * — even the catalog functions in databaseState — would queue behind it, so
 * nothing here does.
 */
async function killWhileWaitingOn(table: string, args: string[]): Promise<void> {
  const reader = await readInLongTransaction(table);
  // --lock-timeout 0: wait as long as it takes, so it is surely waiting when killed.
  const run = startWatchedCli([...args, '--lock-timeout', '0'], { env: env() });
  await waitUntil(() => migrationWaitsOn(table), `the CLI waiting for a lock on ${table}`);
  expect(await advisoryLockCount(db.knex)).toBe(1);
  run.kill('SIGKILL');
  const killed = await run.exited;
  expect(killed.signal).toBe('SIGKILL');
  // The server frees the session lock as soon as it sees the connection closed: no need to wait for the table.
  await waitUntil(async () => (await advisoryLockCount(db.knex)) === 0, 'the migration lock to be freed');
  await waitUntil(noMigrationSessionLeft, 'the killed run\'s backend to roll back and end');
  await reader.commit();
}

describe('SIGKILL while waiting on a table lock', () => {
  it('during up: no lock left, 006 not half-applied, and the next plain `up` applies it once', async () => {
    await cli('up', '--to', '005');
    const before = await databaseState(db.knex);

    await killWhileWaitingOn('portal_users', ['up']);
    expect(await databaseState(db.knex)).toEqual(before);

    const next = await cli('up');
    expect(next.stdout).toMatch(/↑ 006_rbac_roles[\s\S]*Applied 1 migration in batch 2/);
    expect(await historyNames(db.knex)).toEqual(['005_baseline', '006_rbac_roles']);
    const after = await databaseState(db.knex);
    expect(after.knexLockRows).toEqual([0]);
    expect(after.advisoryLocks).toBe(0);
  });

  it('during down: no lock left, 006 still fully applied, and the next plain `down` reverts it', async () => {
    await cli('up');
    const before = await databaseState(db.knex);

    // 006's first step down (reverting the contract) needs portal_users exclusively.
    await killWhileWaitingOn('portal_users', ['down']);
    expect(await databaseState(db.knex)).toEqual(before);

    const next = await cli('down');
    expect(next.stdout).toMatch(/↓ 006_rbac_roles/);
    expect(await historyNames(db.knex)).toEqual(['005_baseline']);
    const after = await databaseState(db.knex);
    expect(after.knexLockRows).toEqual([0]);
    expect(after.advisoryLocks).toBe(0);
  });
});
