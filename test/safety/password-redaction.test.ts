/**
 * The last line of defence: when a password does reach an error message (here,
 * a migration that wrongly puts the connection string into its error), every
 * form of it — as written, percent-encoded, JSON-escaped — is redacted in
 * plain, --verbose and --json output.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { createLoginRole, type LoginRole } from '../support/login-role';
import { adminUrl, createTestDatabase, type TestDatabase } from '../support/test-database';
import { tempMigrations } from '../support/temp-migrations';

let leaky: TestDatabase;
let role: LoginRole;

beforeAll(async () => {
  leaky = await createTestDatabase('errorsleaky');
  role = await createLoginRole(leaky.knex, leaky.name);
});
afterAll(async () => {
  await leaky?.drop();
  const admin = knexFactory({ client: 'pg', connection: adminUrl() });
  await role?.drop(admin);
  await admin.destroy();
});

describe('a password that does reach an error message', () => {
  it('is redacted in every form, in plain, --verbose and --json output', async () => {
    const dir = tempMigrations({
      '001_leaky': `exports.up = async () => {
  const password = new URL(process.env.DATABASE_URL).password;
  throw new Error('cannot use ' + process.env.DATABASE_URL + ' / ' + password + ' / ' + decodeURIComponent(password));
};
exports.down = async () => {};`,
    });
    try {
      const env = { DATABASE_URL: role.urlFor(leaky.url), KONSTRUCT_MIGRATIONS_DIR: dir.dir };
      const runs = await Promise.all([runCli(['up'], { env }), runCli(['up', '--verbose'], { env }), runCli(['up', '--json'], { env })]);
      for (const run of runs) {
        expect(run.code).toBe(6);
        expect(run.stderr).toMatch(/error: migration 001_leaky \(up\) failed and was rolled back: cannot use postgres:\/\/kt_login_\w+:\*\*\*@/);
        for (const form of [role.password, encodeURIComponent(role.password), JSON.stringify(role.password).slice(1, -1)]) {
          expect(run.stdout + run.stderr).not.toContain(form);
        }
      }
      expect(JSON.parse(runs[2]!.stdout).error.message).toMatch(/cannot use postgres:\/\/kt_login_\w+:\*\*\*@.* \/ \*\*\* \/ \*\*\*$/);
    } finally {
      dir.remove();
    }
  });
});

describe('passwords given in other places', () => {
  const leakyMigration = {
    '001_leaky': `exports.up = async () => { throw new Error('cannot use ' + process.env.LEAK); };
exports.down = async () => {};`,
  };

  it("libpq's ?password= parameter works and is redacted", async () => {
    const dir = tempMigrations(leakyMigration);
    try {
      const url = new URL(leaky.url);
      url.username = role.name;
      url.password = '';
      url.searchParams.set('password', role.password);
      const env = { DATABASE_URL: url.toString(), KONSTRUCT_MIGRATIONS_DIR: dir.dir, LEAK: role.password };
      const run = await runCli(['up', '--verbose'], { env });
      expect(run.code).toBe(6); // connected with the query-parameter password, then the migration failed
      expect(run.stdout + run.stderr).not.toContain(role.password);
      expect(run.stderr).toMatch(/cannot use \*\*\*/);
    } finally {
      dir.remove();
    }
  });

  it('a password with a literal % (not an escape) connects as pg reads it, and is redacted as written', async () => {
    // Its own database: a login role owns the database it is made for.
    const database = await createTestDatabase('errorspercent');
    const percent = await createLoginRole(database.knex, database.name, { password: `50%off${randomBytes(4).toString('hex')}SECRET` });
    const dir = tempMigrations(leakyMigration);
    try {
      const url = new URL(database.url);
      // Written by hand: the URL API would encode the %.
      const written = `postgres://${percent.name}:${percent.password}@${url.host}${url.pathname}`;
      const env = { DATABASE_URL: written, KONSTRUCT_MIGRATIONS_DIR: dir.dir, LEAK: `${written} / ${percent.password}` };
      const run = await runCli(['up', '--verbose'], { env });
      expect(run.code).toBe(6); // connected with the password as written, then the migration failed
      expect(run.stdout + run.stderr).not.toContain(percent.password);
      expect(run.stderr).toContain(`cannot use postgres://${percent.name}:***@${url.host}${url.pathname} / ***`);
    } finally {
      dir.remove();
      await database.drop();
      await percent.drop(leaky.knex);
    }
  });

  it('with a password in both user:password@ and ?password=, connects with the query one and hides both', async () => {
    const dir = tempMigrations(leakyMigration);
    try {
      const url = new URL(leaky.url);
      url.username = role.name;
      url.password = 'userinfo-not-used';
      url.searchParams.set('password', role.password);
      const env = { DATABASE_URL: url.toString(), KONSTRUCT_MIGRATIONS_DIR: dir.dir, LEAK: url.toString() };
      const run = await runCli(['up', '--json'], { env });
      expect(run.code).toBe(6); // connected: pg used ?password=
      for (const secret of [role.password, encodeURIComponent(role.password), 'userinfo-not-used']) expect(run.stdout + run.stderr).not.toContain(secret);
      expect(JSON.parse(run.stdout).error.message).toMatch(/cannot use postgres:\/\/kt_login_\w+:\*\*\*@.*\?password=\*\*\*$/);
    } finally {
      dir.remove();
    }
  });

  it('the password of the DATABASE_URL in ./.env, which connects, is redacted where a migration prints it', async () => {
    const dir = tempMigrations(leakyMigration);
    try {
      writeFileSync(path.join(dir.dir, '.env'), `DATABASE_URL=${role.urlFor(leaky.url)}\n`);
      const run = await runCli(['up', '--verbose'], { cwd: dir.dir, env: { KONSTRUCT_MIGRATIONS_DIR: dir.dir, LEAK: role.password } });
      expect(run.code).toBe(6); // connected with the .env URL, then the migration printed its password
      expect(run.stderr).toContain('cannot use ***\n');
      expect(run.stdout + run.stderr).not.toContain(role.password);
    } finally {
      dir.remove();
    }
  });

  it('PGPASSWORD, which connects, is redacted where a migration prints it', async () => {
    const dir = tempMigrations(leakyMigration);
    try {
      const url = new URL(leaky.url);
      const env = {
        PGHOST: url.hostname,
        PGPORT: url.port,
        PGUSER: role.name,
        PGPASSWORD: role.password,
        PGDATABASE: url.pathname.slice(1),
        KONSTRUCT_MIGRATIONS_DIR: dir.dir,
        LEAK: role.password,
      };
      const run = await runCli(['up', '--json'], { env });
      expect(run.code).toBe(6); // connected with the PG* variables, then the migration printed the password
      expect(JSON.parse(run.stdout).error.message).toBe('migration 001_leaky (up) failed and was rolled back: cannot use ***');
      expect(run.stdout + run.stderr).not.toContain(role.password);
    } finally {
      dir.remove();
    }
  });

  it('a password from ./.env is redacted even when the connection itself fails', async () => {
    const dir = tempMigrations(leakyMigration);
    try {
      const url = new URL(leaky.url);
      url.username = role.name;
      url.password = 'wrong-dotenv-password';
      writeFileSync(path.join(dir.dir, '.env'), `DATABASE_URL=${url.toString()}\n`);
      const run = await runCli(['status', '--verbose'], { cwd: dir.dir, env: { KONSTRUCT_MIGRATIONS_DIR: dir.dir } });
      expect(run.code).toBe(4);
      expect(run.stdout + run.stderr).not.toContain('wrong-dotenv-password');
    } finally {
      dir.remove();
    }
  });
});
