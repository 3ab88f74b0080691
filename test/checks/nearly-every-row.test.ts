/**
 * An UPDATE whose condition nearly every row meets (found by a newcomer's review: `WHERE email IS NOT NULL` on a NOT
 * NULL column passed check, and up held every row's lock for 6 s). The copy has no rows; the target's planner says
 * how many the condition meets.
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

beforeAll(async () => {
  db = await createTestDatabase('nearly_every_row');
  folder = tempMigrations({
    '001_accounts': sqlMigration('CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL, archived boolean NOT NULL, note text)', 'DROP TABLE accounts'),
  });
  ctx = await testContext(db.url, folder.dir);
  await up(ctx);
  // 2,000 rows, 20 archived; ANALYZE: the statistics the planner estimates from.
  await db.knex.raw(`INSERT INTO accounts SELECT i, 'user' || i || '@konstruct.example', i % 100 = 0 FROM generate_series(1, 2000) i; ANALYZE accounts`);
  folder.write('002_touch_all', sqlMigration(`UPDATE accounts SET note = 'x' WHERE email IS NOT NULL`, 'SELECT 1'));
  folder.write('003_touch_active', sqlMigration(`DELETE FROM accounts WHERE NOT archived AND id > 0`, 'SELECT 1'));
  folder.write('004_touch_archived', sqlMigration(`UPDATE accounts SET note = 'x' WHERE archived`, 'SELECT 1'));
});
afterAll(async () => {
  await ctx?.close();
  folder?.remove();
  await db?.drop();
});

it("finds the writes whose condition nearly every row meets, by the target's planner, and not one that meets few", async () => {
  const result = await check(ctx, { serverUrl: adminUrl(), thresholdRows: 0 });
  expect(result.findings.map((f) => [f.migration, f.rule, f.detail])).toEqual([
    ['002_touch_all', 'every-row-update', "UPDATE of every row of accounts in one transaction (its condition holds for about 2,000 of its 2,000 rows (the target's planner estimate))"],
    ['003_touch_active', 'every-row-update', "DELETE of every row of accounts in one transaction (its condition holds for about 1,980 of its 2,000 rows (the target's planner estimate))"],
  ]);
});
