/**
 * A phased run that fails after some of its steps and batches committed says
 * what stands committed and that the next run carries on — never that the
 * database is unchanged — and the next run does carry on from there.
 * Each case on a database of its own.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { historyNames } from '../support/database-state';
import { tempMigrations } from '../support/temp-migrations';
import { createTestDatabase } from '../support/test-database';

/**
 * expand, a backfill of three one-row batches, contract. The second batch runs
 * `failure` while the table `go` is empty, after expand and the first batch committed.
 */
function failingInSecondBatch(failure: string): string {
  return `exports.phases = [
  { phase: 'expand', name: 'add table', up: async (knex) => { await knex.raw('CREATE TABLE filled (n int)'); }, down: async (knex) => { await knex.raw('DROP TABLE filled'); } },
  { phase: 'backfill', name: 'fill rows', batch: { up: async (knex, cursor) => {
      const n = cursor === null ? 1 : Number(cursor) + 1;
      const { rows } = await knex.raw('SELECT count(*)::int AS n FROM go');
      if (n === 2 && rows[0].n === 0) await knex.raw(${JSON.stringify(failure)});
      await knex.raw('INSERT INTO filled (n) VALUES (?)', [n]);
      return { next: n < 3 ? String(n) : null, rows: 1 };
  } } },
  { phase: 'contract', name: 'mark done', up: async (knex) => { await knex.raw('CREATE TABLE done (id int)'); }, down: async (knex) => { await knex.raw('DROP TABLE done'); } },
];`;
}

const STANDING =
  '  001_filled stands part-way (up), committed and kept: 1 of 3 steps applied (last: expand "add table"), backfill "fill rows" done up to cursor 1 (1 rows). ' +
  'Run the command again to carry on from there (`konstruct-migrate status` shows where it stands).';

const CASES = [
  { what: 'a batch fails', failure: 'SELECT 1 / 0', reason: /division by zero \[SQLSTATE 22012\]$/ },
  { what: 'the connection is terminated mid-batch', failure: 'SELECT pg_terminate_backend(pg_backend_pid())', reason: /: Connection terminated unexpectedly$/ },
];

describe('a phased run failing part-way', () => {
  it.each(CASES)('when $what: says what stands committed and how to carry on (exit 6); the next run carries on', async ({ failure, reason }) => {
    const db = await createTestDatabase('partway');
    const dir = tempMigrations({ '001_filled': failingInSecondBatch(failure) });
    try {
      await db.knex.raw('CREATE TABLE go (id int)');
      const env = { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: dir.dir };
      const failed = await runCli(['up'], { env });
      expect(failed.code, failed.stderr).toBe(6);
      const lines = failed.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^error: migration 001_filled \(up\) failed; its current transaction \(one step or batch\) was rolled back: /);
      expect(lines[0]).toMatch(reason);
      expect(lines[1]).toBe(STANDING);
      // What the message says is what the database holds.
      expect(await db.knex('konstruct_migration_phases').select('steps_done', 'cursor', 'rows_done'))
        .toEqual([{ steps_done: 1, cursor: '1', rows_done: '1' }]);
      expect(await db.knex('filled').pluck('n')).toEqual([1]);

      await db.knex('go').insert({ id: 1 });
      const next = await runCli(['up'], { env });
      expect(next.code, next.stderr).toBe(0);
      expect(await historyNames(db.knex)).toEqual(['001_filled']);
      expect(await db.knex('filled').orderBy('n').pluck('n')).toEqual([1, 2, 3]);
    } finally {
      dir.remove();
      await db.drop();
    }
  });

  it('that committed nothing of its migration still says it was rolled back and the database is unchanged by it', async () => {
    const db = await createTestDatabase('partway');
    const dir = tempMigrations({ '001_filled': failingInSecondBatch('SELECT 1 / 0').replace("'CREATE TABLE filled (n int)'", "'SELECT 1 / 0'") });
    try {
      await db.knex.raw('CREATE TABLE go (id int)');
      const failed = await runCli(['up'], { env: { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: dir.dir } });
      expect(failed.code).toBe(6);
      expect(failed.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^error: migration 001_filled \(up\) failed and was rolled back: .*division by zero \[SQLSTATE 22012\]$/),
        '  The database is unchanged by this migration; fix the cause and run the command again.',
      ]);
      expect(await historyNames(db.knex)).toEqual([]);
    } finally {
      dir.remove();
      await db.drop();
    }
  });
});
