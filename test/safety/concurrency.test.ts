/**
 * Runs against the same database are serialized by the migration lock: they
 * wait for each other (saying for whom), then find nothing left to do.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY } from '../../src/db/advisory-lock';
import { runCli } from '../support/cli';
import { databaseState, historyNames } from '../support/database-state';
import { closeGate, PASS_GATE, sessionsWaiting } from '../support/migration-gate';
import { expectedCatalog } from '../support/spec-files';
import { sqlMigration, tempMigrations } from '../support/temp-migrations';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';
import { startWatchedCli } from '../support/watched-cli';

let db: TestDatabase;
const env = () => ({ DATABASE_URL: db.url });

beforeAll(async () => {
  db = await createTestDatabase('concurrency');
});
afterAll(async () => {
  await db?.drop();
});

/** Another run, as far as PostgreSQL can tell: a session holding the migration lock. */
async function holdMigrationLock(): Promise<{ pid: number; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: db.url, application_name: 'other-deploy' });
  await client.connect();
  const { rows } = await client.query('SELECT pg_advisory_lock($1, $2), pg_backend_pid() AS pid', [...MIGRATION_LOCK_KEY]);
  return { pid: rows[0].pid, release: () => client.end() };
}

describe('concurrent runs', () => {
  afterEach(async () => {
    await db.knex.raw('DROP TABLE IF EXISTS user_tenant_roles, portal_invitations, portal_users, tenants, knex_migrations, knex_migrations_lock');
  });

  it('8 concurrent `up` runs on a fresh database all exit 0 and apply each migration exactly once', async () => {
    const runs = await Promise.all(Array.from({ length: 8 }, () => runCli(['up'], { env: env(), timeoutMs: 120_000 })));

    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const all = runs.map((r) => r.stdout).join('\n');
    expect(all.match(/↑ 005_baseline/g)).toHaveLength(1);
    expect(all.match(/↑ 006_rbac_roles/g)).toHaveLength(1);
    expect(all.match(/Nothing to apply: the database is up to date\./g)).toHaveLength(7);
    expect(await historyNames(db.knex)).toEqual(['005_baseline', '006_rbac_roles']);
    const state = await databaseState(db.knex);
    expect(state.catalog).toBe(await expectedCatalog(db.knex, 'target-catalog-after-006.sql'));
    expect(state.knexLockRows).toEqual([0]);
    expect(state.advisoryLocks).toBe(0);
  });

  it('a run that finds another one running waits, names it, then carries on when it is done', async () => {
    const other = await holdMigrationLock();
    const waiting = startWatchedCli(['up'], { env: env() });
    try {
      await waiting.waitForOutput(new RegExp(`waiting for the migration lock, held by pid ${other.pid} \\("other-deploy", user \\w+, from [\\d.:a-f]+, holding it for`));
      expect(await historyNames(db.knex)).toEqual([]);
    } finally {
      await other.release();
    }
    const run = await waiting.exited;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Applied 2 migrations in batch 1/);
  });

  it('gives up after --lock-wait with exit 5, naming the holder and how to end it, and changes nothing', async () => {
    const other = await holdMigrationLock();
    try {
      const before = await databaseState(db.knex);
      const run = await runCli(['up', '--lock-wait', '1'], { env: env() });
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(new RegExp(`error: another migration run holds the lock on this database: pid ${other.pid} \\("other-deploy"`));
      expect(run.stderr).toMatch(new RegExp(`pg_terminate_backend\\(${other.pid}\\)`));
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(before.advisoryLocks).toBe(1); // the other run's, and only that one
      expect(await databaseState(db.knex)).toEqual(before);
    } finally {
      await other.release();
    }
  });

  it('a dry run waits for the lock too, so it never interleaves with a real run', async () => {
    const other = await holdMigrationLock();
    try {
      const run = await runCli(['up', '--dry-run', '--lock-wait', '0'], { env: env() });
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(/another migration run holds the lock/);
    } finally {
      await other.release();
    }
  });
});

describe('a run that waited for another', () => {
  // Deterministic: B is seen waiting while A is held inside its migration, not caught by chance overlapping it.
  it('is seen waiting for the run holding the lock, then reads the history afresh and has nothing to apply', async () => {
    const fresh = await createTestDatabase('lockwait');
    const dir = tempMigrations({ '001_gated': sqlMigration(`CREATE TABLE gated (id int); ${PASS_GATE}`, 'DROP TABLE gated') });
    const gate = await closeGate(fresh);
    try {
      const env = { DATABASE_URL: fresh.url, KONSTRUCT_MIGRATIONS_DIR: dir.dir };
      const a = startWatchedCli(['up', '--lock-timeout', '0'], { env });
      await waitUntil(async () => (await sessionsWaiting(fresh)) === 1, 'run A to hold the lock, inside 001_gated');
      const b = startWatchedCli(['up'], { env });
      await b.waitForOutput(/waiting for the migration lock, held by pid \d+ \("konstruct-migrate up \(pid \d+ on /);
      expect(await historyNames(fresh.knex)).toEqual([]);
      await gate.open();

      const [first, second] = await Promise.all([a.exited, b.exited]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/↑ 001_gated[\s\S]*Applied 1 migration in batch 1/);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toBe('Nothing to apply: the database is up to date.\n');
      expect(await historyNames(fresh.knex)).toEqual(['001_gated']);
    } finally {
      await gate.end();
      dir.remove();
      await fresh.drop();
    }
  });
});
