/**
 * --dry-run prints every statement of the pending steps, in order, with the
 * table locks each takes, and commits nothing: no schema change, no history
 * row, no history table, no lock left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { databaseState } from '../support/database-state';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { tempMigrations } from '../support/temp-migrations';

let db: TestDatabase;
const env = () => ({ DATABASE_URL: db.url });
const cli = (...args: string[]) => runCli(args, { env: env() });

beforeAll(async () => {
  db = await createTestDatabase('dryrun');
});
afterAll(async () => {
  await db?.drop();
});

/** The statements of one step in the human output (the section whose header starts with `header`), as [sql first line, locks]. */
function statementsOf(output: string, header: string): Array<{ sql: string; locks: string[] }> {
  const section = output.split(`\n${header}`)[1]!.split(/\n\n/)[0]!;
  const statements: Array<{ sql: string; locks: string[] }> = [];
  for (const line of section.split('\n').slice(1)) {
    const start = /^ {2}\d+\. (.*)$/.exec(line);
    const lock = /^ {5}→ (.*)$/.exec(line);
    if (start) statements.push({ sql: start[1]!, locks: [] });
    else if (lock) statements.at(-1)!.locks.push(lock[1]!);
  }
  return statements;
}
const locksOn = (statements: Array<{ locks: string[] }>, table: string) =>
  statements.flatMap((s) => s.locks).filter((l) => l.endsWith(` on ${table}`));

describe('up --dry-run', () => {
  it('on a fresh database: prints every step and leaves no trace, not even the history tables', async () => {
    const before = await databaseState(db.knex);
    const run = await cli('up', '--dry-run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Dry run of up: the steps below ran in one transaction that was then rolled back\./);
    expect(run.stdout).toMatch(/\n005_baseline \(up\)\n {2}1\. DO \$\$/);
    for (const phase of ['expand', 'backfill', 'contract']) expect(run.stdout).toMatch(new RegExp(`\\n006_rbac_roles \\(up\\) ${phase}: `));
    expect(run.stdout).toMatch(/Rolled back: nothing was committed \(no schema change, no history row\)\.\n$/);
    expect(before.history).toBe('no history table');
    expect(await databaseState(db.knex)).toEqual(before);
  });

  it('on a database at 005: every statement of each step of 006 in order, with the table locks each takes', async () => {
    expect((await cli('up', '--to', '005')).code).toBe(0);
    await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES ('a@x', 'h', 'A', true)`);
    const before = await databaseState(db.knex);

    const run = await cli('up', '--dry-run');
    expect(run.code, run.stderr).toBe(0);
    const expand = statementsOf(run.stdout, '006_rbac_roles (up) expand: ');
    expect(expand.map((s) => s.sql)).toEqual([
      expect.stringMatching(/^create table "user_tenant_roles" /),
      `comment on column "user_tenant_roles"."role" is 'customer_admin | customer_operator'`,
      expect.stringMatching(/^alter table "user_tenant_roles" add constraint "user_tenant_roles_tenant_id_fkey"/),
      `alter table "user_tenant_roles" add constraint "uq_user_tenant_role" unique ("user_id", "tenant_id")`,
      `create index "ix_user_tenant_roles_user" on "user_tenant_roles" ("user_id")`,
      `create index "ix_user_tenant_roles_tenant" on "user_tenant_roles" ("tenant_id")`,
      'GRANT SELECT, INSERT, UPDATE, DELETE ON user_tenant_roles TO konstruct_app',
      expect.stringMatching(/^create table "portal_invitations" /),
      ...Array(4).fill(expect.stringMatching(/^comment on column "portal_invitations"/)),
      expect.stringMatching(/^alter table "portal_invitations" add constraint "portal_invitations_tenant_id_fkey"/),
      `alter table "portal_invitations" add constraint "portal_invitations_token_hash_key" unique ("token_hash")`,
      `create index "ix_portal_invitations_tenant" on "portal_invitations" ("tenant_id")`,
      `create index "ix_portal_invitations_email" on "portal_invitations" ("email")`,
      `create unique index "ix_portal_invitations_token_hash" on "portal_invitations" ("token_hash")`,
      'GRANT SELECT, INSERT, UPDATE, DELETE ON portal_invitations TO konstruct_app',
      `alter table "portal_users" add column "role" text not null default 'customer_admin'`,
      'CREATE FUNCTION portal_users_sync_role_is_admin() RETURNS trigger LANGUAGE plpgsql AS $$',
      expect.stringMatching(/^CREATE TRIGGER portal_users_sync_role_is_admin BEFORE INSERT OR UPDATE ON portal_users/),
      expect.stringMatching(/^alter table "user_tenant_roles" add constraint "user_tenant_roles_user_id_fkey"/),
      expect.stringMatching(/^alter table "portal_invitations" add constraint "portal_invitations_invited_by_fkey"/),
    ]);
    const locksOf = (statement: number) => expand[statement - 1]!.locks;
    expect(locksOf(1)).toEqual(['AccessExclusiveLock on user_tenant_roles']);
    // A foreign key to tenants blocks writes to tenants while it is validated.
    expect(locksOf(3)).toEqual(['ShareRowExclusiveLock on tenants']);
    // Nothing before statement 19 locks portal_users: the lock every application query on it
    // would queue behind is taken as late as possible, and held to the commit.
    const firstOnPortalUsers = expand.findIndex((s) => s.locks.some((l) => l.endsWith(' on portal_users'))) + 1;
    expect(firstOnPortalUsers).toBe(19);
    expect(locksOf(19)).toEqual(['AccessExclusiveLock on portal_users']);

    // The backfill takes row locks only; VALIDATE takes a lock that lets reads and writes go on.
    const backfill = statementsOf(run.stdout, '006_rbac_roles (up) backfill: ');
    expect(backfill.at(-1)!.sql).toMatch(/^WITH changed AS \(UPDATE portal_users SET role = 'platform_admin' WHERE ctid >= '\(0,0\)'::tid AND ctid < /);
    expect(locksOn(backfill, 'portal_users')).toEqual(['RowExclusiveLock on portal_users']);
    const validate = statementsOf(run.stdout, '006_rbac_roles (up) contract: validate ');
    expect(validate).toEqual([{ sql: 'ALTER TABLE portal_users VALIDATE CONSTRAINT ck_portal_users_role', locks: ['ShareUpdateExclusiveLock on portal_users'] }]);
    const drop = statementsOf(run.stdout, '006_rbac_roles (up) contract: drop ');
    expect(drop.map((s) => s.sql)).toEqual([
      'DROP TRIGGER portal_users_sync_role_is_admin ON portal_users',
      'DROP FUNCTION portal_users_sync_role_is_admin()',
      'alter table "portal_users" drop column "is_admin"',
      'ALTER TABLE portal_users ALTER COLUMN role DROP DEFAULT',
    ]);

    expect(await databaseState(db.knex)).toEqual(before);
    expect((await db.knex('portal_users').select('is_admin'))[0].is_admin).toBe(true);
  });

  it('--json gives the same statements and locks as data, step by step', async () => {
    const run = await cli('up', '--dry-run', '--json');
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ command: 'up', ok: true, exitCode: 0, dryRun: true, batch: 2, error: null });
    expect(doc.migrations.map((m: { phase: string }) => m.phase)).toEqual(['expand', 'backfill', 'contract', 'contract', 'contract', 'contract']);
    expect(doc.migrations[0]).toMatchObject({ name: '006_rbac_roles', direction: 'up', notRun: null, batches: null });
    expect(doc.migrations[1]).toMatchObject({ name: '006_rbac_roles', phase: 'backfill', batches: 1 });
    expect(doc.migrations[0].statements[18]).toEqual({
      sql: `alter table "portal_users" add column "role" text not null default 'customer_admin'`,
      locks: [{ relation: 'portal_users', mode: 'AccessExclusiveLock' }],
    });
    expect(run.stderr).toMatch(/Dry run of up/);
  });

  it('once expanded, `complete --dry-run` shows the contract alone, with the locks each step takes', async () => {
    expect((await cli('up', '--expand')).code).toBe(0);
    const before = await databaseState(db.knex);
    const run = await cli('complete', '--dry-run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/\(up\) (expand|backfill):/);
    expect(locksOn(statementsOf(run.stdout, '006_rbac_roles (up) contract: add '), 'portal_users')).toEqual(['AccessExclusiveLock on portal_users']);
    expect(locksOn(statementsOf(run.stdout, '006_rbac_roles (up) contract: validate '), 'portal_users')).toEqual(['ShareUpdateExclusiveLock on portal_users']);
    expect(await databaseState(db.knex)).toEqual(before);
    expect((await cli('complete')).code).toBe(0);
  });
});

describe('down --dry-run', () => {
  it('prints the revert of each step of 006 and what reverting for real would destroy, and changes nothing', async () => {
    expect((await cli('up')).code).toBe(0);
    await db.knex.raw(`UPDATE portal_users SET role = 'customer_operator'`);
    const before = await databaseState(db.knex);

    const run = await cli('down', '--dry-run');
    expect(run.code, run.stderr).toBe(0);
    const first = statementsOf(run.stdout, '006_rbac_roles (down) contract: drop ');
    expect(first[0]).toEqual({ sql: `alter table "portal_users" add column "is_admin" boolean not null default '0'`, locks: ['AccessExclusiveLock on portal_users'] });
    const restore = statementsOf(run.stdout, '006_rbac_roles (down) contract: platform admins ');
    expect(locksOn(restore, 'portal_users')).toEqual(['RowExclusiveLock on portal_users']);
    const last = statementsOf(run.stdout, '006_rbac_roles (down) expand: ');
    expect(last[0]).toEqual({ sql: 'REVOKE ALL ON portal_invitations FROM konstruct_app', locks: [] });
    expect(last.find((s) => s.sql === 'drop table "portal_invitations"')).toBeDefined();
    expect(last.at(-1)!.sql).toBe(`alter table "portal_users" drop column "role"`);
    expect(run.stdout).toMatch(/Reverting for real would destroy:\n {2}006_rbac_roles: .*portal_users with role customer_operator \(become is_admin = false\): 1/);

    expect(await databaseState(db.knex)).toEqual(before);
    expect(await db.knex('portal_users').pluck('role')).toEqual(['customer_operator']);
  });
});

describe('a non-transactional step', () => {
  it('cannot be run and rolled back: the dry run stops before it and says so', async () => {
    const dir = tempMigrations({
      '001_table': `exports.up = (knex) => knex.raw('CREATE TABLE things (id int)'); exports.down = (knex) => knex.raw('DROP TABLE things');`,
      '002_index': `exports.config = { transaction: false };
exports.up = (knex) => knex.raw('CREATE INDEX CONCURRENTLY things_id ON things (id)');
exports.down = (knex) => knex.raw('DROP INDEX CONCURRENTLY things_id');`,
    });
    const other = await createTestDatabase('dryrunnontx');
    try {
      const run = await runCli(['up', '--dry-run'], { env: { DATABASE_URL: other.url, KONSTRUCT_MIGRATIONS_DIR: dir.dir } });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/001_table \(up\)\n {2}1\. CREATE TABLE things \(id int\)\n {5}→ AccessExclusiveLock on things/);
      expect(run.stdout).toMatch(/002_index \(up\)\n {2}not run: it is not transactional, so it cannot be run and rolled back; the dry run stops here/);
      expect(await other.knex.schema.hasTable('things')).toBe(false);
    } finally {
      await other.drop();
      dir.remove();
    }
  });
});
