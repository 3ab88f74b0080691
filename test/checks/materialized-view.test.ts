/**
 * REFRESH MATERIALIZED VIEW without CONCURRENTLY writes the view anew under ACCESS EXCLUSIVE: its readers wait for
 * the whole refresh (found by review: check watched tables only, and passed it).
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
  db = await createTestDatabase('matview');
  folder = tempMigrations({
    '001_totals': sqlMigration(
      `CREATE TABLE orders (id int PRIMARY KEY, account int NOT NULL, total numeric NOT NULL);
       INSERT INTO orders SELECT i, i % 50, i FROM generate_series(1, 500) i;
       CREATE MATERIALIZED VIEW account_totals AS SELECT account, sum(total) AS total FROM orders GROUP BY account;
       CREATE UNIQUE INDEX account_totals_account ON account_totals (account)`,
      'DROP MATERIALIZED VIEW account_totals; DROP TABLE orders',
    ),
  });
  ctx = await testContext(db.url, folder.dir);
  await up(ctx);
  await db.knex.raw('ANALYZE orders; ANALYZE account_totals');
  folder.write('002_refresh', sqlMigration('REFRESH MATERIALIZED VIEW account_totals', 'SELECT 1'));
  folder.write('003_refresh_concurrently', sqlMigration('REFRESH MATERIALIZED VIEW CONCURRENTLY account_totals', 'SELECT 1'));
});
afterAll(async () => {
  await ctx?.close();
  folder?.remove();
  await db?.drop();
});

it('finds a refresh that blocks the view\'s readers, with the way that does not; not the concurrent one', async () => {
  const result = await check(ctx, { serverUrl: adminUrl(), thresholdRows: 0 });
  expect(result.findings.map((f) => [f.migration, f.rule, f.table, f.lock, f.detail, f.safeWay])).toEqual([
    [
      '002_refresh', 'table-rewrite', 'account_totals', 'AccessExclusiveLock',
      'refreshing the materialized view account_totals wrote it anew; its readers wait until it is done',
      'REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view); readers go on meanwhile',
    ],
  ]);
});
