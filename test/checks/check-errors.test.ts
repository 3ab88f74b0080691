/**
 * What `check` (and `up`'s check before it) says when it cannot do its work (found by an operator's review): a copy
 * it cannot build is its own failure, not "unexpected"; a migration that fails on the copy failed there, not on the
 * target; a check server it cannot reach is named, in one line, without knex's stack trace or the password.
 */
import knexFactory from 'knex';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { check } from '../../src/commands/check';
import type { MigrationContext } from '../../src/context';
import { ExitCode } from '../../src/exit-codes';
import { runCli } from '../support/cli';
import { testContext } from '../support/context';
import { createLoginRole } from '../support/login-role';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';
import { adminUrl, createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let folder: TempMigrations;
let ctx: MigrationContext;

beforeAll(async () => {
  db = await createTestDatabase('check_errors');
  folder = tempMigrations({ '001_broken': sqlMigration('SELECT * FROM no_such_table', 'SELECT 1') });
  ctx = await testContext(db.url, folder.dir);
});
afterAll(async () => {
  await ctx?.close();
  folder?.remove();
  await db?.drop();
});

it('says a migration failed on the copy, where nothing ran on the target', async () => {
  const failure = await check(ctx, { serverUrl: adminUrl(), thresholdRows: 0 }).catch((e: unknown) => e);
  expect([(failure as { exitCode: number }).exitCode, (failure as Error).message]).toEqual([
    ExitCode.MigrationFailed,
    `migration 001_broken (up) failed on check's throwaway copy of the schema, so nothing ran on the target: relation "no_such_table" does not exist [SQLSTATE 42P01]`,
  ]);
  expect((failure as { hint: string }).hint).toMatch(/^Fix the migration and check again\. .*`up --no-check` skips the check\.$/);
});

it('says the copy could not be built, as its own failure', async () => {
  // A type of another schema: the copy holds the target's schema alone.
  await db.knex.raw(`CREATE SCHEMA elsewhere; CREATE TYPE elsewhere.mood AS ENUM ('calm'); CREATE TABLE moods (m elsewhere.mood)`);
  try {
    const failure = await check(ctx, { serverUrl: adminUrl(), thresholdRows: 0 }).catch((e: unknown) => e);
    expect([(failure as { exitCode: number }).exitCode, (failure as Error).message]).toEqual([
      ExitCode.Internal,
      `check could not build its throwaway copy of the target's schema: schema "elsewhere" does not exist`,
    ]);
    expect((failure as { hint: string }).hint).toMatch(/^Nothing ran on the target\. .*`up --no-check` skips the check\.$/);
  } finally {
    await db.knex.raw('DROP TABLE moods; DROP SCHEMA elsewhere CASCADE');
  }
});

it('says a check server whose user may not make the copy is the cause, not the schema (found by review)', async () => {
  const admin = knexFactory({ client: 'pg', connection: adminUrl(), pool: { min: 0, max: 1 } });
  const role = await createLoginRole(admin, db.name, { createRole: false });
  try {
    await admin.raw(`ALTER ROLE ${role.name} CREATEDB`);
    // Owned by the test's superuser: OWNER TO it on the copy takes being a member of it.
    await db.knex.raw('CREATE TABLE owned_elsewhere (id int)');
    const failure = await check(ctx, { serverUrl: role.urlFor(adminUrl()), thresholdRows: 0 }).catch((e: unknown) => e);
    expect((failure as { exitCode: number }).exitCode).toBe(ExitCode.Usage);
    expect((failure as Error).message).toMatch(/^check could not build its throwaway copy on KONSTRUCT_CHECK_SERVER_URL: must be member of role "\w+"$/);
    expect((failure as { hint: string }).hint).toContain('give KONSTRUCT_CHECK_SERVER_URL a superuser');
  } finally {
    await db.knex.raw('DROP TABLE IF EXISTS owned_elsewhere');
    await admin.raw(`ALTER DATABASE ${db.name} OWNER TO CURRENT_USER`);
    await role.drop(admin).finally(() => admin.destroy());
  }
});

it('names a check server it cannot reach, in one line, exit 4, with --json intact', async () => {
  const env = { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: folder.dir, KONSTRUCT_CHECK_SERVER_URL: 'postgres://postgres:Sekr3tPw@127.0.0.1:1/postgres' };
  const text = await runCli(['check'], { env });
  expect(text.code).toBe(ExitCode.CannotConnect);
  expect(text.stderr).toMatch(/^error: check's copy server \(KONSTRUCT_CHECK_SERVER_URL\): cannot reach the database server: connect ECONNREFUSED 127\.0\.0\.1:1\n {2}Check the host and port in KONSTRUCT_CHECK_SERVER_URL /);
  expect(text.stdout + text.stderr).not.toMatch(/Sekr3tPw|Acquire connection error|    at /);
  const json = await runCli(['check', '--json'], { env });
  expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, exitCode: ExitCode.CannotConnect });
});
