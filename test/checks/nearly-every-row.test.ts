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
    '001_accounts': sqlMigration(
      'CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL, archived boolean NOT NULL, note text); CREATE TABLE plans (id int PRIMARY KEY, name text NOT NULL)',
      'DROP TABLE accounts, plans',
    ),
  });
  ctx = await testContext(db.url, folder.dir);
  await up(ctx);
  // 2,000 rows, 20 archived; ANALYZE: the statistics the planner estimates from.
  await db.knex.raw(`INSERT INTO accounts SELECT i, 'user' || i || '@konstruct.example', i % 100 = 0 FROM generate_series(1, 2000) i;
    INSERT INTO plans VALUES (1, 'free'); ANALYZE accounts; ANALYZE plans`);
  folder.write('002_touch_all', sqlMigration(`UPDATE accounts SET note = 'x' WHERE email IS NOT NULL`, 'SELECT 1'));
  folder.write('003_touch_active', sqlMigration(`DELETE FROM accounts WHERE NOT archived AND id > 0`, 'SELECT 1'));
  folder.write('004_touch_archived', sqlMigration(`UPDATE accounts SET note = 'x' WHERE archived`, 'SELECT 1'));
  // Through a join, a subquery and a CTE (found by review: the copy's plan has no single scan to judge).
  folder.write('005_from_plans', sqlMigration(`UPDATE accounts a SET note = p.name FROM plans p WHERE p.id = 1`, 'SELECT 1'));
  folder.write('006_in_cte', sqlMigration(`WITH t AS (SELECT id FROM accounts) UPDATE accounts SET note = 'x' WHERE id IN (SELECT id FROM t)`, 'SELECT 1'));
  folder.write('007_using_plans', sqlMigration(`DELETE FROM accounts a USING plans p WHERE p.id = 1 AND a.archived`, 'SELECT 1'));
  // A column the list adds: the statement cannot be planned on the target; its condition over the table can.
  folder.write('008_new_column', sqlMigration(`ALTER TABLE accounts ADD COLUMN flag int; UPDATE accounts SET flag = 1 WHERE email <> ''`, 'SELECT 1'));
  // Half the rows, under the ADD COLUMN's ACCESS EXCLUSIVE, held to the end of the transaction (found by review); five rows are nothing.
  folder.write('009_half_under_lock', sqlMigration(`ALTER TABLE accounts ADD COLUMN tier int; UPDATE accounts SET tier = 1 WHERE id <= 1000`, 'SELECT 1'));
  folder.write('010_few_under_lock', sqlMigration(`ALTER TABLE accounts ADD COLUMN grade int; UPDATE accounts SET grade = 1 WHERE id <= 5`, 'SELECT 1'));
});
afterAll(async () => {
  await ctx?.close();
  folder?.remove();
  await db?.drop();
});

it("finds the writes of nearly every row, by the target's planner, and of many under a lock that blocks the application; not those of few (004, 007, 010)", async () => {
  const result = await check(ctx, { serverUrl: adminUrl(), thresholdRows: 0 });
  const estimate = (command: string, rows: string) => `${command} of every row of accounts in one transaction (it writes about ${rows} of its 2,000 rows, by the target's planner estimate)`;
  expect(result.findings.filter((f) => f.rule === 'every-row-update').map((f) => [f.migration, f.detail])).toEqual([
    ['002_touch_all', estimate('UPDATE', '2,000')],
    ['003_touch_active', estimate('DELETE', '1,980')],
    ['005_from_plans', estimate('UPDATE', '2,000')],
    ['006_in_cte', estimate('UPDATE', '2,000')],
    ['008_new_column', estimate('UPDATE', '1,999')],
    ['009_half_under_lock', "UPDATE of many rows of accounts while its transaction holds AccessExclusiveLock on it (it writes about 1,000 of its 2,000 rows, by the target's planner estimate)"],
  ]);
  expect(result.findings.find((f) => f.migration === '009_half_under_lock')).toMatchObject({ lock: 'AccessExclusiveLock', blocks: 'reads and writes' });
});
