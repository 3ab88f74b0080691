/**
 * Everything that needs no database is checked before connecting: these runs
 * point at a server that accepts TCP connections and never answers, with
 * --wait and --connect-timeout far longer than the test's timeout, and must
 * exit 2 without a single connection to it, or an embedded server started.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

let silent: net.Server;
let connections = 0;
let url: string;
const patient = ['--wait', '600', '--connect-timeout', '600'];

beforeAll(async () => {
  silent = net.createServer((socket) => {
    connections++;
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  url = `postgres://app:secret@127.0.0.1:${(silent.address() as net.AddressInfo).port}/konstruct`;
});
afterAll(() => {
  silent?.close();
});

const cases: Array<{ args: string[]; message: RegExp }> = [
  { args: ['up', '--to', 'nonsense'], message: /^error: unknown migration "nonsense"\n {2}Known migrations: 005_baseline, 006_rbac_roles\n$/ },
  { args: ['down', '--to', '042'], message: /^error: unknown migration "042"\n/ },
  { args: ['down', '--all', '--to', '005', '--yes'], message: /^error: --all and --to cannot be used together: --all reverts every migration, --to stops above one\.\n {2}Use --to 005 to keep 005/ },
  { args: ['verify', '--against', 'nonsense'], message: /^error: unknown migration "nonsense"\n/ },
  { args: ['verify', '--schema', 'tenant_a'], message: /^error: verify checks the public schema only, not "tenant_a"\.\n/ },
  { args: ['baseline'], message: /^error: baseline needs exactly one of --from-alembic or --to <migration>\n/ },
  { args: ['baseline', '--from-alembic', '--to', '005'], message: /^error: baseline needs exactly one of --from-alembic or --to <migration>\n/ },
  { args: ['baseline', '--to', '005', '--drop-alembic-version'], message: /^error: --drop-alembic-version goes with --from-alembic only\n/ },
  { args: ['baseline', '--to', 'nonsense'], message: /^error: unknown migration "nonsense"\n/ },
  { args: ['baseline', '--to', '006', '--schema', 'tenant_a'], message: /^error: baseline checks the public schema only, not "tenant_a"\.\n/ },
  // PostgreSQL takes at most INT_MAX ms; it would refuse these only once connected.
  { args: ['up', '--lock-timeout', '1e10'], message: /^error: option '--lock-timeout <seconds>' argument '1e10' is invalid\. expected at most 2147483\.647 seconds, the most PostgreSQL accepts\.\n/ },
  { args: ['down', '--statement-timeout', '2147484'], message: /^error: option '--statement-timeout <seconds>' argument '2147484' is invalid\. expected at most 2147483\.647 seconds/ },
  { args: ['status', '--schema', 'pg_catalog'], message: /^error: --schema "pg_catalog" is a schema of PostgreSQL itself, where migrations do not belong\.\n {2}Give the schema/ },
  { args: ['up', '--schema', 'information_schema'], message: /^error: --schema "information_schema" is a schema of PostgreSQL itself/ },
];

describe('usage errors exit 2 before connecting, without waiting, the database untouched', () => {
  it.each(cases)('$args', async ({ args, message }) => {
    const run = await runCli([...args, ...patient], { env: { DATABASE_URL: url }, timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(connections).toBe(0);
  });

  it('with --json, the error is the one document on stdout', async () => {
    const run = await runCli(['up', '--to', 'nonsense', '--json', ...patient], { env: { DATABASE_URL: url }, timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { message: 'unknown migration "nonsense"' } });
    expect(connections).toBe(0);
  });

  it('without a DATABASE_URL, the embedded server is not started for a usage error', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'konstruct-preflight-'));
    try {
      const pgdata = path.join(home, 'pgdata');
      const run = await runCli(['down', '--all', '--to', '005'], { cwd: home, env: { KONSTRUCT_PGDATA: pgdata }, timeoutMs: 30_000 });
      expect(run.code).toBe(2);
      expect(run.stderr).not.toMatch(/embedded/);
      expect(existsSync(pgdata)).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('a search_path in the URL\'s options or in PGOPTIONS is refused: --schema is the one way to choose a schema', async () => {
    const inUrl = await runCli(['status', ...patient], { env: { DATABASE_URL: `${url}?options=-c%20search_path%3Dother,public` }, timeoutMs: 30_000 });
    expect(inUrl.code).toBe(2);
    expect(inUrl.stderr).toBe(
      'error: options in the URL sets search_path, which would move the history and the migrations to another schema unchecked\n' +
        '  Remove search_path from it and give the schema with --schema (or KONSTRUCT_SCHEMA), which is checked and used by every connection.\n',
    );
    const inEnv = await runCli(['up', ...patient], { env: { DATABASE_URL: url, PGOPTIONS: '--search_path=other' }, timeoutMs: 30_000 });
    expect(inEnv.code).toBe(2);
    expect(inEnv.stderr).toMatch(/^error: PGOPTIONS sets search_path, /);
    expect(connections).toBe(0);
  });

  it('new refuses a name of non-ASCII letters and one too long for a file name, writing nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-new-names-'));
    try {
      const unicode = await runCli(['new', 'ünïcødé', '--dir', dir], { env: { DATABASE_URL: url }, timeoutMs: 30_000 });
      expect(unicode.code).toBe(2);
      expect(unicode.stderr).toMatch(/^error: "ünïcødé" holds characters a migration's file name cannot keep \("üïøé"\): only a-z, 0-9 and _ remain\.\n/);
      const long = await runCli(['new', 'x'.repeat(250), '--dir', dir], { env: { DATABASE_URL: url }, timeoutMs: 30_000 });
      expect(long.code).toBe(2);
      expect(long.stderr).toMatch(/^error: the migration name 001_x{36}\.\.\. is 254 characters long; at most 100\.\n/);
      expect(readdirSync(dir)).toEqual([]);
      expect(connections).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every configuration problem is listed at once, before connecting', async () => {
    const run = await runCli(['status', ...patient], { env: { DATABASE_URL: url, KONSTRUCT_SCHEMA: '9lives', PGSSLMODE: 'sometimes' }, timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: 2 configuration problems:\n' +
        '  KONSTRUCT_SCHEMA "9lives" is not a plain identifier (letters, digits, _ and $, at most 63, not starting with a digit).\n' +
        '  PGSSLMODE is "sometimes", which is not one of disable, allow, prefer, require, verify-ca, verify-full.\n' +
        '  Fix them and run again (docs/configuration.md lists every setting and where it is read).\n',
    );
    expect(connections).toBe(0);
    const json = await runCli(['status', '--json', ...patient], { env: { DATABASE_URL: url, KONSTRUCT_SCHEMA: '9lives', PGSSLMODE: 'sometimes' }, timeoutMs: 30_000 });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { type: 'ConfigError', message: expect.stringMatching(/^2 configuration problems:\n/) } });
    expect(connections).toBe(0);
  });
});
