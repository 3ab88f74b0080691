/**
 * An administrator ends the migration lock's session while a run's first step
 * is running: that step still commits whole, and the run stops before its next
 * step with exit 5. Shared by the direct and the pooled tests.
 */
import { expect } from 'vitest';
import { historyNames } from './database-state';
import { statementRunning } from './session-activity';
import { sqlMigration, tempMigrations } from './temp-migrations';
import type { TestDatabase } from './test-database';
import { waitUntil } from './wait-until';
import { startWatchedCli } from './watched-cli';

/** Runs the scenario on `db`, with the CLI connecting to `url` (db.url, or the same database through a pooler). */
export async function expectLostLockStopsRun(db: TestDatabase, url: string): Promise<void> {
  const slow = tempMigrations({
    '001_slow': sqlMigration('SELECT pg_sleep(1.5); CREATE TABLE first_step (id int)', 'DROP TABLE first_step'),
    '002_next': sqlMigration('CREATE TABLE second_step (id int)', 'DROP TABLE second_step'),
  });
  try {
    const run = startWatchedCli(['up'], { env: { DATABASE_URL: url, KONSTRUCT_MIGRATIONS_DIR: slow.dir } });
    await waitUntil(() => statementRunning(db.knex, 'pg_sleep(1.5)'), '001_slow to be running');
    const { rows } = await db.knex.raw(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'konstruct-migrate up (%'`,
    );
    expect(rows).toEqual([{ ended: true }]);
    const result = await run.exited;
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/error: lost the migration lock: its database session ended/);
    // The step that was running when the lock went still committed whole; nothing after it ran.
    expect(await historyNames(db.knex)).toEqual(['001_slow']);
    expect(await db.knex.schema.hasTable('second_step')).toBe(false);
  } finally {
    slow.remove();
  }
}
