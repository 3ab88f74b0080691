/**
 * The libpq conventions: PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE/PGSSLMODE
 * when DATABASE_URL is absent, and `sslmode` in the URL, with libpq's meaning
 * (node-postgres alone reads `require` as `verify-full` and has no `prefer`):
 * on the test server (no TLS) and on a throwaway server with TLS and a
 * certificate from a test CA.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config';
import { connectionSettings } from '../../src/db/ssl-mode';
import { KonstructError } from '../../src/errors';
import { ExitCode } from '../../src/exit-codes';
import { openContext } from '../../src/context';
import { runCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startThrowawayServer, type ThrowawayServer } from '../support/throwaway-server';
import { skipWithout } from '../support/required-tool';
import { hasOpenssl, makeTestCertificates, type TestCertificates } from '../support/tls-certificates';

let db: TestDatabase;
let serverHasTls: boolean;

beforeAll(async () => {
  db = await createTestDatabase('libpq');
  serverHasTls = (await db.knex.raw('SHOW ssl')).rows[0].ssl === 'on';
});
afterAll(async () => {
  await db?.drop();
});

function libpqVariables(url: string) {
  const u = new URL(url);
  return {
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: u.pathname.slice(1),
  };
}
const withSslmode = (url: string, mode: string) => `${url}${url.includes('?') ? '&' : '?'}sslmode=${mode}`;

describe('connection settings (libpq semantics)', () => {
  const url = 'postgres://u:p@db.example:5432/app';
  // A folder without .env, so only what each case gives is read.
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'konstruct-no-dotenv-'));
  afterAll(() => rmSync(cwd, { recursive: true }));
  const modes = (u: string | undefined, env: NodeJS.ProcessEnv = {}) => connectionSettings(loadConfig({ url: u, env, cwd }));

  it('defaults to prefer: TLS without checking the certificate, then plain', () => {
    expect(modes(url).sslMode).toBe('prefer');
    expect(modes(url).attempts).toEqual([{ rejectUnauthorized: false }, false]);
  });

  it('maps each sslmode to what node-postgres needs, and strips TLS parameters from the URL', () => {
    expect(modes(`${url}?sslmode=disable`).attempts).toEqual([false]);
    expect(modes(`${url}?sslmode=allow`).attempts).toEqual([false, { rejectUnauthorized: false }]);
    expect(modes(`${url}?sslmode=require`).attempts).toEqual([{ rejectUnauthorized: false }]);
    expect(modes(`${url}?sslmode=verify-full`).attempts).toEqual([{ rejectUnauthorized: true }]);
    const verifyCa = modes(`${url}?sslmode=verify-ca`).attempts[0] as { rejectUnauthorized: boolean; checkServerIdentity: () => unknown };
    expect(verifyCa.rejectUnauthorized).toBe(true);
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    expect(modes(`${url}?sslmode=require&application_name=x`).connectionString).toBe(`${url}?application_name=x`);
    expect(modes(url).connectionString).toBe(url);
  });

  it('reads sslrootcert (URL or PGSSLROOTCERT); with it, require checks the chain as libpq does', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-ca-'));
    const ca = path.join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n');
    try {
      const fromUrl = modes(`${url}?sslmode=require&sslrootcert=${ca}`).attempts[0] as { ca: string; rejectUnauthorized: boolean };
      expect(fromUrl).toMatchObject({ ca: expect.stringContaining('fake'), rejectUnauthorized: true });
      const fromEnv = modes(url, { PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca }).attempts[0];
      expect(fromEnv).toMatchObject({ ca: expect.stringContaining('fake'), rejectUnauthorized: true });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('PGSSLMODE applies when the URL has no sslmode, and the URL wins over it', () => {
    expect(modes(url, { PGSSLMODE: 'disable' }).sslMode).toBe('disable');
    expect(modes(`${url}?sslmode=require`, { PGSSLMODE: 'disable' }).sslMode).toBe('require');
    expect(modes(undefined, { PGSSLMODE: 'verify-ca' }).sslMode).toBe('verify-ca');
  });

  it('refuses an unknown sslmode and an unreadable certificate file as usage errors', () => {
    const bad = [() => modes(`${url}?sslmode=requir`), () => modes(url, { PGSSLMODE: 'on' }), () => modes(`${url}?sslrootcert=/no/such/ca.pem`)];
    const messages = bad.map((run) => {
      const error = (() => {
        try {
          run();
        } catch (e) {
          return e as KonstructError;
        }
      })();
      expect(error?.exitCode).toBe(ExitCode.Usage);
      return [error?.message, error?.hint];
    });
    expect(messages).toEqual([
      ['sslmode in the URL is "requir", which is not one of disable, allow, prefer, require, verify-ca, verify-full.', 'Fix the value; `require` encrypts without checking the certificate.'],
      ['PGSSLMODE is "on", which is not one of disable, allow, prefer, require, verify-ca, verify-full.', 'Fix the value; `require` encrypts without checking the certificate.'],
      // What to do, not only "see --help" (found by an operator's review).
      ['sslrootcert in the URL is /no/such/ca.pem, a file that cannot be read: ENOENT.', 'Give the path of a readable PEM file (a relative path is read from the directory the command runs in), or leave the setting out.'],
    ]);
  });
});

describe('the CLI with libpq variables and no DATABASE_URL', () => {
  it('runs up and status from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (also under CI), never printing the password', async () => {
    const env = { ...libpqVariables(db.url), CI: 'true' };
    const up = await runCli(['up'], { env });
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/Applied 2 migrations/);
    const status = await runCli(['status', '--verbose'], { env });
    expect(status.stdout).toMatch(/2 applied, 0 pending/);
    expect(await db.knex('knex_migrations').count({ n: '*' })).toEqual([{ n: '2' }]);

    const wrong = await runCli(['status', '--verbose'], { env: { ...env, PGPASSWORD: 'not-the-password-42' } });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/refused the login/);
    const everything = [wrong, up, status].map((r) => `${r.stdout}${r.stderr}`).join('');
    expect(everything).not.toContain('not-the-password-42');
    expect(everything).not.toContain(env.PGPASSWORD);
  });

  it('honours PGSSLMODE: disable connects; require fails clearly on a server without TLS', async () => {
    const env = libpqVariables(db.url);
    expect((await runCli(['status'], { env: { ...env, PGSSLMODE: 'disable' } })).code).toBe(0);
    const require = await runCli(['status'], { env: { ...env, PGSSLMODE: 'require' } });
    if (serverHasTls) {
      expect(require.code).toBe(0);
    } else {
      expect(require.code).toBe(4);
      expect(require.stderr).toBe(
        'error: the server does not accept TLS connections, and sslmode=require requires TLS.\n' +
          '  Use sslmode=prefer (or disable) for this server, or turn on ssl in its postgresql.conf.\n',
      );
    }
  });
});

describe('sslmode in DATABASE_URL', () => {
  it('disable and prefer connect; require and verify-full fail clearly on a server without TLS; an unknown mode is exit 2', async () => {
    for (const mode of ['disable', 'prefer', 'allow']) {
      expect((await runCli(['status'], { env: { DATABASE_URL: withSslmode(db.url, mode) } })).code, mode).toBe(0);
    }
    for (const mode of ['require', 'verify-full']) {
      const run = await runCli(['status'], { env: { DATABASE_URL: withSslmode(db.url, mode) } });
      if (serverHasTls) continue;
      expect(run.code, mode).toBe(4);
      expect(run.stderr).toMatch(new RegExp(`^error: the server does not accept TLS connections, and sslmode=${mode} requires TLS\\.\\n`));
    }
    const bogus = await runCli(['status'], { env: { DATABASE_URL: withSslmode(db.url, 'bogus') } });
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/^error: sslmode in the URL is "bogus"/);
  });

  it('prefer (the default) falls back to no TLS on a server without it, as libpq does', async () => {
    const ctx = await openContext({ url: db.url, env: {} });
    try {
      const { rows } = await ctx.knex.raw('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(rows[0].ssl).toBe(serverHasTls);
    } finally {
      await ctx.close();
    }
  });
});

describe.skipIf(skipWithout('openssl', (await hasOpenssl()) ? undefined : 'openssl is not installed (Debian package openssl)'))('against a server with TLS (ssl=on, a certificate from a test CA for 127.0.0.1)', () => {
  let certs: TestCertificates;
  let server: ThrowawayServer;
  /** The server's URL with these query parameters; host 127.0.0.2 reaches it too, under a name its certificate lacks. */
  const tlsUrl = (params: string, host = '127.0.0.1') => `${server.url.replace('127.0.0.1', host)}?${params}`;
  const status = (url: string) => runCli(['status'], { env: { DATABASE_URL: url } });
  /** Whether the session `openContext` opens with this URL is encrypted, as the server sees it. */
  async function encrypted(url: string): Promise<boolean> {
    const ctx = await openContext({ url, env: {} });
    try {
      return (await ctx.knex.raw('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl;
    } finally {
      await ctx.close();
    }
  }

  beforeAll(async () => {
    certs = await makeTestCertificates();
    server = await startThrowawayServer({
      label: 'tls',
      settings: { fsync: 'off', ssl: 'on', ssl_cert_file: certs.serverCertFile, ssl_key_file: certs.serverKeyFile, listen_addresses: '127.0.0.1,127.0.0.2' },
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    certs?.remove();
  });

  it('prefer (the default) and require encrypt; disable does not', async () => {
    expect(await encrypted(server.url)).toBe(true);
    expect(await encrypted(tlsUrl('sslmode=require'))).toBe(true);
    expect(await encrypted(tlsUrl('sslmode=disable'))).toBe(false);
    expect((await status(tlsUrl('sslmode=require'))).code).toBe(0);
  });

  it('verify-full refuses the certificate of an unknown CA in one line, and accepts it with that CA as sslrootcert', async () => {
    const unknownCa = await status(tlsUrl('sslmode=verify-full'));
    expect(unknownCa.code).toBe(4);
    expect(unknownCa.stderr).toMatch(/^error: the server's TLS certificate was not accepted \(sslmode=verify-full\): .*certificate.*\n {2}Give its CA with sslrootcert=/);
    expect(unknownCa.stderr).not.toMatch(/\n\s+at /);
    expect(unknownCa.stderr).not.toContain(new URL(server.url).password);

    expect((await status(tlsUrl(`sslmode=verify-full&sslrootcert=${certs.caFile}`))).code).toBe(0);
    expect(await encrypted(tlsUrl(`sslmode=verify-full&sslrootcert=${certs.caFile}`))).toBe(true);
  });

  it('verify-full also checks the host name; verify-ca checks only the chain', async () => {
    const otherName = await status(tlsUrl(`sslmode=verify-full&sslrootcert=${certs.caFile}`, '127.0.0.2'));
    expect(otherName.code).toBe(4);
    expect(otherName.stderr).toMatch(/^error: the server's TLS certificate was not accepted \(sslmode=verify-full\): .*127\.0\.0\.2.*\n/);
    expect(otherName.stderr.split('\n')[1]).toBe('  Connect by a host name the certificate lists, or use sslmode=verify-ca to check the chain but not the name.');
    expect((await status(tlsUrl(`sslmode=verify-ca&sslrootcert=${certs.caFile}`, '127.0.0.2'))).code).toBe(0);
  });

  it('require with a root certificate checks the chain, as libpq does: another CA is refused', async () => {
    const run = await status(tlsUrl(`sslmode=require&sslrootcert=${certs.otherCaFile}`));
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error: the server's TLS certificate was not accepted \(sslmode=require\)/);
    expect(run.stderr).toMatch(/\n {2}With sslrootcert, require checks the chain as libpq does: give the CA that signed the server certificate, or leave sslrootcert out/);
    expect((await status(tlsUrl(`sslmode=require&sslrootcert=${certs.caFile}`))).code).toBe(0);
  });

  it('PGSSLMODE and PGSSLROOTCERT do the same for a URL without sslmode', async () => {
    const env = (mode: string, ca: string) => ({ DATABASE_URL: server.url, PGSSLMODE: mode, PGSSLROOTCERT: ca });
    expect((await runCli(['status'], { env: env('verify-full', certs.caFile) })).code).toBe(0);
    expect((await runCli(['status'], { env: env('verify-full', certs.otherCaFile) })).code).toBe(4);
  });
});
