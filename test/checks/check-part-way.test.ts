/**
 * The check before `up` (and `check` itself) on a migration standing part-way: the copy is made from the
 * target's catalog, where the steps already done stand, so it must run only what `up` will run from there.
 * It once ran 006 from its first step again, failed on "relation user_tenant_roles already exists", and so
 * refused to carry on exactly the large tables phased migrations are for (`up --no-check` hid it in the kill tests).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { TEST_STOP_VARIABLE } from '../../src/engine/test-stop-point';
import { readPhaseStates } from '../../src/history/phase-state';
import { runCli } from '../support/cli';
import { SOURCE_MIGRATIONS_DIR } from '../support/context';
import { adminUrl, createTestDatabase, type TestDatabase } from '../support/test-database';
import { startWatchedCli } from '../support/watched-cli';
import { waitUntil } from '../support/wait-until';

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase('check_part_way');
});
afterEach(async () => db?.drop());

/** `--check-threshold 0`: every table counts as large, so `up` always checks on a copy first. */
const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: SOURCE_MIGRATIONS_DIR, KONSTRUCT_CHECK_SERVER_URL: adminUrl() } });

async function at005WithUsers(): Promise<void> {
  expect((await cli('up', '--to', '005')).code).toBe(0);
  await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin)
    SELECT 'u' || i || '@x', 'h', 'User ' || i, i % 5 = 0 FROM generate_series(1, 3000) AS i`);
}

it('killed inside the backfill, the next up checks what is left and carries 006 on to the end', async () => {
  await at005WithUsers();
  const run = startWatchedCli(['up', '--check-threshold', '0', '--batch-size', '100'], {
    env: { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: SOURCE_MIGRATIONS_DIR, KONSTRUCT_CHECK_SERVER_URL: adminUrl(), [TEST_STOP_VARIABLE]: 'steps=1,batches=1' },
  });
  await run.waitForOutput(new RegExp(`${TEST_STOP_VARIABLE}: stopped after committing steps=1,batches=1\\n`));
  run.kill('SIGKILL');
  await run.exited;
  await waitUntil(async () => (await db.knex.raw(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'konstruct-migrate%'`)).rows.length === 0, 'the killed run\'s backends to end');
  expect(await readPhaseStates(db.knex)).toMatchObject([{ name: '006_rbac_roles', stepsDone: 1, direction: 'up', cursor: expect.any(String) }]);

  const checked = await cli('check', '--threshold', '0');
  expect([checked.code, checked.stderr]).toEqual([0, '']);
  expect(checked.stdout).toMatch(/^Checked 006_rbac_roles on a throwaway copy .*\n\nNo unsafe finding\.\n$/);
  const carried = await cli('up', '--check-threshold', '0');
  expect([carried.code, carried.stderr]).toEqual([0, '']);
  expect(carried.stdout).toContain('  ↑ 006_rbac_roles (');
  expect((await db.knex.raw(`SELECT count(*)::int AS n FROM portal_users WHERE role = 'platform_admin'`)).rows[0].n).toBe(600);
});

it('up --expand on a migration already expanded changes nothing and exits 0, its check included', async () => {
  await at005WithUsers();
  expect((await cli('up', '--expand', '--check-threshold', '0')).code).toBe(0);
  const again = await cli('up', '--expand', '--check-threshold', '0');
  expect([again.code, again.stderr]).toEqual([0, '']);
  expect(await readPhaseStates(db.knex)).toMatchObject([{ name: '006_rbac_roles', stepsDone: 2, held: true }]);
});
