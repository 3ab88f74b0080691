/**
 * spec/alembic-006-*.sql transcribe the seed's upgrade()/downgrade() as SQL; the
 * benchmark and the Alembic-adoption tests rely on them. Applied to the baseline,
 * they must produce exactly the same catalogs as the Alembic seed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { up } from '../../src/commands/up';
import { testContext } from '../support/context';
import { expectedCatalog, REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('alembic_sql');
  const ctx = await testContext(db.url);
  await up(ctx, { to: '005' }).finally(() => ctx.close());
});
afterAll(async () => db?.drop());

const runSpecSql = (file: string) =>
  db.knex.transaction((trx) => trx.raw(readFileSync(path.join(REPO_ROOT, 'spec', file), 'utf8')));

it('the seed upgrade SQL turns the baseline into the target catalog', async () => {
  await runSpecSql('alembic-006-upgrade.sql');
  expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'target-catalog-after-006.sql'));
});

it('the seed downgrade SQL turns it back into the baseline catalog', async () => {
  await runSpecSql('alembic-006-downgrade.sql');
  expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'catalog-after-005.sql'));
});
