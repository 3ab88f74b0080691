/**
 * The one configuration: which source wins for each setting (one table), every
 * problem reported together, and the passwords it must keep out of output.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigProblemsError, loadConfig, type ConfigInput, type KonstructConfig } from '../../src/config/config';
import { ExitCode } from '../../src/exit-codes';
import { DEFAULT_MIGRATIONS_DIR } from '../../src/history/local-migrations';

const root = mkdtempSync(path.join(os.tmpdir(), 'konstruct-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const migrationsCopy = path.join(root, 'copy');
mkdirSync(migrationsCopy);

let folders = 0;
/** A working directory holding this .env (none when undefined). */
function folderWith(dotenv: string | undefined): string {
  const dir = path.join(root, `cwd${folders++}`);
  mkdirSync(dir);
  if (dotenv !== undefined) writeFileSync(path.join(dir, '.env'), dotenv);
  return dir;
}

const FLAG = 'postgres://flag@flag-host/db';
const ENV = 'postgres://env@env-host/db';
const DOTENV = 'postgres://dotenv@dotenv-host/db';

/** What a row checks: the settings, with where the connection came from. */
function summary(config: KonstructConfig) {
  return {
    source: config.connection.source,
    url: config.connection.url,
    host: config.connection.libpq?.host,
    port: config.connection.libpq?.port,
    schema: config.schema,
    sslmode: config.tls.mode,
    migrationsDir: config.migrationsDir,
    waitSeconds: config.timeouts.waitSeconds,
    connectTimeoutMs: config.timeouts.connectTimeoutMs,
  };
}

interface Row {
  name: string;
  flags?: Omit<ConfigInput, 'env' | 'cwd'>;
  env?: NodeJS.ProcessEnv;
  dotenv?: string;
  expected: Partial<ReturnType<typeof summary>>;
}

const rows: Row[] = [
  {
    name: 'nothing set: the embedded server, public, sslmode prefer, the packaged migrations, no wait, 10 s',
    expected: { source: 'embedded', url: undefined, schema: undefined, sslmode: 'prefer', migrationsDir: DEFAULT_MIGRATIONS_DIR, waitSeconds: 0, connectTimeoutMs: 10_000 },
  },
  { name: 'DATABASE_URL in .env', dotenv: `DATABASE_URL=${DOTENV}`, expected: { source: 'dotenv', url: DOTENV } },
  { name: 'the environment wins over .env', env: { DATABASE_URL: ENV }, dotenv: `DATABASE_URL=${DOTENV}`, expected: { source: 'env', url: ENV } },
  { name: '--url wins over both', flags: { url: FLAG }, env: { DATABASE_URL: ENV }, dotenv: `DATABASE_URL=${DOTENV}`, expected: { source: 'flag', url: FLAG } },
  { name: 'the PG* variables without a URL', env: { PGHOST: 'pg-host', PGPORT: '6543', PGUSER: 'u' }, expected: { source: 'libpq', url: undefined, host: 'pg-host', port: 6543 } },
  { name: 'DATABASE_URL in .env wins over the PG* variables', env: { PGHOST: 'pg-host' }, dotenv: `DATABASE_URL=${DOTENV}`, expected: { source: 'dotenv', host: undefined } },
  { name: 'the PG* variables are read from the environment only, as psql does', dotenv: 'PGHOST=dotenv-host', expected: { source: 'embedded', host: undefined } },
  { name: 'the PG* variables are used under CI', env: { CI: 'true', PGDATABASE: 'db' }, expected: { source: 'libpq' } },
  { name: 'KONSTRUCT_SCHEMA in .env', dotenv: 'KONSTRUCT_SCHEMA=from_dotenv', expected: { schema: 'from_dotenv' } },
  { name: 'KONSTRUCT_SCHEMA: the environment wins over .env', env: { KONSTRUCT_SCHEMA: 'from_env' }, dotenv: 'KONSTRUCT_SCHEMA=from_dotenv', expected: { schema: 'from_env' } },
  { name: '--schema wins over KONSTRUCT_SCHEMA', flags: { schema: 'from_flag' }, env: { KONSTRUCT_SCHEMA: 'from_env' }, expected: { schema: 'from_flag' } },
  { name: 'a blank setting counts as unset', flags: { schema: ' ' }, env: { KONSTRUCT_SCHEMA: '' }, dotenv: 'KONSTRUCT_SCHEMA=from_dotenv', expected: { schema: 'from_dotenv' } },
  { name: 'PGSSLMODE when the URL says nothing', env: { DATABASE_URL: ENV, PGSSLMODE: 'disable' }, expected: { sslmode: 'disable' } },
  { name: 'sslmode in the URL wins over PGSSLMODE', env: { DATABASE_URL: `${ENV}?sslmode=verify-ca`, PGSSLMODE: 'disable' }, expected: { sslmode: 'verify-ca' } },
  { name: "node-postgres's ssl=true in the URL is verify-full", flags: { url: `${FLAG}?ssl=true` }, env: { PGSSLMODE: 'disable' }, expected: { sslmode: 'verify-full' } },
  { name: "node-postgres's no-verify is require", flags: { url: `${FLAG}?sslmode=no-verify` }, expected: { sslmode: 'require' } },
  { name: 'PGSSLMODE applies to the PG* variables too', env: { PGHOST: 'pg-host', PGSSLMODE: 'require' }, expected: { source: 'libpq', sslmode: 'require' } },
  { name: 'KONSTRUCT_MIGRATIONS_DIR, relative to the working directory', env: { KONSTRUCT_MIGRATIONS_DIR: '../copy' }, expected: { migrationsDir: migrationsCopy } },
  { name: 'KONSTRUCT_MIGRATIONS_DIR is read from the environment only', dotenv: 'KONSTRUCT_MIGRATIONS_DIR=../copy', expected: { migrationsDir: DEFAULT_MIGRATIONS_DIR } },
  { name: "the library's migrationsDir wins over KONSTRUCT_MIGRATIONS_DIR", flags: { migrationsDir: migrationsCopy }, env: { KONSTRUCT_MIGRATIONS_DIR: '/nowhere' }, expected: { migrationsDir: migrationsCopy } },
  { name: '--wait and --connect-timeout', flags: { waitSeconds: 30, connectTimeoutMs: 2_500 }, expected: { waitSeconds: 30, connectTimeoutMs: 2_500 } },
];

describe('precedence: which source each setting comes from', () => {
  it.each(rows)('$name', ({ flags, env, dotenv, expected }) => {
    const config = loadConfig({ ...flags, env: env ?? {}, cwd: folderWith(dotenv) });
    expect(summary(config)).toMatchObject(expected);
  });
});

describe('problems', () => {
  it('are all reported at once, by setting name, in one usage error (exit 2)', () => {
    const attempt = () =>
      loadConfig({
        env: { DATABASE_URL: 'postgres//user:secret-password@db/app', KONSTRUCT_SCHEMA: 'a;drop', PGSSLMODE: 'on', KONSTRUCT_MIGRATIONS_DIR: '/no/such/folder' },
        connectTimeoutMs: -1,
        cwd: folderWith(undefined),
      });
    expect(attempt).toThrow(ConfigProblemsError);
    const error = (() => {
      try {
        attempt();
      } catch (e) {
        return e as ConfigProblemsError;
      }
    })()!;
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.problems.map((p) => p.message)).toEqual([
      'DATABASE_URL is not a PostgreSQL URL (expected postgres://user:password@host:5432/database)',
      'KONSTRUCT_SCHEMA "a;drop" is not a plain identifier (letters, digits, _ and $, at most 63, not starting with a digit).',
      'PGSSLMODE is "on", which is not one of disable, allow, prefer, require, verify-ca, verify-full.',
      'KONSTRUCT_MIGRATIONS_DIR is /no/such/folder, which is not a folder.',
      '--connect-timeout must be a number of seconds, 0 or more',
    ]);
    expect(error.message).toMatch(/^5 configuration problems:\n {2}DATABASE_URL is not/);
    expect(error.message).not.toContain('secret-password');
  });

  it('one problem per setting: an empty DATABASE_URL is empty, not also malformed', () => {
    expect(() => loadConfig({ env: { DATABASE_URL: ' ' }, cwd: folderWith(undefined) })).toThrow(/^DATABASE_URL is empty$/);
  });

  it('the embedded server is refused under CI, with the other problems', () => {
    expect(() => loadConfig({ env: { CI: 'true', KONSTRUCT_SCHEMA: '1x' }, cwd: folderWith(undefined) })).toThrow(
      /^2 configuration problems:\n {2}DATABASE_URL is not set and CI is set: refusing to migrate a throwaway embedded database\.\n {2}KONSTRUCT_SCHEMA "1x"/,
    );
  });

  it('a password with a raw @, #, / or ? is recognised, whichever source holds it, and no part of it is shown', () => {
    const cases: Array<[ConfigInput, string]> = [
      [{ url: 'postgres://app:Zq9@Xv7#Kp3@db/konstruct' }, '--url'],
      [{ env: { DATABASE_URL: 'postgres://app:Zq9/Xv7@db/konstruct' } }, 'DATABASE_URL'],
      [{ env: { DATABASE_URL: 'postgres://app:Zq9?Xv7@db/konstruct' } }, 'DATABASE_URL'],
      [{ env: { DATABASE_URL: 'postgres://app:Zq9@Xv7@db/konstruct' } }, 'DATABASE_URL'],
    ];
    for (const [input, label] of cases) {
      const run = () => loadConfig({ env: {}, ...input, cwd: folderWith(undefined) });
      expect(run).toThrow(`${label} has an @, #, / or ? in its user name or password that is not percent-encoded`);
      const message = (() => {
        try {
          run();
        } catch (e) {
          return `${(e as Error).message} ${(e as ConfigProblemsError).hint}`;
        }
      })();
      for (const part of ['Zq9', 'Xv7', 'Kp3']) expect(message).not.toContain(part);
    }
    const inDotenv = folderWith('DATABASE_URL=postgres://app:Zq9/Xv7@db/konstruct');
    expect(() => loadConfig({ env: {}, cwd: inDotenv })).toThrow(/^DATABASE_URL in \.env has an @, #, \/ or \? in its user name/);
    // In .env, an unquoted # starts a comment: postgres://app:Zq9@Xv7 would be left, a URL for host Xv7.
    const cut = folderWith('DATABASE_URL=postgres://app:Zq9@Xv7#Kp3@db/konstruct # the staging database');
    expect(() => loadConfig({ env: {}, cwd: cut })).toThrow(/^DATABASE_URL in \.env holds a # that \.env reads as the start of a comment.*percent-encode it in the password \(%23\)$/);
    const quoted = folderWith('DATABASE_URL="postgres://app:Zq9%40Xv7#Kp3@db/konstruct" # quoted: the # is kept');
    expect(() => loadConfig({ env: {}, cwd: quoted })).toThrow(/^DATABASE_URL in \.env has an @, #/);
    // Encoded passwords, IPv6 hosts, no credentials, an @ in a query value: all fine.
    for (const url of [
      'postgres://app:Zq9%40Xv7%23Kp3%2F%3F@db/konstruct',
      'postgres://app:pw@[::1]:5432/konstruct',
      'postgresql://db.internal/konstruct',
      'postgres://app:pw@db/konstruct?application_name=me@laptop',
    ]) {
      expect(loadConfig({ url, env: {}, cwd: folderWith(undefined) }).connection.url, url).toBe(url);
    }
  });

  it('the embedded server is offered as a way out only where it could be used', () => {
    const hintOf = (input: ConfigInput) => {
      try {
        loadConfig({ cwd: folderWith(undefined), ...input });
      } catch (e) {
        return (e as ConfigProblemsError).hint;
      }
    };
    expect(hintOf({ env: { DATABASE_URL: 'nope' } })).toMatch(/or unset it to use the embedded PostgreSQL\.$/);
    expect(hintOf({ env: { DATABASE_URL: 'nope', CI: 'true' } })).not.toMatch(/embedded/);
    expect(hintOf({ url: 'nope', env: {} })).not.toMatch(/embedded/);
  });
});

it('keeps the password of every URL given (decoded and as written), and PGPASSWORD, as secrets', () => {
  const config = loadConfig({
    url: 'postgres://a:flag-pw@h/db',
    env: { DATABASE_URL: 'postgres://a:env%23pw@h/db', PGPASSWORD: 'pg-pw' },
    cwd: folderWith('DATABASE_URL=postgres://a:dotenv-pw@h/db'),
  });
  expect(config.secrets.sort()).toEqual(['dotenv-pw', 'env#pw', 'env%23pw', 'flag-pw', 'pg-pw']);
});
