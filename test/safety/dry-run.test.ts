/**
 * --dry-run prints every statement of the pending steps, in order, with the
 * table locks each takes, and commits nothing: no schema change, no history
 * row, no history table, no lock left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/catalog';
import { DEFAULT_SNAPSHOTS_DIR, loadSnapshot } from '../../src/catalog/snapshot-files';
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

interface PrintedStatement {
  sql: string;
  /** The table locks the statement newly takes, as printed: "AccessExclusiveLock on portal_users". */
  locks: string[];
}

/** The statements of one step in the human output (the section whose header starts with `header`): `  N. first line`, `     → lock`. */
function statementsOf(output: string, header: string): PrintedStatement[] {
  return statementsOfSection(output.split(`\n${header}`)[1]!);
}

/** A section is the rest of its header line, then its statements up to the next blank line. */
function statementsOfSection(section: string): PrintedStatement[] {
  const statements: PrintedStatement[] = [];
  for (const line of section.split(/\n\n/)[0]!.split('\n').slice(1)) {
    const start = /^ {2}\d+\. (.*)$/.exec(line);
    const lock = /^ {5}→ (.*)$/.exec(line);
    if (start) statements.push({ sql: start[1]!, locks: [] });
    else if (lock) statements.at(-1)!.locks.push(lock[1]!);
    else if (line.startsWith('     ')) statements.at(-1)!.sql += `\n${line.slice(5)}`;
  }
  return statements;
}
const locksOn = (statements: Array<{ locks: string[] }>, table: string) =>
  statements.flatMap((s) => s.locks).filter((l) => l.endsWith(` on ${table}`));
/** Every statement of every step whose header starts with `prefix` (e.g. "006_rbac_roles (up)"), in order. */
const allStatementsOf = (output: string, prefix: string) =>
  output.split(`\n${prefix} `).slice(1).flatMap(statementsOfSection);
const indexIn = (statements: PrintedStatement[], pattern: RegExp) => statements.findIndex((s) => pattern.test(s.sql));

/** What 006 adds, from the expected schemas (schema/): its tables, constraints and indexes, comments and grants. */
function addedBy006() {
  const [before, after] = ['005_baseline', '006_rbac_roles'].map((m) => loadSnapshot(DEFAULT_SNAPSHOTS_DIR, m).catalog);
  const names = (c: Catalog) => new Set([...c.constraints, ...c.indexes].map((o) => o.name));
  const comments = (c: Catalog) => c.tables.flatMap((t) => t.columns.filter((col) => col.comment !== null).map((col) => `${t.name}.${col.name}`));
  const grants = (c: Catalog) => c.grants.map((g) => `${g.table} TO ${g.grantee}`);
  const added = <T>(list: (c: Catalog) => Iterable<T>) => [...list(after!)].filter((x) => ![...list(before!)].includes(x));
  return {
    tables: added((c) => c.tables.map((t) => t.name)),
    constraintsAndIndexes: added(names),
    comments: added(comments),
    grants: added(grants),
  };
}

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

  describe('on a database at 005 with an admin', () => {
    let output: string;
    let before: Awaited<ReturnType<typeof databaseState>>;
    beforeAll(async () => {
      expect((await cli('up', '--to', '005')).code).toBe(0);
      await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES ('a@x', 'h', 'A', true)`);
      before = await databaseState(db.knex);
      const run = await cli('up', '--dry-run');
      expect(run.code, run.stderr).toBe(0);
      output = run.stdout;
    });
    const step = (header: string) => statementsOf(output, `006_rbac_roles (up) ${header}`);
    const printed = () => allStatementsOf(output, '006_rbac_roles (up)');

    it('prints a statement for everything 006 adds: tables, constraints, indexes, comments, grants', () => {
      const statements = printed();
      const added = addedBy006();
      expect(added.tables.sort()).toEqual(['portal_invitations', 'user_tenant_roles']);
      for (const table of added.tables) {
        const created = statements.find((s) => new RegExp(`^create table "${table}"`, 'i').test(s.sql));
        expect(created?.locks, table).toContain(`AccessExclusiveLock on ${table}`);
      }
      // The lists come from the snapshots: their sizes are pinned so that an empty list cannot pass the loops below.
      expect([added.constraintsAndIndexes.length, added.comments.length, added.grants.length]).toEqual([14, 5, 2]);
      for (const name of added.constraintsAndIndexes) expect(statements.some((s) => s.sql.includes(name)), name).toBe(true);
      for (const column of added.comments) {
        const [table, col] = column.split('.');
        expect(indexIn(statements, new RegExp(`^comment on column "${table}"\\."${col}" is `, 'i')), column).toBeGreaterThanOrEqual(0);
      }
      for (const grant of added.grants) {
        const [table, grantee] = grant.split(' TO ');
        expect(indexIn(statements, new RegExp(`^GRANT .* ON ${table} TO ${grantee}$`, 'i')), grant).toBeGreaterThanOrEqual(0);
      }
    });

    it('turns is_admin into role by phases: added and kept in step on expand, filled in batches, checked and is_admin dropped on contract', () => {
      const expand = step('expand: ');
      expect(indexIn(expand, /^alter table "portal_users" add column "role" text not null default 'customer_admin'$/i)).toBeGreaterThanOrEqual(0);
      expect(indexIn(expand, /^CREATE TRIGGER \w+ BEFORE INSERT OR UPDATE ON portal_users/)).toBeGreaterThanOrEqual(0);
      expect(indexIn(step('backfill: '), /UPDATE portal_users SET role = 'platform_admin' WHERE ctid >= /)).toBeGreaterThanOrEqual(0);
      expect(indexIn(step('contract: add '), /ADD CONSTRAINT ck_portal_users_role/)).toBeGreaterThanOrEqual(0);
      expect(step('contract: validate ').map((s) => s.sql)).toEqual(['ALTER TABLE portal_users VALIDATE CONSTRAINT ck_portal_users_role']);
      const drop = step('contract: drop ');
      for (const pattern of [/^DROP TRIGGER /, /^alter table "portal_users" drop column "is_admin"$/i, /ALTER COLUMN role DROP DEFAULT$/]) {
        expect(indexIn(drop, pattern), String(pattern)).toBeGreaterThanOrEqual(0);
      }
    });

    it('takes the locks each phase needs and no more; on expand, portal_users is locked only once the new tables are built', () => {
      const expand = step('expand: ');
      // A foreign key to tenants blocks writes to tenants while it is validated; the new tables are locked as created,
      // and so is the drain gate's evidence table, created with the drain triggers (src/drain/).
      expect(new Set(expand.flatMap((s) => s.locks))).toEqual(
        new Set([
          'AccessExclusiveLock on user_tenant_roles', 'AccessExclusiveLock on portal_invitations', 'ShareRowExclusiveLock on tenants', 'AccessExclusiveLock on portal_users',
          'AccessExclusiveLock on konstruct_migration_drain',
        ]),
      );
      // Every application query on portal_users queues behind its lock, held to the commit: it comes after
      // every statement that builds the new tables (create, comment, index, grant).
      const firstOnPortalUsers = expand.findIndex((s) => s.locks.some((l) => l.endsWith(' on portal_users')));
      const buildingNewTables = expand
        .map((s, i) => [s.sql, i] as const)
        .filter(([sql]) => /^(create (unique )?(table|index)|comment on column|GRANT) .*"?(user_tenant_roles|portal_invitations)"?/i.test(sql))
        .map(([, i]) => i);
      expect(buildingNewTables.length).toBeGreaterThan(0);
      expect(firstOnPortalUsers).toBeGreaterThan(Math.max(...buildingNewTables));
      // The backfill takes row locks only; VALIDATE takes a lock that lets reads and writes go on.
      expect(locksOn(step('backfill: '), 'portal_users')).toEqual(['RowExclusiveLock on portal_users']);
      expect(locksOn(step('contract: validate '), 'portal_users')).toEqual(['ShareUpdateExclusiveLock on portal_users']);
    });

    it('commits nothing: the schema, history and the admin flag are as before', async () => {
      expect(await databaseState(db.knex)).toEqual(before);
      expect((await db.knex('portal_users').select('is_admin'))[0].is_admin).toBe(true);
    });

    it('--json gives the same statements and locks as data, step by step', async () => {
      const run = await cli('up', '--dry-run', '--json');
      expect(run.code, run.stderr).toBe(0);
      const { result: doc, ...envelope } = JSON.parse(run.stdout);
      expect(envelope).toEqual({ command: 'up', ok: true, exitCode: 0, error: null });
      expect(doc).toMatchObject({ dryRun: true, batch: 2 });
      expect(doc.migrations.map((m: { phase: string }) => m.phase)).toEqual(['expand', 'backfill', 'contract', 'contract', 'contract', 'contract']);
      expect(doc.migrations[0]).toMatchObject({ name: '006_rbac_roles', direction: 'up', notRun: null, batches: null });
      expect(doc.migrations[1]).toMatchObject({ name: '006_rbac_roles', phase: 'backfill', batches: 1 });
      type JsonStep = { statements: Array<{ sql: string; locks: Array<{ relation: string; mode: string }> }> };
      const asPrinted = (doc.migrations as JsonStep[]).flatMap((m) =>
        m.statements.map((s) => ({ sql: s.sql.trim(), locks: s.locks.map((l) => `${l.mode} on ${l.relation}`) })),
      );
      expect(asPrinted).toEqual(printed());
      expect(run.stderr).toMatch(/Dry run of up/);
    });
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
    const statements = allStatementsOf(run.stdout, '006_rbac_roles (down)');
    const indexOf = (pattern: RegExp) => indexIn(statements, pattern);
    // The tables 006 added are dropped, their grants revoked first.
    for (const table of addedBy006().tables) {
      const revoke = indexOf(new RegExp(`^REVOKE ALL ON ${table} FROM konstruct_app$`));
      expect(revoke, table).toBeGreaterThanOrEqual(0);
      expect(indexOf(new RegExp(`^drop table "${table}"$`)), table).toBeGreaterThan(revoke);
    }
    // is_admin comes back (catalog-only), is set from role in batches, and only then is role dropped.
    const addIsAdmin = indexOf(/^alter table "portal_users" add column "is_admin" boolean/);
    const fromRole = indexOf(/UPDATE portal_users SET is_admin = true WHERE .*role = 'platform_admin'/);
    const dropRole = indexOf(/^alter table "portal_users" drop column "role"$/);
    expect([addIsAdmin, fromRole, dropRole].every((i) => i >= 0)).toBe(true);
    expect(addIsAdmin).toBeLessThan(fromRole);
    expect(fromRole).toBeLessThan(dropRole);
    // Restoring is_admin takes row locks only.
    expect(locksOn(statementsOf(run.stdout, '006_rbac_roles (down) contract: platform admins '), 'portal_users')).toEqual(['RowExclusiveLock on portal_users']);
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
