/**
 * `npx knex migrate:*` as a new user types it, with no NODE_OPTIONS and no
 * --knexfile (#24, item 8): knex finds knexfile.js, which loads knexfile.ts
 * through tsx, and reads the same history as konstruct-migrate.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, runProcess } from '../support/cli';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('knex_npx');
});
afterAll(async () => db?.drop());

it('npx knex migrate:status and migrate:latest work without a loader given', async () => {
  const env = { DATABASE_URL: db.url };
  expect((await runCli(['up', '--to', '005'], { env })).code).toBe(0);
  const status = await runProcess('npx', ['--no-install', 'knex', 'migrate:status'], { cwd: REPO_ROOT, env, timeoutMs: 60_000 });
  expect(status.stdout + status.stderr).not.toMatch(/Failed to load external module|SyntaxError/);
  expect(status.code, status.stderr).toBe(0);
  expect(status.stdout).toMatch(/Found 1 Completed Migration file\/files\.\n005_baseline\nFound 1 Pending Migration file\/files\.\n006_rbac_roles/);
  const latest = await runProcess('npx', ['--no-install', 'knex', 'migrate:latest'], { cwd: REPO_ROOT, env, timeoutMs: 60_000 });
  expect(latest.code, latest.stderr).toBe(0);
  expect(await db.knex('knex_migrations').orderBy('id').pluck('name')).toEqual(['005_baseline', '006_rbac_roles']);
});
