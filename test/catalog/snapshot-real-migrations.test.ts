/**
 * The snapshot reader (parse-catalog.ts, sql-text.ts) on what real migrations
 * write, not only on what 005 and 006 happen to hold: a later migration with a
 * function and a trigger (bodies in $$ holding `;` and `--`), comments holding
 * `;`, `--` and quotes, and a quoted column name with spaces. Its snapshot is
 * generated the way `npm run snapshots` does, `verify` agrees with it, and a
 * changed default on that column is reported by the column's name, as are a
 * dropped trigger and a changed function body.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshots, type Snapshot } from '../../scripts/build-snapshots';
import { parseCatalog } from '../../src/catalog/parse-catalog';
import { renderSnapshot, snapshotPath } from '../../src/catalog/snapshot-files';
import { verify } from '../../src/commands/verify';
import type { MigrationContext } from '../../src/context';
import { testContext } from '../support/context';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';

const UP = `
-- Notes on tenants; the trigger below keeps "updated at" current -- always.
CREATE TABLE tenant_notes (
  id serial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  "Display Name" text NOT NULL DEFAULT 'n/a; -- none',
  body text CHECK (body <> '--' AND body <> ';'),
  "updated at" timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN tenant_notes."Display Name" IS 'Shown to users; may hold -- dashes, ''quotes'' and "double quotes"';
COMMENT ON COLUMN tenant_notes.body IS 'Free text;
-- a second line that starts like a comment;';
CREATE INDEX "ix tenant notes; by name" ON tenant_notes ("Display Name") WHERE body <> ';';
CREATE FUNCTION touch_tenant_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- a comment inside the body; with a semicolon
  NEW."updated at" := now(); /* and a block comment; too */
  PERFORM $q$ a nested dollar quote; -- with its own $ and ' $q$;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "touch tenant note" BEFORE UPDATE ON tenant_notes
  FOR EACH ROW EXECUTE FUNCTION touch_tenant_note();
`;
const DOWN = 'DROP TABLE tenant_notes; DROP FUNCTION touch_tenant_note();';

let db: TestDatabase;
let migrations: TempMigrations;
let snapshotsDir: string;
let ctx: MigrationContext;
let snapshots: Snapshot[];

beforeAll(async () => {
  db = await createTestDatabase('snapshot_real');
  // The compiled 005 and 006 (npm run build), then a later migration of the kind real projects write.
  migrations = tempMigrations({ '007_tenant_notes': sqlMigration(UP, DOWN) });
  for (const name of ['005_baseline', '006_rbac_roles']) {
    copyFileSync(path.join(REPO_ROOT, 'dist', 'migrations', `${name}.js`), path.join(migrations.dir, `${name}.js`));
  }
  snapshotsDir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-snapshots-'));
  ctx = await testContext(db.url, migrations.dir);
  snapshots = await buildSnapshots(ctx);
  for (const { migration, text } of snapshots) writeFileSync(snapshotPath(snapshotsDir, migration), text);
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
  migrations?.remove();
  if (snapshotsDir) rmSync(snapshotsDir, { recursive: true, force: true });
});

const snapshotText = () => readFileSync(snapshotPath(snapshotsDir, '007_tenant_notes'), 'utf8');

describe('a snapshot of a later migration with functions, triggers, awkward comments and names', () => {
  it('is generated, and holds the quoted names and the comments as pg_dump prints them', () => {
    expect(snapshots.map((s) => s.migration)).toEqual(['005_baseline', '006_rbac_roles', '007_tenant_notes']);
    const text = snapshotText();
    expect(text).toContain(`    "Display Name" text DEFAULT 'n/a; -- none'::text NOT NULL,`);
    expect(text).toContain(`COMMENT ON COLUMN public.tenant_notes."Display Name" IS 'Shown to users; may hold -- dashes, ''quotes'' and "double quotes"';`);
    expect(text).toContain(`CREATE INDEX "ix tenant notes; by name" ON public.tenant_notes USING btree ("Display Name") WHERE (body <> ';'::text);`);
    expect(text).toMatch(/^CREATE OR REPLACE FUNCTION public\.touch_tenant_note\(\)\n RETURNS trigger\n LANGUAGE plpgsql\nAS \$function\$\nBEGIN\n {2}-- a comment inside the body; with a semicolon\n[\s\S]*\$q\$;\n {2}RETURN NEW;\nEND;\n\$function\$;$/m);
    expect(text).toContain(`CREATE TRIGGER "touch tenant note" BEFORE UPDATE ON public.tenant_notes FOR EACH ROW EXECUTE FUNCTION public.touch_tenant_note();`);
  });

  it('reads back into exactly the catalog it was rendered from', () => {
    const catalog = parseCatalog(snapshotText());
    const notes = catalog.tables.find((t) => t.name === 'tenant_notes')!;
    expect(notes.columns.map((c) => c.name)).toEqual(['id', 'tenant_id', 'Display Name', 'body', 'updated at']);
    expect(notes.columns[2]).toMatchObject({ default: `'n/a; -- none'::text`, notNull: true, comment: `Shown to users; may hold -- dashes, 'quotes' and "double quotes"` });
    expect(notes.columns[3]!.comment).toBe('Free text;\n-- a second line that starts like a comment;');
    expect(catalog.functions.map((f) => f.name)).toEqual(['touch_tenant_note()']);
    expect(catalog.functions[0]!.definition).toContain(`PERFORM $q$ a nested dollar quote; -- with its own $ and ' $q$;`);
    expect(catalog.triggers).toEqual([expect.objectContaining({ table: 'tenant_notes', name: 'touch tenant note' })]);
    expect(renderSnapshot('007_tenant_notes', catalog)).toBe(snapshotText());
  });

  it('verify is clean against it', async () => {
    expect(await verify(ctx, { snapshotsDir })).toMatchObject({ ok: true, migration: '007_tenant_notes', differences: [] });
  });

  it('verify reports a changed default on the quoted column by the column name', async () => {
    await db.knex.raw(`ALTER TABLE tenant_notes ALTER COLUMN "Display Name" SET DEFAULT 'unnamed'`);
    try {
      const result = await verify(ctx, { snapshotsDir });
      expect(result.ok).toBe(false);
      expect(result.differences).toEqual([
        expect.objectContaining({ change: 'different', kind: 'column', table: 'tenant_notes', name: 'Display Name', aspect: 'default' }),
      ]);
      expect(result.differences[0]!.message).toBe(
        `different column tenant_notes."Display Name": DEFAULT 'unnamed'::text, expected DEFAULT 'n/a; -- none'::text`,
      );
    } finally {
      await db.knex.raw(`ALTER TABLE tenant_notes ALTER COLUMN "Display Name" SET DEFAULT 'n/a; -- none'`);
    }
  });

  it('verify reports a dropped trigger and a changed function body by name', async () => {
    await db.knex.raw(`DROP TRIGGER "touch tenant note" ON tenant_notes`);
    await db.knex.raw(`CREATE OR REPLACE FUNCTION touch_tenant_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`);
    try {
      const messages = (await verify(ctx, { snapshotsDir })).differences.map((d) => d.message);
      expect(messages).toEqual([
        'different function touch_tenant_note(): its definition differs (--json shows both)',
        'missing trigger "touch tenant note" on tenant_notes: CREATE TRIGGER "touch tenant note" BEFORE UPDATE ON public.tenant_notes FOR EACH ROW EXECUTE FUNCTION public.touch_tenant_note()',
      ]);
    } finally {
      await ctx.knex.raw(UP.slice(UP.indexOf('CREATE FUNCTION')).replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
    }
    expect((await verify(ctx, { snapshotsDir })).ok).toBe(true);
  });
});
