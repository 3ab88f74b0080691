/**
 * Not blocking the live application: each migration transaction runs under
 * lock_timeout (and statement_timeout when asked); a lock not granted in time
 * rolls the step back and, before retrying, waits OUTSIDE the lock queue until
 * nothing conflicting holds the table (src/engine/queue-free-wait.ts): an
 * application query issued meanwhile is blocked by nobody. A step's first
 * attempt is a short probe (src/engine/first-attempt-probe.ts), so this holds
 * from the first encounter on, whatever --lock-timeout is. When the budget is
 * spent it fails naming the table and the session in the way.
 */
import type { Knex } from 'knex';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { databaseState, historyNames } from '../support/database-state';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { PROBE_LOCK_TIMEOUT, WITHIN_PROBE } from '../support/probe-messages';
import { sqlMigration, tempMigrations } from '../support/temp-migrations';
import { waitForValue } from '../support/wait-until';
import { startWatchedCli } from '../support/watched-cli';

let db: TestDatabase;
let reader: Knex.Transaction | undefined;
const env = () => ({ DATABASE_URL: db.url });

beforeAll(async () => {
  db = await createTestDatabase('tablelocks');
  const setup = await runCli(['up', '--to', '005'], { env: env() });
  expect(setup.code, setup.stderr).toBe(0);
});
afterEach(async () => {
  await reader?.rollback().catch(() => {});
  reader = undefined;
});
afterAll(async () => {
  await db?.drop();
});

/** "The application": a session in a long transaction that has read portal_users. */
async function applicationReadsPortalUsers(): Promise<{ pid: number }> {
  reader = await db.knex.transaction();
  await reader.raw(`SET application_name = 'billing-worker'`);
  await reader.raw('LOCK TABLE portal_users IN ACCESS SHARE MODE');
  const { rows } = await reader.raw('SELECT pg_backend_pid() AS pid');
  return { pid: rows[0].pid };
}

/** The application's reader commits; the retrying `up` then applies 006 (after several attempts), which is reverted for the next test. */
async function expectAppliedOnceTheReaderCommits(run: { exited: Promise<{ code: number | null; stdout: string; stderr: string }> }): Promise<void> {
  await reader!.commit();
  reader = undefined;
  const result = await run.exited;
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/↑ 006_rbac_roles \([\d.]+ m?s, \d+ attempts\)/);
  expect(await historyNames(db.knex)).toEqual(['005_baseline', '006_rbac_roles']);
  const down = await runCli(['down', '--yes'], { env: env() });
  expect(down.code, down.stderr).toBe(0);
}

describe('lock_timeout', () => {
  it('when --lock-budget is spent waiting outside the lock queue, exits 5 naming the table, the lock and the blocking session; nothing is applied', async () => {
    const app = await applicationReadsPortalUsers();
    const before = await databaseState(db.knex);

    const run = await runCli(['up', '--lock-timeout', '0.5', '--lock-retries', '3', '--lock-budget', '2'], { env: env() });

    expect(run.code).toBe(5);
    // The attempt that learned the table was a probe: the first, or a longer one after it when its wait went unseen.
    expect(run.stderr).toMatch(
      new RegExp(String.raw`error: 006_rbac_roles \[expand: [^\]]+\] \(up\) could not get AccessExclusiveLock on portal_users ${WITHIN_PROBE}; [1-3] attempt\(s\) in --lock-budget 2 s, each rolled back\)`),
    );
    expect(run.stderr).toMatch(new RegExp(`It was blocked by pid ${app.pid} \\("billing-worker", user \\w+, from [^,]+, idle in transaction, transaction open for`));
    expect(run.stderr).toMatch(/rolled back; attempt [2-4] of 4 asks once nothing holds or waits for a conflicting lock on portal_users/);
    expect(run.stderr).toMatch(/waiting outside the lock queue for AccessExclusiveLock on portal_users .*, in the way: pid \d+ \("billing-worker"/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    await reader!.rollback();
    reader = undefined;
    expect(await databaseState(db.knex)).toEqual(before);
  });

  it('retries, after waiting outside the lock queue, and succeeds once the blocking session is done', async () => {
    await applicationReadsPortalUsers();
    const run = startWatchedCli(['up', '--lock-timeout', '0.3', '--lock-retries', '100'], { env: env() });
    await run.waitForOutput(
      new RegExp(String.raw`006_rbac_roles \[expand: [^\]]+\]: AccessExclusiveLock on portal_users not granted within ${PROBE_LOCK_TIMEOUT}, blocked by pid \d+ .*; rolled back; attempt \d+ of 101 asks once nothing holds`),
    );
    await expectAppliedOnceTheReaderCommits(run);
  });

  it('with no flags, up outlasts an application transaction that holds portal_users for 8 s (short lock_timeout, retries within --lock-budget)', async () => {
    await applicationReadsPortalUsers();
    const run = startWatchedCli(['up'], { env: env() });
    await run.waitForOutput(
      new RegExp(String.raw`AccessExclusiveLock on portal_users not granted within ${PROBE_LOCK_TIMEOUT}, blocked by pid \d+ \("billing-worker".*rolled back; attempt \d+ asks once nothing holds`),
    );
    await new Promise((resolve) => setTimeout(resolve, 8_000)); // an ordinary slow request
    await expectAppliedOnceTheReaderCommits(run);
  });

  it("with --lock-retries 0 (no probe: one attempt), the application's new queries queue behind the migration's request only until its lock_timeout rolls it back", async () => {
    await applicationReadsPortalUsers();
    const run = startWatchedCli(['up', '--lock-timeout', '2', '--lock-retries', '0'], { env: env() });
    const migrationPid = await waitForValue(async () => {
      const { rows } = await db.knex.raw(
        `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid)
          WHERE NOT l.granted AND l.relation = 'portal_users'::regclass AND a.application_name = 'konstruct-migrate'`,
      );
      return rows[0]?.pid as number | undefined;
    }, 'the migration to queue for portal_users');

    // A new reader: its ACCESS SHARE request queues behind the migration's ACCESS EXCLUSIVE request.
    // Its statement_timeout bounds the wait, so staying queued fails here, not at the test's timeout.
    const newReader = await db.knex.transaction();
    try {
      await newReader.raw(`SELECT set_config('statement_timeout', '30s', true), set_config('application_name', 'new-reader', true)`);
      const readerPid = (await newReader.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const count = newReader.raw('SELECT count(*)::int AS n FROM portal_users').then((r) => r.rows[0].n as number); // sent now
      const blockers = await waitForValue(async () => {
        const { rows } = await db.knex.raw('SELECT pg_blocking_pids(?) AS pids', [readerPid]);
        return rows[0].pids.length > 0 ? (rows[0].pids as number[]) : undefined;
      }, 'the new reader to queue');
      expect(blockers).toContain(migrationPid);

      // It gets through while the first reader still holds the table: the migration's lock_timeout withdrew its
      // request (its one attempt, rolled back: exit 5), the reader was not waited out.
      expect(await count).toBe(0);
      const result = await run.exited;
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(/could not get AccessExclusiveLock on portal_users within 2 s \(lock_timeout; 1 attempt\(s\), each rolled back\)/);
    } finally {
      await newReader.rollback().catch(() => {});
      run.kill('SIGTERM');
      await run.exited;
    }
  });
});

/** Every migration session's pid that some other session is blocked by (pg_blocking_pids). */
async function sessionsBlockedByTheMigration(): Promise<Array<{ pid: number; blockers: number[] }>> {
  const { rows } = await db.knex.raw(
    `SELECT a.pid, pg_blocking_pids(a.pid) AS blockers FROM pg_stat_activity a
      WHERE pg_blocking_pids(a.pid) && ARRAY(SELECT pid FROM pg_stat_activity WHERE application_name = 'konstruct-migrate')`,
  );
  return rows;
}

/**
 * The application's queries, while the migration waits outside the queue: each gets through, pg_blocking_pids
 * shows no one blocked by the migration, and the migration holds or queues for no lock on the table.
 */
async function expectApplicationQueriesNotBlocked(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const app = await db.knex.transaction();
    try {
      await app.raw(`SELECT set_config('statement_timeout', '5s', true), set_config('application_name', 'new-reader', true)`);
      const appPid = (await app.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const count = app.raw('SELECT count(*)::int AS n, pg_sleep(0.05) FROM portal_users').then((r) => r.rows[0].n as number);
      const blocking = (await db.knex.raw('SELECT pg_blocking_pids(?) AS pids', [appPid])).rows[0].pids as number[];
      expect(blocking).toEqual([]);
      expect(await sessionsBlockedByTheMigration()).toEqual([]);
      expect(await count).toBe(0);
    } finally {
      await app.rollback().catch(() => {});
    }
    const { rows } = await db.knex.raw(
      `SELECT l.mode, l.granted FROM pg_locks l JOIN pg_stat_activity a USING (pid)
        WHERE l.relation = 'portal_users'::regclass AND a.application_name = 'konstruct-migrate'`,
    );
    expect(rows).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('waiting outside the lock queue', () => {
  it("an application query issued while the migration waits is blocked by nobody; up (default flags) succeeds once the long transaction ends", async () => {
    const readerPid = (await applicationReadsPortalUsers()).pid;
    const run = startWatchedCli(['up'], { env: env() });
    let migrationRunning = true;
    void run.exited.finally(() => (migrationRunning = false));
    // The first attempt, a probe, queued briefly, timed out and learned the table; now it waits outside the queue, saying for whom and how long.
    await run.waitForOutput(
      new RegExp(`waiting outside the lock queue for AccessExclusiveLock on portal_users \\([\\d.]+ m?s so far\\), in the way: pid ${readerPid} \\("billing-worker", .*holds AccessShareLock, transaction open for`),
    );
    await expectApplicationQueriesNotBlocked();
    expect(migrationRunning).toBe(true);
    await expectAppliedOnceTheReaderCommits(run);
    expect(run.output()).toMatch(/nothing is in the way of AccessExclusiveLock on portal_users any more \(waited [\d.]+ m?s\); asking for it/);
  });

  it('the first encounter too: with --lock-timeout 120, the first attempt is a short probe, so the migration waits outside the queue at once and the application is blocked by nobody', async () => {
    // Without the probe, the first attempt would sit in the lock queue for 120 s, and every application query with it.
    const readerPid = (await applicationReadsPortalUsers()).pid;
    const run = startWatchedCli(['up', '--lock-timeout', '120'], { env: env() });
    let migrationRunning = true;
    void run.exited.finally(() => (migrationRunning = false));
    await run.waitForOutput(
      new RegExp(String.raw`AccessExclusiveLock on portal_users not granted within ${PROBE_LOCK_TIMEOUT}, blocked by pid ${readerPid} \("billing-worker"`),
    );
    await run.waitForOutput(new RegExp(`waiting outside the lock queue for AccessExclusiveLock on portal_users .*, in the way: pid ${readerPid} `));
    await expectApplicationQueriesNotBlocked();
    expect(migrationRunning).toBe(true);
    await expectAppliedOnceTheReaderCommits(run);
    expect(run.output()).toMatch(/nothing is in the way of AccessExclusiveLock on portal_users any more \(waited [\d.]+ m?s\); asking for it/);
  });
});

describe('statement_timeout', () => {
  it('--statement-timeout cancels a statement that runs too long: exit 6, rolled back, with what to do', async () => {
    const dir = tempMigrations({
      '001_slow': sqlMigration('CREATE TABLE slow_marker (id int); SELECT pg_sleep(30)', 'DROP TABLE slow_marker'),
    });
    try {
      const slowDb = await createTestDatabase('statementtimeout');
      try {
        const run = await runCli(['up', '--statement-timeout', '0.5'], {
          env: { DATABASE_URL: slowDb.url, KONSTRUCT_MIGRATIONS_DIR: dir.dir },
        });
        expect(run.code).toBe(6);
        expect(run.stderr).toMatch(
          /error: migration 001_slow \(up\) failed and was rolled back: canceling statement due to statement timeout \[SQLSTATE 57014\]/,
        );
        expect(run.stderr).toMatch(/--statement-timeout/);
        expect(await databaseState(slowDb.knex)).toMatchObject({ history: 'no history table', advisoryLocks: 0 });
        expect(await slowDb.knex.schema.hasTable('slow_marker')).toBe(false);
      } finally {
        await slowDb.drop();
      }
    } finally {
      dir.remove();
    }
  });
});
