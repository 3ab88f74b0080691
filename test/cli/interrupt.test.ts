/**
 * SIGINT and SIGTERM during a run (#24, item 4): one line saying what stands
 * part-way and which command carries it on, exit 130 / 143, and the database
 * left as that line says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli';
import { historyNames } from '../support/database-state';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';

/** A phased migration whose second backfill batch sleeps, so a signal arrives after the first one committed. */
const PHASED = `
exports.phases = [
  { phase: 'expand', name: 'add table t', up: (k) => k.raw('CREATE TABLE t (n int)'), down: (k) => k.raw('DROP TABLE t') },
  { phase: 'backfill', name: 'fill t', batch: { up: async (k, cursor) => {
      const n = Number(cursor ?? 0);
      await k.raw('INSERT INTO t VALUES (?)', [n]);
      if (n === 1) await k.raw('SELECT pg_sleep(60)');
      return { next: n < 3 ? String(n + 1) : null, rows: 1 };
  } } },
  { phase: 'contract', name: 'nothing', up: async () => {}, down: async () => {} },
];`;

let db: TestDatabase;
let folder: TempMigrations;

beforeAll(async () => {
  db = await createTestDatabase('interrupt');
});
afterAll(async () => {
  await db?.drop();
  folder?.remove();
});

/** Starts `up`, waits until a statement of it sleeps, sends `signal`; returns its result. */
async function interruptWhileSleeping(signal: NodeJS.Signals, args: string[] = ['up']) {
  const sleeping = async () => {
    const { rows } = await db.knex.raw(`SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' AND pid <> pg_backend_pid() AND datname = current_database()`);
    return rows.length > 0;
  };
  // The backend of an earlier interrupted run may linger a moment: signal only this run's own sleep.
  await waitUntil(async () => !(await sleeping()), 'the sleep of an earlier run to end');
  const run = startCli(args, { env: { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: folder.dir }, timeoutMs: 60_000 });
  await waitUntil(sleeping, 'the migration to sleep');
  run.kill(signal);
  return run.exited;
}

describe('a signal during up', () => {
  it('SIGINT in a plain migration: it is rolled back, the one before stays; one line, exit 130', async () => {
    folder = tempMigrations({
      '001_widgets': sqlMigration('CREATE TABLE widgets (id int)', 'DROP TABLE widgets'),
      '002_slow': sqlMigration('SELECT pg_sleep(60)', 'SELECT 1'),
    });
    const result = await interruptWhileSleeping('SIGINT');
    expect(result.code).toBe(130);
    expect(result.stderr).toBe(
      'interrupted by SIGINT: 002_slow was rolled back to where it stood before this run; 001_widgets stays applied. ' +
        'Run `konstruct-migrate up` to carry on; `konstruct-migrate status` shows where it stands.\n',
    );
    expect(await historyNames(db.knex)).toEqual(['001_widgets']);
    folder.remove();
  });

  it('SIGTERM between two backfill batches: it stands part-way (backfilling); one line naming up, exit 143', async () => {
    await db.knex.raw('DROP TABLE widgets; DROP TABLE knex_migrations; DROP TABLE knex_migrations_lock');
    folder = tempMigrations({ '001_phased': PHASED });
    const result = await interruptWhileSleeping('SIGTERM');
    expect(result.code).toBe(143);
    expect(result.stderr).toBe(
      'interrupted by SIGTERM: 001_phased stands part-way after "fill t" covered 1 row (what was running was rolled back). ' +
        'Run `konstruct-migrate up` to carry it on; `konstruct-migrate status` shows where it stands.\n',
    );
    expect((await db.knex.raw('SELECT n FROM t')).rows).toEqual([{ n: 0 }]);
    const status = JSON.parse((await runCli(['status', '--json'], { env: { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: folder.dir } })).stdout);
    expect(status.result.migrations[0]).toMatchObject({ name: '001_phased', state: 'backfilling' });
  });

  it('up --expand is carried on by up --expand, not by a plain up that would also contract', async () => {
    // Resumed at the sleeping batch: nothing of it commits in this run, so the line claims nothing more.
    const result = await interruptWhileSleeping('SIGINT', ['up', '--expand']);
    expect(result.code).toBe(130);
    expect(result.stderr).toBe(
      'interrupted by SIGINT: 001_phased was rolled back to where it stood before this run. ' +
        'Run `konstruct-migrate up --expand` to carry on; `konstruct-migrate status` shows where it stands.\n',
    );
    expect((await db.knex.raw('SELECT n FROM t')).rows).toEqual([{ n: 0 }]);
  });
});
