/**
 * A run whose migration lock is lost mid-work commits nothing more, and the run
 * that takes the lock over applies the work exactly once (db/lock-fence.ts).
 * Each case on a database of its own, so one failure does not cascade.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { FENCE_KEY } from '../../src/db/lock-fence';
import { historyNames } from '../support/database-state';
import { expectOnlyTheLockHolderCommits, LOST_AT } from '../support/lost-lock-run';
import { sqlMigration, tempMigrations } from '../support/temp-migrations';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startWatchedCli } from '../support/watched-cli';

async function onFreshDatabase(label: string, test: (db: TestDatabase) => Promise<void>): Promise<void> {
  const db = await createTestDatabase(label);
  try {
    await test(db);
  } finally {
    await db.drop();
  }
}

describe('the migration lock lost mid-work', () => {
  it.each(LOST_AT)('in %s: the run that lost it rolls back (exit 12), the run that took it applies the work once', async (at) => {
    await onFreshDatabase('lostlock', (db) => expectOnlyTheLockHolderCommits(db, db.url, at));
  });

  it('a run that takes the lock waits until a transaction of the run that lost it has ended, before reading the history', async () => {
    await onFreshDatabase('fence', async (db) => {
      const dir = tempMigrations({ '001_table': sqlMigration('CREATE TABLE t (id int)', 'DROP TABLE t') });
      // A transaction of a run that lost the lock, between its shared fence and its COMMIT.
      const inFlight = new pg.Client({ connectionString: db.url });
      await inFlight.connect();
      try {
        await inFlight.query(`BEGIN; SELECT pg_advisory_xact_lock_shared(${FENCE_KEY.join(', ')})`);
        const { rows } = await inFlight.query('SELECT pg_backend_pid() AS pid');
        const run = startWatchedCli(['up'], { env: { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: dir.dir } });
        await run.waitForOutput(new RegExp(`waiting for pid ${rows[0].pid}, a transaction of a run that lost the migration lock, to end`));
        expect(await historyNames(db.knex)).toEqual([]);
        await inFlight.query('COMMIT');
        const result = await run.exited;
        expect(result.code, result.stderr).toBe(0);
        expect(await historyNames(db.knex)).toEqual(['001_table']);
      } finally {
        await inFlight.end();
        dir.remove();
      }
    });
  });
});
