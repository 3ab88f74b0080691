/**
 * A batched step's batch is bounded by its range, so check does not judge its writes by the table's size; but a
 * batch with no condition at all writes the whole table in one transaction (found by review: a batch function that
 * ignored its cursor and size passed check, and up updated 300,000 rows in one batch).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { check } from '../../src/commands/check';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { testContext } from '../support/context';
import { adminUrl, createTestDatabase, type TestDatabase } from '../support/test-database';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';

let db: TestDatabase;
let folder: TempMigrations;
let ctx: MigrationContext;

/** A phased migration adding `column` to accounts and filling it from email with `batch` (the body of its batch function). */
const phased = (column: string, batch: string) => `exports.phases = [
  { phase: 'expand', name: 'add ${column}', up: async (knex) => { await knex.raw('ALTER TABLE accounts ADD COLUMN ${column} text'); },
    down: async (knex) => { await knex.raw('ALTER TABLE accounts DROP COLUMN ${column}'); } },
  { phase: 'backfill', name: 'fill ${column}', batch: { up: async (knex, cursor, size) => { ${batch} } } },
];
`;

beforeAll(async () => {
  db = await createTestDatabase('whole_table_batch');
  folder = tempMigrations({ '001_accounts': sqlMigration('CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL)', 'DROP TABLE accounts') });
  ctx = await testContext(db.url, folder.dir);
  await up(ctx);
  await db.knex.raw(`INSERT INTO accounts SELECT i, 'user' || i || '@konstruct.example' FROM generate_series(1, 2000) i; ANALYZE accounts`);
  folder.write('002_in_ranges', phased('nick', `const from = Number(cursor ?? 0);
    await knex.raw('UPDATE accounts SET nick = email WHERE id > ? AND id <= ?', [from, from + size]);
    return { next: from + size >= 2000 ? null : String(from + size), rows: size };`));
  folder.write('003_all_at_once', phased('alias', `await knex.raw('UPDATE accounts SET alias = email'); return { next: null, rows: 0 };`));
});
afterAll(async () => {
  await ctx?.close();
  folder?.remove();
  await db?.drop();
});

it('finds the batch that writes the whole table, not the one that writes a range', async () => {
  const result = await check(ctx, { serverUrl: adminUrl(), thresholdRows: 0 });
  expect(result.findings.map((f) => [f.migration, f.rule, f.detail])).toEqual([
    ['003_all_at_once', 'every-row-update', 'UPDATE of every row of accounts in one transaction'],
  ]);
});
