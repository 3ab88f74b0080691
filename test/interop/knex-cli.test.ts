/**
 * The stock knex CLI, with the project's knexfile.ts loaded through tsx, and
 * konstruct-migrate take turns on one database and always agree: same names,
 * same batches, same history.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runProcess, type CliResult } from '../support/cli';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase('knex_cli');
  env = { DATABASE_URL: db.url };
});
afterAll(async () => {
  await db?.drop();
});

/** `node --import tsx node_modules/knex/bin/cli.js <args> --knexfile knexfile.ts`, as docs/knex-interop.md says. */
function knexCli(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const cli = path.join(REPO_ROOT, 'node_modules', 'knex', 'bin', 'cli.js');
  const argv = ['--import', 'tsx', cli, ...args, '--knexfile', 'knexfile.ts'];
  return runProcess(process.execPath, argv, { cwd: REPO_ROOT, env: { ...env, ...extraEnv }, timeoutMs: 60_000 });
}

const history = async () =>
  (await db.knex('knex_migrations').orderBy('id').select('name', 'batch')) as Array<{ name: string; batch: number }>;
const statusRows = async (extra: Record<string, string> = {}) =>
  (await runCli(['status'], { env: { ...env, ...extra } })).stdout
    .split('\n')
    .filter((l) => /^\d{3}_/.test(l))
    .map((l) => l.split(/\s{2,}/).filter((cell, i) => i !== 2)); // name, state, batch (not the time)

describe('the stock knex CLI and konstruct-migrate on the same database', () => {
  it('knex lists what konstruct-migrate applied, by the same names', async () => {
    expect((await runCli(['up'], { env })).code).toBe(0);
    const list = await knexCli(['migrate:list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/Found 2 Completed Migration file\/files\.\n005_baseline\n006_rbac_roles\nNo Pending Migration files Found\./);
  });

  it('konstruct-migrate sees knex roll back and re-apply, batch by batch', async () => {
    const rollback = await knexCli(['migrate:rollback']);
    expect(rollback.stdout).toMatch(/Batch 1 rolled back: 2 migrations/);
    expect(await statusRows()).toEqual([
      ['005_baseline', 'pending', '-'],
      ['006_rbac_roles', 'pending', '-'],
    ]);

    expect((await knexCli(['migrate:up'])).stdout).toMatch(/Batch 1 ran the following migrations:\n005_baseline/);
    expect((await runCli(['up'], { env })).stdout).toMatch(/↑ 006_rbac_roles .*\nApplied 1 migration in batch 2/);
    expect(await statusRows()).toEqual([
      ['005_baseline', 'applied', '1'],
      ['006_rbac_roles', 'applied', '2'],
    ]);
    expect(await history()).toEqual([
      { name: '005_baseline', batch: 1 },
      { name: '006_rbac_roles', batch: 2 },
    ]);
  });

  it('knex reverts what konstruct-migrate applied, and applies what it reverted', async () => {
    expect((await runCli(['down'], { env })).code).toBe(0);
    const status = await knexCli(['migrate:status']);
    expect(status.stdout).toMatch(/Found 1 Completed Migration file\/files\.\n005_baseline\nFound 1 Pending Migration file\/files\.\n006_rbac_roles/);

    expect((await knexCli(['migrate:latest'])).stdout).toMatch(/Batch 2 run: 1 migrations/);
    expect((await runCli(['status'], { env })).stdout).toMatch(/2 applied, 0 pending: up to date\./);
    expect((await knexCli(['migrate:latest'])).stdout).toMatch(/Already up to date/);
    expect((await runCli(['up'], { env })).stdout).toMatch(/Nothing to apply/);
  });

  it('mid-way through a phased migration, knex sees it pending and refuses to run or roll back anything', async () => {
    expect((await runCli(['down'], { env })).code).toBe(0);
    expect((await runCli(['up', '--expand'], { env })).code).toBe(0);
    const status = await knexCli(['migrate:status']);
    expect(status.stdout).toMatch(/Found 1 Completed Migration file\/files\.\n005_baseline\nFound 1 Pending Migration file\/files\.\n006_rbac_roles/);
    const before = await db.knex.raw(`SELECT (SELECT count(*) FROM knex_migrations) AS history, (SELECT steps_done FROM konstruct_migration_phases) AS steps`);

    for (const command of ['migrate:latest', 'migrate:up', 'migrate:rollback', 'migrate:down']) {
      const run = await knexCli([command]);
      expect(run.code, command).not.toBe(0);
      expect(run.stdout + run.stderr, command).toMatch(
        /006_rbac_roles stands part-way \(see konstruct_migration_phases\); only konstruct-migrate can carry it on: run `konstruct-migrate complete` to finish it or `konstruct-migrate down` to revert it \(\d{3}_\w+ (up|down) changed nothing\)/,
      );
    }
    expect((await db.knex.raw(`SELECT (SELECT count(*) FROM knex_migrations) AS history, (SELECT steps_done FROM konstruct_migration_phases) AS steps`)).rows).toEqual(before.rows);
    expect(await history()).toEqual([{ name: '005_baseline', batch: 1 }]);

    expect((await runCli(['complete'], { env })).code).toBe(0);
    expect((await knexCli(['migrate:list'])).stdout).toMatch(/Found 2 Completed Migration file\/files\.\n005_baseline\n006_rbac_roles\nNo Pending Migration files Found\./);
  });

  it('knex refuses, as `down` does, to revert what destroys data, in one line, unless KONSTRUCT_CONFIRM_DATA_LOSS=yes (found by review)', async () => {
    await db.knex.raw(`INSERT INTO tenants (name, slug) VALUES ('T', 't-knex');
      INSERT INTO portal_users (email, hashed_password, name, role) VALUES ('knex@example.com', 'h', 'K', 'customer_admin');
      INSERT INTO user_tenant_roles (user_id, tenant_id, role) SELECT u.id, t.id, 'customer_admin' FROM portal_users u, tenants t WHERE t.slug = 't-knex'`);
    const refused = await knexCli(['migrate:down']);
    expect(refused.code).toBe(1);
    const said = refused.stdout + refused.stderr;
    expect(said).toContain(
      'reverting 006_rbac_roles would destroy data (rows in user_tenant_roles (dropped): 1); nothing was changed. Back it up if you need it, then run again with KONSTRUCT_CONFIRM_DATA_LOSS=yes, or use `konstruct-migrate down`, which asks.',
    );
    expect(said).not.toMatch(/^\s+at /m);
    expect(await history()).toEqual([{ name: '005_baseline', batch: 1 }, { name: '006_rbac_roles', batch: 2 }]);

    expect((await knexCli(['migrate:down'], { KONSTRUCT_CONFIRM_DATA_LOSS: 'yes' })).code).toBe(0);
    expect(await history()).toEqual([{ name: '005_baseline', batch: 1 }]);
    expect((await runCli(['up'], { env })).code).toBe(0);
  });

  it('with KONSTRUCT_SCHEMA, both read the history of that schema', async () => {
    await db.knex.raw('CREATE SCHEMA tenant_k');
    const schema = { KONSTRUCT_SCHEMA: 'tenant_k' };
    expect((await runCli(['up', '--to', '005'], { env: { ...env, ...schema } })).code).toBe(0);
    const status = await knexCli(['migrate:status'], schema);
    expect(status.stdout).toMatch(/Found 1 Completed Migration file\/files\.\n005_baseline\nFound 1 Pending Migration file\/files\.\n006_rbac_roles/);
    expect((await knexCli(['migrate:latest'], schema)).code).toBe(0);
    expect(await statusRows(schema)).toEqual([
      ['005_baseline', 'applied', '1'],
      ['006_rbac_roles', 'applied', '2'],
    ]);
    expect((await db.knex('tenant_k.knex_migrations').count({ n: '*' }))[0]).toEqual({ n: '2' });
  });
});
