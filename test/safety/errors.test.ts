/**
 * Every error a user can cause: its exit code, one clear line (and a hint) on
 * stderr, no stack trace unless --verbose, a JSON document with --json, the
 * database unchanged — and the connection password in none of the output,
 * whatever the mode. All runs connect as a login role whose password appears
 * nowhere else and needs escaping in URLs and JSON.
 */
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY } from '../../src/db/advisory-lock';
import { runCli, type CliResult } from '../support/cli';
import { databaseState } from '../support/database-state';
import { createLoginRole, type LoginRole } from '../support/login-role';
import { adminUrl, createTestDatabase, withDatabase, type TestDatabase } from '../support/test-database';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';
import knexFactory from 'knex';

let db: TestDatabase;
let role: LoginRole;
let url: string;
let blackHole: net.Server;
let blackHolePort: number;

beforeAll(async () => {
  db = await createTestDatabase('errors');
  role = await createLoginRole(db.knex, db.name);
  url = role.urlFor(db.url);
  // Accepts TCP connections and never answers: a host that does not respond.
  blackHole = net.createServer(() => {});
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  blackHolePort = (blackHole.address() as net.AddressInfo).port;
});
afterAll(async () => {
  blackHole?.close();
  await db?.drop();
  const admin = knexFactory({ client: 'pg', connection: adminUrl() });
  await role?.drop(admin);
  await admin.destroy();
});

interface Case {
  args: string[];
  env?: Record<string, string>;
  code: number;
  message: RegExp;
}

/** Runs the case plainly, with --verbose and with --json; checks what every run must show. */
async function expectFailure(c: Case, secrets: string[] = [role.password]): Promise<CliResult[]> {
  const env = { DATABASE_URL: url, ...c.env };
  const before = await databaseState(db.knex);
  const [plain, verbose, json] = await Promise.all([
    runCli(c.args, { env }),
    runCli([...c.args, '--verbose'], { env }),
    runCli([...c.args, '--json'], { env }),
  ]);
  for (const run of [plain, verbose, json]) {
    expect(run.code, run.stderr).toBe(c.code);
    expect(run.stderr).toMatch(c.message);
    for (const secret of secrets) {
      for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
        expect(run.stdout + run.stderr).not.toContain(form);
      }
    }
  }
  // One line, and a hint at most, unless --verbose.
  for (const run of [plain, json]) {
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
  }
  const doc = JSON.parse(json.stdout);
  expect(doc).toMatchObject({ ok: false, exitCode: c.code });
  expect(doc.error.message).toEqual(expect.any(String));
  expect(await databaseState(db.knex)).toEqual(before);
  return [plain, verbose, json];
}

describe('configuration and usage errors (exit 2)', () => {
  it('a malformed DATABASE_URL', async () => {
    await expectFailure({
      args: ['status'],
      env: { DATABASE_URL: `postgres//${role.name}:${role.password}@localhost/db` },
      code: 2,
      message: /error: DATABASE_URL is not a PostgreSQL URL \(expected postgres:\/\/user:password@host:5432\/database\)/,
    });
  });

  it('an unknown --to target', async () => {
    await expectFailure({ args: ['up', '--to', '042'], code: 2, message: /error: unknown migration "042"\n {2}Known migrations: 005_baseline, 006_rbac_roles/ });
  });

  it('down with nothing applied', async () => {
    await expectFailure({ args: ['down'], code: 2, message: /error: nothing to revert: no migration has been applied\n {2}Run `konstruct-migrate status`/ });
  });

  it('an unknown command, an unknown flag, a bad option value', async () => {
    await expectFailure({ args: ['frobnicate'], code: 2, message: /error: unknown command 'frobnicate'/ });
    await expectFailure({ args: ['up', '--frobnicate'], code: 2, message: /error: unknown option '--frobnicate'/ });
    await expectFailure({ args: ['up', '--lock-wait', 'soon'], code: 2, message: /option '--lock-wait <seconds>' argument 'soon' is invalid\. expected a number of seconds/ });
  });
});

describe('cannot connect (exit 4)', () => {
  it('a host that does not answer: bounded by --connect-timeout, not a hang', async () => {
    const silent = new URL(url);
    silent.host = `127.0.0.1:${blackHolePort}`;
    await expectFailure({
      args: ['status', '--connect-timeout', '1'],
      env: { DATABASE_URL: silent.toString() },
      code: 4,
      message: /error: cannot reach the database server: connection timed out after 1 s \(--connect-timeout\)\n {2}Check the host and port/,
    });
  });

  it('a port where nothing listens', async () => {
    const closed = new URL(url);
    closed.host = '127.0.0.1:1';
    await expectFailure({ args: ['up'], env: { DATABASE_URL: closed.toString() }, code: 4, message: /error: cannot reach the database server: connect ECONNREFUSED 127\.0\.0\.1:1/ });
  });

  it('a wrong password (neither it nor the right one is printed)', async () => {
    const wrongPassword = `Wrong"${role.password}`;
    const wrong = new URL(url);
    wrong.password = encodeURIComponent(wrongPassword);
    await expectFailure(
      { args: ['up'], env: { DATABASE_URL: wrong.toString() }, code: 4, message: /error: the database refused the login: password authentication failed for user "kt_login_\w+"\n {2}Check the user name and password/ },
      [role.password, wrongPassword],
    );
  });

  it('a database that does not exist', async () => {
    await expectFailure({
      args: ['up'],
      env: { DATABASE_URL: withDatabase(url, 'kt_no_such_database') },
      code: 4,
      message: /error: database "kt_no_such_database" does not exist\n {2}Create the database first/,
    });
  });
});

describe('a database user without privileges on the tool\'s tables (exit 2)', () => {
  let other: TestDatabase;
  let stranger: LoginRole;
  beforeAll(async () => {
    other = await createTestDatabase('errors_privilege');
    // The tables are made by the admin; the stranger owns the database but none of them.
    expect((await runCli(['up', '--to', '005'], { env: { DATABASE_URL: other.url } })).code).toBe(0);
    stranger = await createLoginRole(other.knex, other.name, { createRole: false });
  });
  afterAll(async () => {
    await other?.drop();
    const admin = knexFactory({ client: 'pg', connection: adminUrl() });
    await stranger?.drop(admin);
    await admin.destroy();
  });

  it.each([['status'], ['up'], ['down', '--yes'], ['verify']])('%s: one line naming the table, what to do, nothing changed', async (...args) => {
    const before = await databaseState(other.knex);
    await expectFailure(
      {
        args,
        env: { DATABASE_URL: stranger.urlFor(other.url) },
        code: 2,
        // The three runs (plain, --verbose, --json) run at once, and may wait for each other's migration lock first.
        message: /(^|\n)error: the database user lacks a privilege konstruct-migrate needs: permission denied for table knex_migrations(_lock)? \[SQLSTATE 42501\]\n {2}Connect as the role that owns the schema's tables/,
      },
      [role.password, stranger.password],
    );
    expect(await databaseState(other.knex)).toEqual(before);
  });
});

describe('lock not acquired (exit 5)', () => {
  it('another run holds the migration lock past --lock-wait', async () => {
    const other = new pg.Client({ connectionString: db.url, application_name: 'deploy-pipeline-42' });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK_KEY]);
      await expectFailure({
        args: ['up', '--lock-wait', '1'],
        code: 5,
        message: /error: another migration run holds the lock on this database: pid \d+ \("deploy-pipeline-42".*; gave up after 1 s\n {2}Let it finish, or wait longer with --lock-wait/,
      });
    } finally {
      await other.end();
    }
  });
});

describe('a migration that fails (exit 6)', () => {
  let dir: TempMigrations;
  let failing: TestDatabase;

  beforeAll(async () => {
    dir = tempMigrations({
      '001_ok': sqlMigration('CREATE TABLE ok_table (id int)', 'DROP TABLE ok_table'),
      '002_broken': sqlMigration(
        `CREATE TABLE half_done (id int);
         DO $$ BEGIN RAISE EXCEPTION 'widgets must be unique' USING ERRCODE = '23505', DETAIL = 'Key (name)=(w1) is duplicated.', HINT = 'Deduplicate widgets first.'; END $$`,
        'DROP TABLE half_done',
      ),
    });
    failing = await createTestDatabase('errorsmigration');
    await failing.knex.raw(`ALTER DATABASE ${failing.name} OWNER TO ${role.name}`);
  });
  afterAll(async () => {
    dir?.remove();
    await failing?.drop();
  });

  it('names the migration, keeps PostgreSQL message, code, detail and hint, and rolls it back', async () => {
    const env = { DATABASE_URL: role.urlFor(failing.url), KONSTRUCT_MIGRATIONS_DIR: dir.dir };
    expect((await runCli(['up', '--to', '001'], { env })).code).toBe(0);
    const before = await databaseState(failing.knex);

    const [plain, verbose, json] = await Promise.all([
      runCli(['up'], { env }),
      runCli(['up', '--verbose'], { env }),
      runCli(['up', '--json'], { env }),
    ]);
    for (const run of [plain, verbose, json]) {
      expect(run.code).toBe(6);
      expect(run.stderr).toMatch(
        /error: migration 002_broken \(up\) failed and was rolled back: widgets must be unique \[SQLSTATE 23505\]\n {2}detail: Key \(name\)=\(w1\) is duplicated\.; hint: Deduplicate widgets first\./,
      );
      expect(run.stdout + run.stderr).not.toContain(role.password);
    }
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    expect(verbose.stderr).toMatch(/ {2}statement: CREATE TABLE half_done/);
    expect(JSON.parse(json.stdout)).toMatchObject({
      command: 'up',
      ok: false,
      exitCode: 6,
      result: null,
      error: {
        type: 'MigrationFailedError',
        completed: [],
        migration: '002_broken',
        direction: 'up',
        postgres: { code: '23505', detail: 'Key (name)=(w1) is duplicated.', hint: 'Deduplicate widgets first.' },
        statement: expect.stringContaining('CREATE TABLE half_done'),
      },
    });
    expect(await databaseState(failing.knex)).toEqual(before);
    expect(await failing.knex.schema.hasTable('half_done')).toBe(false);
  });

  it('in --json, the steps that completed before the failure are listed', async () => {
    const env = { DATABASE_URL: role.urlFor(failing.url), KONSTRUCT_MIGRATIONS_DIR: dir.dir };
    expect((await runCli(['down', '--all'], { env })).code).toBe(0);
    const run = await runCli(['up', '--json'], { env });
    expect(run.code).toBe(6);
    expect(JSON.parse(run.stdout).error.completed).toEqual([{ name: '001_ok', direction: 'up', durationMs: expect.any(Number), attempts: 1 }]);
  });
});
