/**
 * alterColumn's NOT VALID constraints on rows already there that do not meet them: up refuses before anything runs
 * (found by review: from expand on, every UPDATE of such a row failed, the old version's included, while status
 * said both versions were served; and `complete` could never validate).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/commands/check';
import { up } from '../../src/commands/up';
import { adminUrl } from '../support/test-database';
import { ExitCode } from '../../src/exit-codes';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sqlMigration } from '../support/temp-migrations';
import { operationsDatabase, position, type OperationsDatabase } from './harness';

let h: OperationsDatabase;

beforeAll(async () => {
  h = await operationsDatabase('start_refusals', '900_operations', {
    text: `export const operations = [
      { alterColumn: { table: 'portal_users', column: 'nickname', nullable: false } },
      { alterColumn: { table: 'portal_users', column: 'email', check: { name: 'ck_email_at', constraint: "email LIKE '%@%'" } } },
    ];`,
  });
  await h.db.knex.raw(`ALTER TABLE portal_users ADD COLUMN nickname text;
    INSERT INTO portal_users (email, hashed_password, name, is_admin, nickname) VALUES ('a@example.com', 'h', 'A', false, 'a'), ('no-at', 'h', 'B', false, NULL)`);
});
afterAll(async () => {
  await h?.close();
});

it('names each constraint some rows do not meet, and changes nothing', async () => {
  const refused = await up(h.ctx, { expand: true }).catch((e: unknown) => e);
  expect((refused as { exitCode: number }).exitCode).toBe(ExitCode.Usage);
  expect((refused as Error).message.split('; 900_operations: ')).toEqual([
    '900_operations: alterColumn portal_users.nickname nullable: false: rows are there that do not meet it; from expand on every UPDATE of such a row would fail, and validation never pass: fix those rows first, in a migration before this one',
    'alterColumn portal_users.email check ck_email_at: rows are there that do not meet it; from expand on every UPDATE of such a row would fail, and validation never pass: fix those rows first, in a migration before this one',
  ]);
  expect(await position(h)).toBe('not started');
});

it('check says so too, as up would (found by review: check passed what up refused)', async () => {
  const refused = await check(h.ctx, { serverUrl: adminUrl(), thresholdRows: 0 }).catch((e: unknown) => e);
  expect((refused as { exitCode: number }).exitCode).toBe(ExitCode.Usage);
  expect((refused as Error).message).toMatch(/^900_operations: alterColumn portal_users\.nickname nullable: false: rows are there that do not meet it/);
});

it('goes ahead in the same run when a migration before it fixes the rows: each is asked at its turn (found by review)', async () => {
  writeFileSync(path.join(path.dirname(h.migration.file), '899_fill_nicknames.js'), sqlMigration(
    `UPDATE portal_users SET nickname = coalesce(nickname, name), email = 'b@example.com' WHERE email = 'no-at'`, 'SELECT 1'));
  await up(h.ctx);
  expect(await position(h)).toBe('applied');
});

describe('a fromType other than the column\'s, a dropped column with an index and a constraint on it, a constraint\'s index dropped (found by review)', () => {
  let g: OperationsDatabase;
  beforeAll(async () => {
    g = await operationsDatabase('start_refusals_types', '900_operations', {
      text: `export const operations = [
        { alterColumn: { table: 'portal_users', column: 'name', type: 'text', fromType: 'varchar(100)' } },
        { dropColumn: { table: 'portal_users', column: 'nickname', type: 'text' } },
        { dropColumn: { table: 'portal_users', column: 'motto', type: 'text' } },
        { dropIndex: { name: 'ix_users_motto', table: 'portal_users', columns: ['motto'] } },
        { dropIndex: { name: 'portal_users_email_key', table: 'portal_users', columns: ['email'], unique: true } },
      ];`,
    });
    await g.db.knex.raw(`ALTER TABLE portal_users ADD COLUMN nickname text CONSTRAINT ck_nickname CHECK (nickname <> ''), ADD COLUMN motto text;
      CREATE INDEX ix_users_nickname ON portal_users (lower(nickname)); CREATE INDEX ix_users_motto ON portal_users (motto)`);
  });
  afterAll(async () => {
    await g?.close();
  });

  it('says each, and changes nothing; an index the list drops itself is built again by down, so is not one of them', async () => {
    const refused = await up(g.ctx, { expand: true }).catch((e: unknown) => e);
    expect((refused as Error).message.split('; 900_operations: ')).toEqual([
      "900_operations: alterColumn portal_users.name: fromType varchar(100) is character varying(100), but the column is character varying(255): give the column's type now, which down changes it back to",
      'dropColumn portal_users.nickname: index ix_users_nickname, constraint ck_nickname are on it, which down past contract would not bring back: drop them first (dropIndex with its definition, in this list; a constraint in a migration before)',
      "dropIndex portal_users_email_key: it is constraint portal_users_email_key's, which DROP INDEX cannot drop: drop the constraint (a sql operation, or a migration)",
    ]);
    expect(await position(g)).toBe('not started');
  });
});

describe('a second operator review: an inherited table, a renamed column, a view on a dropped one, an index sorted otherwise, one dropIndex cannot describe', () => {
  let k: OperationsDatabase;
  beforeAll(async () => {
    k = await operationsDatabase('start_refusals_more', '900_operations', {
      text: `export const operations = [
        { alterColumn: { table: 'legacy', column: 'qty', type: 'bigint', fromType: 'integer' } },
        { renameColumn: { table: 'portal_users', from: 'alias', to: 'alias_name' } },
        { alterColumn: { table: 'portal_users', column: 'alias_name', nullable: false } },
        { dropColumn: { table: 'portal_users', column: 'motto', type: 'text' } },
        { createIndex: { table: 'portal_users', name: 'ix_users_email', columns: ['email'] } },
        { dropIndex: { name: 'ix_users_name_desc', table: 'portal_users', columns: ['name'] } },
        // Not refused: through a new column, the NOT NULL holds what up fills (found by review).
        { alterColumn: { table: 'portal_users', column: 'score', type: 'bigint', fromType: 'integer', nullable: false, up: 'coalesce(score, 0)::bigint', down: 'score::integer' } },
      ];`,
    });
    await k.db.knex.raw(`CREATE TABLE legacy (id int, qty int); CREATE TABLE legacy_2020 () INHERITS (legacy);
      ALTER TABLE portal_users ADD COLUMN alias text, ADD COLUMN motto text, ADD COLUMN score integer;
      INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES ('a@example.com', 'h', 'A', false);
      CREATE VIEW mottos AS SELECT motto FROM portal_users;
      CREATE INDEX ix_users_email ON portal_users (email DESC);
      CREATE INDEX ix_users_name_desc ON portal_users (name text_pattern_ops DESC) INCLUDE (email)`);
  });
  afterAll(async () => {
    await k?.close();
  });

  it('refuses each before anything runs', async () => {
    const refused = await up(k.ctx, { expand: true }).catch((e: unknown) => e);
    expect((refused as Error).message.split('; 900_operations: ')).toEqual([
      "900_operations: legacy is a partitioned table, or one other tables inherit, which operations do not handle yet (the backfill walks a table's own pages; its rows are in other tables too)",
      'alterColumn portal_users.alias_name nullable: false: rows are there that do not meet it; from expand on every UPDATE of such a row would fail, and validation never pass: fix those rows first, in a migration before this one',
      "dropColumn portal_users.motto: view mottos depends on it, and contract's DROP COLUMN would fail: drop or change it in a migration before",
      'dropIndex ix_users_name_desc: the index has a sort order, an operator class, INCLUDE columns, which dropIndex cannot describe: down would build another; drop it with a sql operation that gives its definition',
      'createIndex ix_users_email: another relation of that name is already there; name the index otherwise, or drop that one in a migration before',
    ]);
    expect(await position(k)).toBe('not started');
  });
});

describe("dropIndex of a partial index: its where is compared with the index's predicate (found by review: by its presence only)", () => {
  let p: OperationsDatabase;
  beforeAll(async () => {
    p = await operationsDatabase('start_refusals_predicates', '900_operations', {
      text: `export const operations = [
        { dropIndex: { name: 'ix_users_active', table: 'portal_users', columns: ['email'], where: 'deleted_at IS NULL' } },
        { dropIndex: { name: 'ix_users_admins', table: 'portal_users', columns: ['email'], where: "is_admin and name like 'a%'" } },
      ];`,
    });
    await p.db.knex.raw(`ALTER TABLE portal_users ADD COLUMN deleted_at timestamptz, ADD COLUMN archived boolean;
      CREATE INDEX ix_users_active ON portal_users (email) WHERE archived IS NOT TRUE;
      CREATE INDEX ix_users_admins ON portal_users (email) WHERE (IS_ADMIN) AND (name LIKE 'a%')`);
  });
  afterAll(async () => {
    await p?.close();
  });

  it('refuses one whose predicate is another, before anything runs; the same predicate written otherwise is not refused', async () => {
    const refused = await up(p.ctx, { expand: true }).catch((e: unknown) => e);
    expect((refused as Error).message).toBe(
      "900_operations: dropIndex ix_users_active: the index's predicate is (archived IS NOT TRUE), but the operation gives where deleted_at IS NULL: down would build another index; give its predicate as it is",
    );
    expect(await position(p)).toBe('not started');
  });

  it('goes ahead where the operation gives the predicate as it is, written otherwise', async () => {
    const q = await operationsDatabase('start_refusals_same_predicate', '900_operations', {
      text: `export const operations = [
        { dropIndex: { name: 'ix_users_active', table: 'portal_users', columns: ['email'], where: 'archived is not  true' } },
      ];`,
    });
    try {
      await q.db.knex.raw('ALTER TABLE portal_users ADD COLUMN archived boolean; CREATE INDEX ix_users_active ON portal_users (email) WHERE (Archived IS NOT TRUE)');
      await up(q.ctx, { expand: true });
      expect(await position(q)).toEqual({ stepsDone: 1, midBatch: false });
    } finally {
      await q.close();
    }
  });
});

describe('a type narrowed to a smaller length or precision (found by a newcomer: refused only on the copy, exit 6, with a hint about a CHECK there was not)', () => {
  let n: OperationsDatabase;
  beforeAll(async () => {
    n = await operationsDatabase('start_refusals_narrowed', '900_operations', {
      text: `export const operations = [
        { alterColumn: { table: 'portal_users', column: 'hashed_password', type: 'varchar(100)', fromType: 'varchar(255)' } },
        { alterColumn: { table: 'portal_users', column: 'balance', type: 'numeric(10,2)', fromType: 'numeric(12,2)' } },
        // Wider: catalog-only, not refused.
        { alterColumn: { table: 'portal_users', column: 'name', type: 'varchar(300)', fromType: 'varchar(255)' } },
      ];`,
    });
    await n.db.knex.raw('ALTER TABLE portal_users ADD COLUMN balance numeric(12,2)');
  });
  afterAll(async () => {
    await n?.close();
  });

  it('refuses each before anything runs, saying what works instead', async () => {
    const refused = await up(n.ctx, { expand: true }).catch((e: unknown) => e);
    expect((refused as { exitCode: number }).exitCode).toBe(ExitCode.Usage);
    const way = 'write it as a plain migration (check names the lock; acceptFindings where a short outage is fine), or add a column of the new type (addColumn with its up) and move the application to it';
    expect((refused as Error).message.split('; 900_operations: ')).toEqual([
      `900_operations: alterColumn portal_users.hashed_password: character varying(255) -> character varying(100) narrows the column, which PostgreSQL checks row by row (or rewrites) under ACCESS EXCLUSIVE; operations do not do that online: ${way}`,
      `alterColumn portal_users.balance: numeric(12,2) -> numeric(10,2) narrows the column, which PostgreSQL checks row by row (or rewrites) under ACCESS EXCLUSIVE; operations do not do that online: ${way}`,
    ]);
    expect(await position(n)).toBe('not started');
  });
});
