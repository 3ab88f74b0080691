/**
 * A database as Alembic leaves it today: the schema at revision 005 or 006,
 * Alembic's `alembic_version(version_num varchar(32) primary key)` stamped with
 * the revision, and no knex bookkeeping. Built with the project's baseline, then
 * the seed's revision 006 as the SQL Alembic emits (spec/alembic-006-upgrade.sql).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { up } from '../../src/commands/up';
import { testContext } from './context';
import { REPO_ROOT } from './spec-files';
import { createTestDatabase, type TestDatabase } from './test-database';

export async function createAlembicDatabase(revision: '005' | '006', label = `alembic_${revision}`): Promise<TestDatabase> {
  const db = await createTestDatabase(label);
  const ctx = await testContext(db.url);
  await up(ctx, { to: '005' }).finally(() => ctx.close());
  await db.knex.transaction(async (trx) => {
    if (revision === '006') await trx.raw(readFileSync(path.join(REPO_ROOT, 'spec', 'alembic-006-upgrade.sql'), 'utf8'));
    await trx.raw('DROP TABLE knex_migrations, knex_migrations_lock');
    await trx.raw('CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))');
    await trx('alembic_version').insert({ version_num: revision });
  });
  return db;
}

/** Everything a refused or dry run must leave as it was: the schema, both histories, every table. */
export async function databaseState(knex: Knex) {
  const tables: string[] = (await knex.raw(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map(
    (r: { tablename: string }) => r.tablename,
  );
  const rowsOf = async (table: string) => (tables.includes(table) ? await knex(table).select() : null);
  return {
    tables,
    catalog: await dumpCatalog(knex),
    alembicVersion: await rowsOf('alembic_version'),
    knexMigrations: await rowsOf('knex_migrations'),
  };
}
