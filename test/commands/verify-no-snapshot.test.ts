/**
 * `verify` on a migration that has no expected schema in schema/ (#24, item 4):
 * a usage error (exit 2, the project lacks a file), not exit 1 ("internal error,
 * report it"); one line naming the file and how to generate it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let folder: TempMigrations;

beforeAll(async () => {
  db = await createTestDatabase('nosnapshot');
  folder = tempMigrations({ '001_widgets': sqlMigration('CREATE TABLE widgets (id int)', 'DROP TABLE widgets') });
});
afterAll(async () => {
  await db?.drop();
  folder?.remove();
});

it('exits 2 with the missing file and `npm run snapshots`, also in --json', async () => {
  const env = { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: folder.dir };
  expect((await runCli(['up'], { env })).code).toBe(0);
  const run = await runCli(['verify'], { env });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^error: there is no expected schema for migration 001_widgets: \S+\/schema\/after-001_widgets\.sql is missing\n {2}Generate it with `npm run snapshots` and commit it with the migration\.\n$/);
  const json = JSON.parse((await runCli(['verify', '--json'], { env })).stdout);
  expect(json).toMatchObject({ command: 'verify', ok: false, exitCode: 2 });
});
