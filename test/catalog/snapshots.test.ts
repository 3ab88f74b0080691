/**
 * The expected schemas in schema/ are generated, never hand-maintained: building
 * them again from a fresh database gives exactly the checked-in files, and they
 * equal the specification's catalogs (ownership aside, which they leave out).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshots, type Snapshot } from '../../scripts/build-snapshots';
import { parseCatalog } from '../../src/catalog/parse-catalog';
import { DEFAULT_SNAPSHOTS_DIR, loadSnapshot, renderSnapshot, snapshotPath } from '../../src/catalog/snapshot-files';
import { listLocalMigrations } from '../../src/history/local-migrations';
import { testContext } from '../support/context';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const SCHEMA_DIR = path.join(REPO_ROOT, 'schema');
let db: TestDatabase;
let built: Snapshot[];

beforeAll(async () => {
  db = await createTestDatabase('snapshots');
  const ctx = await testContext(db.url);
  built = await buildSnapshots(ctx).finally(() => ctx.close());
});
afterAll(async () => db?.drop());

const checkedIn = (migration: string) => readFileSync(snapshotPath(SCHEMA_DIR, migration), 'utf8');
const withoutComments = (text: string) => text.split('\n').filter((l) => !l.startsWith('--')).join('\n');
const withoutOwners = (text: string) => text.split('\n').filter((l) => !/^ALTER TABLE \S+ OWNER TO /.test(l)).join('\n');
const spec = (file: string) => readFileSync(path.join(REPO_ROOT, 'spec', file), 'utf8');

describe('schema/ snapshots', () => {
  it('are found by the compiled code in the schema/ folder of the package it belongs to, wherever that is', () => {
    // A copy of the built package elsewhere, its schema/ changed: the compiled module must read the copy's.
    const pkg = mkdtempSync(path.join(os.tmpdir(), 'konstruct-pkg-'));
    try {
      cpSync(path.join(REPO_ROOT, 'dist'), path.join(pkg, 'dist'), { recursive: true });
      cpSync(SCHEMA_DIR, path.join(pkg, 'schema'), { recursive: true });
      const marker = `${checkedIn('006_rbac_roles')}COMMENT ON COLUMN public.tenants.slug IS 'only in the copy';\n`;
      writeFileSync(path.join(pkg, 'schema', 'after-006_rbac_roles.sql'), marker);

      const compiled = createRequire(__filename)(path.join(pkg, 'dist', 'src', 'catalog', 'snapshot-files.js')) as typeof import('../../src/catalog/snapshot-files');
      expect(compiled.DEFAULT_SNAPSHOTS_DIR).toBe(path.join(pkg, 'schema'));
      const { catalog } = compiled.loadSnapshot(compiled.DEFAULT_SNAPSHOTS_DIR, '006_rbac_roles');
      expect(catalog.tables.find((t) => t.name === 'tenants')!.columns.find((c) => c.name === 'slug')!.comment).toBe('only in the copy');
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
  });

  it('are found from the TypeScript sources in the repository root', () => {
    const { catalog } = loadSnapshot(DEFAULT_SNAPSHOTS_DIR, '006_rbac_roles');
    expect(renderSnapshot('006_rbac_roles', catalog)).toBe(checkedIn('006_rbac_roles'));
  });

  it('exist for every migration and for nothing else', () => {
    const migrations = listLocalMigrations(path.join(REPO_ROOT, 'migrations')).map((m) => `after-${m.name}.sql`);
    expect(readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.sql')).sort()).toEqual(migrations.sort());
  });

  it('are current: rebuilding them from a fresh database gives the checked-in text (else run `npm run snapshots`)', () => {
    expect(built.map((s) => s.migration)).toEqual(['005_baseline', '006_rbac_roles']);
    for (const { migration, text } of built) expect(text, `schema/after-${migration}.sql`).toBe(checkedIn(migration));
  });

  it('after 006 equals spec/target-catalog-after-006.sql (what Alembic produced), owners aside', () => {
    expect(withoutComments(checkedIn('006_rbac_roles'))).toBe(withoutOwners(spec('target-catalog-after-006.sql')));
  });

  it('after 005 equals spec/catalog-after-005.sql, owners aside', () => {
    expect(withoutComments(checkedIn('005_baseline'))).toBe(withoutOwners(spec('catalog-after-005.sql')));
  });

  it('parse back into the catalog they were rendered from', () => {
    for (const { migration } of built) {
      const text = checkedIn(migration);
      expect(renderSnapshot(migration, parseCatalog(text))).toBe(text);
    }
  });
});
