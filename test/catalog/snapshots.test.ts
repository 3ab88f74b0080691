/**
 * The expected schemas in schema/ are generated, never hand-maintained: building
 * them again from a fresh database gives exactly the checked-in files, and they
 * equal the specification's catalogs (ownership aside, which they leave out).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshots, type Snapshot } from '../../scripts/build-snapshots';
import { parseCatalog } from '../../src/catalog/parse-catalog';
import { renderSnapshot, snapshotPath, DEFAULT_SNAPSHOTS_DIR } from '../../src/catalog/snapshot-files';
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
  it('are found at run time in the package root (the spawned-CLI tests cover dist/)', () => {
    expect(DEFAULT_SNAPSHOTS_DIR).toBe(SCHEMA_DIR);
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
