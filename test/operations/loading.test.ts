/**
 * An operations migration as the commands meet it: a malformed list is the
 * author's error (exit 2, one line naming the file and the element, nothing
 * changed); --dry-run shows each compiled step's statements and commits nothing;
 * the stock knex CLI's offline path runs the whole list in one transaction.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { up } from '../../src/commands/up';
import { ExitCode } from '../../src/exit-codes';
import { KonstructMigrationSource } from '../../src/engine/knex-migration-source';
import { runCli } from '../support/cli';
import { expectedCatalog } from '../support/spec-files';
import { operationsDatabase, position } from './harness';

const source = (operations: unknown) => `export const operations = ${JSON.stringify(operations)};\n`;
const createdAt = { createIndex: { table: 'portal_users', name: 'ix_portal_users_created_at', columns: ['created_at'] } };
const rename = { renameColumn: { table: 'portal_users', from: 'name', to: 'display_name' } };

it('an unknown operation: exit 2, one line naming the file and the element; the database is unchanged', async () => {
  const h = await operationsDatabase('badops', '900_operations', { text: source([rename]) });
  try {
    writeFileSync(h.migration.file, source([rename, { renameColumns: { table: 'portal_users' } }]));
    const run = await runCli(['up'], { env: { DATABASE_URL: h.db.url, KONSTRUCT_MIGRATIONS_DIR: path.dirname(h.migration.file) } });
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr.split('\n')[0]).toBe(
      `error: ${h.migration.file}: operations[1]: expected one of addColumn, dropColumn, renameColumn, alterColumn, createTable, createIndex, dropIndex, dropTable, sql, batch as its only key, got renameColumns`,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await dumpCatalog(h.db.knex)).toBe(await expectedCatalog(h.db.knex, 'catalog-after-005.sql'));
  } finally {
    await h.close();
  }
});

it.each([
  [{ addColumn: { table: 'portal_users', column: { name: 'nick', type: 'text', nulable: false } } }, 'operations[1].addColumn.column: unknown field "nulable"'],
  [{ addColumn: { table: 'portal_users', colum: { name: 'nick', type: 'text' } } }, 'operations[1].addColumn: unknown field "colum"'],
  [{ createIndex: { table: 'portal_users', name: 'ix_a', columns: 'created_at' } }, 'operations[1].createIndex.columns: expected array, received string'],
  [{ alterColumn: { table: 'portal_users', column: 'name', references: 'tenants(id)' } }, 'operations[1].alterColumn.references: expected object, received string'],
  [{ createTable: { table: 't', columns: [{ name: 'id', type: 'int' }, { name: 'b', tpye: 'text' }] } }, 'operations[1].createTable.columns[1]: unknown field "tpye"'],
  [{ renameColumn: { table: 'portal_users', from: 'name' } }, 'operations[1].renameColumn.to: missing'],
  [{ alterColumn: { table: 'portal_users', column: 'email', type: 'text' } }, 'operations[1].alterColumn.fromType: missing: with `type`, give the type the column has now, which `down` changes it back to'],
])('a field misspelt or of the wrong shape: exit 2, one line naming the element and the field, before anything runs (%#)', async (wrong, said) => {
  const h = await operationsDatabase('badfields', '900_operations', { text: source([rename]) });
  try {
    writeFileSync(h.migration.file, source([rename, wrong]));
    const run = await runCli(['up'], { env: { DATABASE_URL: h.db.url, KONSTRUCT_MIGRATIONS_DIR: path.dirname(h.migration.file) } });
    expect([run.code, run.stderr.split('\n')[0]]).toEqual([ExitCode.Usage, `error: ${h.migration.file}: ${said}`]);
    expect(await dumpCatalog(h.db.knex)).toBe(await expectedCatalog(h.db.knex, 'catalog-after-005.sql'));
  } finally {
    await h.close();
  }
});

it('--dry-run lists every compiled step with its statements, the index step in its in-transaction form, and commits nothing', async () => {
  const h = await operationsDatabase('dryops', '900_operations', { text: source([rename, createdAt]) });
  try {
    const result = await up(h.ctx, { dryRun: true });
    expect(result.dryRun!.map((s) => `${s.phase}: ${s.step}`)).toEqual(h.steps.map((s) => `${s.phase}: ${s.name}`));
    const statements = result.dryRun!.flatMap((s) => s.statements.map((x) => x.sql));
    expect(statements).toContain('CREATE INDEX IF NOT EXISTS "ix_portal_users_created_at" ON "portal_users" ("created_at")');
    expect(statements).toContain('ALTER TABLE "portal_users" RENAME COLUMN "name" TO "display_name"');
    expect(await position(h)).toBe('not started');
    expect(await dumpCatalog(h.db.knex)).toBe(await expectedCatalog(h.db.knex, 'catalog-after-005.sql'));
  } finally {
    await h.close();
  }
});

it('the offline path (the stock knex CLI) runs the whole list, CONCURRENTLY dropped, in one transaction, and back', async () => {
  const h = await operationsDatabase('offlineops', '900_operations', { text: source([rename, createdAt]) });
  try {
    const knexSource = new KonstructMigrationSource(path.dirname(h.migration.file));
    const mod = await knexSource.getMigration((await knexSource.getMigrations()).find((m) => m.name === h.migration.name)!);
    await h.db.knex.transaction(async (trx) => {
      await mod.up(trx);
    });
    const catalog = await dumpCatalog(h.db.knex);
    expect(catalog).toContain('display_name character varying(255) NOT NULL');
    expect(catalog).toContain('CREATE INDEX ix_portal_users_created_at ON public.portal_users USING btree (created_at);');
    await h.db.knex.transaction(async (trx) => {
      await mod.down!(trx);
    });
    expect(await dumpCatalog(h.db.knex)).toBe(await expectedCatalog(h.db.knex, 'catalog-after-005.sql'));
  } finally {
    await h.close();
  }
});
