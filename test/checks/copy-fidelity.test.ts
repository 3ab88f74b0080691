/**
 * `check`'s copy of the target behaves as the target does for what the rules judge (found by a migration
 * author's review): a serial column's sequence exists before the table that calls nextval() on it (the
 * check crashed: "relation ..._seq does not exist"); a CHECK that is NOT VALID stays so (SET NOT NULL then
 * scans on the copy as on the target); the migrations run in the target's time zone (timestamptz to timestamp
 * rewrites in Europe/Berlin, not in UTC); an UPDATE sent with another statement in one string, whose condition
 * every row already there meets, is judged as writing every row. An indexed partitioned table (its index has no
 * file) is there throughout: the check crashed on it (found by review).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { check } from '../../src/commands/check';
import type { MigrationContext } from '../../src/context';
import { testContext } from '../support/context';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';
import { adminUrl, createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let folder: TempMigrations;
let ctx: MigrationContext;

beforeAll(async () => {
  db = await createTestDatabase('copy_fidelity');
  await db.knex.raw(`CREATE TABLE orders (id bigserial PRIMARY KEY, quantity int);
    CREATE SEQUENCE ticket_numbers;
    CREATE TABLE tickets (n int DEFAULT nextval('ticket_numbers'), nickname text, created_at timestamptz);
    ALTER TABLE tickets ADD CONSTRAINT ck_tickets_nickname CHECK (nickname IS NOT NULL) NOT VALID;
    CREATE INDEX ix_orders_quantity ON orders (quantity);
    CREATE TABLE readings (at date NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE readings_2026 PARTITION OF readings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    CREATE INDEX ix_readings_at ON readings (at);
    ALTER DATABASE ${db.name} SET timezone = 'Europe/Berlin'`);
  folder = tempMigrations({
    '001_nickname_not_null': sqlMigration('ALTER TABLE tickets ALTER COLUMN nickname SET NOT NULL', 'ALTER TABLE tickets ALTER COLUMN nickname DROP NOT NULL'),
    '002_orders_note': sqlMigration('ALTER TABLE orders ADD COLUMN note text', 'ALTER TABLE orders DROP COLUMN note'),
    '003_local_time': sqlMigration('ALTER TABLE tickets ALTER COLUMN created_at TYPE timestamp', 'ALTER TABLE tickets ALTER COLUMN created_at TYPE timestamptz'),
    '004_reindex': sqlMigration('REINDEX TABLE orders', 'SELECT 1'),
    '005_lower_nickname': sqlMigration('ALTER TABLE tickets ADD COLUMN nickname_lower text GENERATED ALWAYS AS (lower(nickname)) STORED', 'ALTER TABLE tickets DROP COLUMN nickname_lower'),
    // Two statements in one string; the condition holds for every row there (found by review).
    '006_label_backfill': sqlMigration('ALTER TABLE tickets ADD COLUMN label text; UPDATE tickets SET label = nickname WHERE label IS NULL', 'ALTER TABLE tickets DROP COLUMN label'),
    // A query builder's UPDATE sends its values apart ($1): the check crashed explaining it (found by review).
    '007_builder_updates': `exports.up = async (knex) => {
      await knex('orders').update({ quantity: 1 });
      await knex('orders').update({ quantity: 2 }).where({ id: 5 });
    };
    exports.down = async () => {};`,
  });
  ctx = await testContext(db.url, folder.dir); // connects after the ALTER DATABASE: its sessions are in Europe/Berlin
});
afterAll(async () => {
  await ctx?.close();
  folder?.remove();
  await db?.drop();
});

it('copies serial columns, unvalidated CHECKs and the time zone as they are on the target; sees a REINDEX build and names a generated column', async () => {
  const result = await check(ctx, { serverUrl: adminUrl(), thresholdRows: 0 });
  expect(result.pending).toEqual(['001_nickname_not_null', '002_orders_note', '003_local_time', '004_reindex', '005_lower_nickname', '006_label_backfill', '007_builder_updates']);
  expect(result.findings.map((f) => [f.migration, f.rule, f.table])).toEqual([
    ['001_nickname_not_null', 'not-null-scan', 'tickets'],
    ['003_local_time', 'table-rewrite', 'tickets'],
    // REINDEX builds each index anew under its name, holding SHARE on the table (found by a migration author's review).
    ['004_reindex', 'index-build', 'orders'],
    ['005_lower_nickname', 'table-rewrite', 'tickets'],
    ['006_label_backfill', 'every-row-update', 'tickets'],
    ['007_builder_updates', 'every-row-update', 'orders'],
  ]);
  // Said as what it is, not as a volatile default (found by a migration author's review).
  expect(result.findings.at(-3)!.detail).toBe('adding tickets.nickname_lower GENERATED ALWAYS AS (lower(nickname)) STORED rewrote the table to compute every row');
  expect(result.findings.at(-2)!.detail).toBe('UPDATE of every row of tickets in one transaction (its condition holds for every row already there: label added in the same transaction)');
});
