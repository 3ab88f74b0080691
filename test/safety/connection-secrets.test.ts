/**
 * Secrets and hints around the connection: redaction hides the password's own
 * occurrences but never the tool's words; a URL whose password is not
 * percent-encoded is refused before it is used, showing no part of it; hints
 * name the source actually used; the embedded server is never offered where it
 * cannot be used; a server that is not PostgreSQL gets a what-to-do line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownWords, redactor } from '../../src/db/redact';
import { runCli, type CliResult } from '../support/cli';

/** Nothing listens on port 1: every attempt is refused at once. */
const REFUSED = '127.0.0.1:1';
let home: string;
let notPostgres: net.Server;
let notPostgresPort: number;
let connections = 0;

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'konstruct-secrets-'));
  // Answers like a web server, whatever it is sent.
  notPostgres = net.createServer((socket) => {
    connections++;
    socket.on('error', () => {});
    socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
  });
  await new Promise<void>((resolve) => notPostgres.listen(0, '127.0.0.1', resolve));
  notPostgresPort = (notPostgres.address() as net.AddressInfo).port;
});
afterAll(() => {
  notPostgres?.close();
  rmSync(home, { recursive: true, force: true });
});

/** A working folder holding this .env. */
function folderWith(dotenv: string): string {
  const dir = mkdtempSync(path.join(home, 'cwd-'));
  writeFileSync(path.join(dir, '.env'), dotenv);
  return dir;
}

const output = (run: CliResult) => run.stdout + run.stderr;

describe('redaction', () => {
  it("replaces the secret's own occurrences, never the tool's words", () => {
    const redact = redactor(['host']);
    const message = ownWords`Check the host and port in ${'postgres://app:host@db.internal/konstruct'} (the host is ${'host'}).`;
    expect(redact(message)).toBe('Check the host and port in postgres://app:***@db.internal/konstruct (the host is ***).');
  });

  it('a password that is one of the words of a hint leaves the hint whole, in plain and --json output', async () => {
    const env = { DATABASE_URL: `postgres://app:host@${REFUSED}/konstruct` };
    const plain = await runCli(['status'], { env });
    expect(plain.code).toBe(4);
    expect(plain.stderr).toBe(
      'error: cannot reach the database server: connect ECONNREFUSED 127.0.0.1:1\n' +
        '  Check the host and port in DATABASE_URL and that the server is running (see --wait).\n',
    );
    const json = await runCli(['status', '--json'], { env });
    expect(JSON.parse(json.stdout).error.hint).toBe('Check the host and port in DATABASE_URL and that the server is running (see --wait).');
  });
});

describe('a password with an unencoded @, #, / or ?', () => {
  const parts = ['Zq9', 'Xv7', 'Kp3'];
  const cases: Array<{ name: string; args: string[]; env?: Record<string, string>; cwd?: () => string; label: string }> = [
    { name: '--url with @ and #', args: ['status', '--url', 'postgres://app:Zq9@Xv7#Kp3@127.0.0.1:1/konstruct'], label: '--url' },
    { name: 'DATABASE_URL with /', args: ['up'], env: { DATABASE_URL: 'postgres://app:Zq9/Xv7Kp3@127.0.0.1:1/konstruct' }, label: 'DATABASE_URL' },
    { name: 'DATABASE_URL with ?', args: ['up'], env: { DATABASE_URL: 'postgres://app:Zq9?Xv7Kp3@127.0.0.1:1/konstruct' }, label: 'DATABASE_URL' },
    { name: '.env with @', args: ['status'], cwd: () => folderWith('DATABASE_URL=postgres://app:Zq9@Xv7Kp3@127.0.0.1:1/konstruct\n'), label: 'DATABASE_URL in .env' },
  ];

  it.each(cases)('$name: exit 2 before connecting, saying to percent-encode, printing no part of it', async ({ args, env, cwd, label }) => {
    for (const extra of [[], ['--verbose'], ['--json']]) {
      const run = await runCli([...args, ...extra], { env, cwd: cwd?.() });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^error: ${label} has an @, #, / or \\? in its user name or password that is not percent-encoded.*percent-encode them \\(@ %40, # %23, / %2F, \\? %3F\\)\\n`));
      for (const part of parts) expect(output(run)).not.toContain(part);
    }
  });

  it('in .env, where an unquoted # starts a comment, the URL is refused rather than used cut short', async () => {
    // Cut at the #, this would be postgres://app:Zq9@Xv7, a URL for host Xv7.
    const run = await runCli(['status'], { cwd: folderWith('DATABASE_URL=postgres://app:Zq9@Xv7#Kp3@127.0.0.1:1/konstruct\n') });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: DATABASE_URL in .env holds a # that .env reads as the start of a comment, so the rest of the URL is lost; percent-encode it in the password (%23)\n' +
        '  Or put the whole value in quotes: DATABASE_URL="postgres://...". Nothing was done.\n',
    );
    for (const part of parts) expect(output(run)).not.toContain(part);
  });
});

describe('hints name the source actually used', () => {
  const refusedUrl = `postgres://app:pw@${REFUSED}/konstruct`;
  const cases = [
    { source: '--url', args: ['--url', refusedUrl], env: { DATABASE_URL: 'postgres://other@elsewhere/db' } },
    { source: 'DATABASE_URL', env: { DATABASE_URL: refusedUrl } },
    { source: 'DATABASE_URL in .env', cwd: () => folderWith(`DATABASE_URL=${refusedUrl}\n`) },
    { source: 'the PG\\* variables', env: { PGHOST: '127.0.0.1', PGPORT: '1', PGUSER: 'app', PGDATABASE: 'konstruct' } },
  ];
  it.each(cases)('$source', async ({ source, args = [], env, cwd }) => {
    const run = await runCli(['status', ...args], { env, cwd: cwd?.() });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(new RegExp(`\\n {2}Check the host and port in ${source} and that the server is running`));
  });
});

describe('the embedded server is offered only where it could be used', () => {
  it('offered for a broken DATABASE_URL on a laptop; not under CI, not for --url', async () => {
    const laptop = await runCli(['status'], { env: { DATABASE_URL: 'postgres//app@db/konstruct' } });
    expect(laptop.stderr).toMatch(/or unset it to use the embedded PostgreSQL\.\n$/);
    const runs = [
      await runCli(['status'], { env: { DATABASE_URL: 'postgres//app@db/konstruct', CI: 'true' } }),
      await runCli(['status', '--url', 'postgres//app@db/konstruct'], {}),
      await runCli(['status', '--url', `postgres://app:pw@${REFUSED}/konstruct`], {}),
      await runCli(['status'], { env: { DATABASE_URL: `postgres://app:pw@${REFUSED}/konstruct`, CI: 'true' } }),
    ];
    expect(runs.map((r) => r.code)).toEqual([2, 2, 4, 4]);
    for (const run of runs) expect(run.stderr).not.toMatch(/embedded/i);
  });
});

describe('a server that is not PostgreSQL', () => {
  it('answering the TLS request (sslmode prefer, the default): one line and what to do, exit 4', async () => {
    const run = await runCli(['status'], { env: { DATABASE_URL: `postgres://app:pw@127.0.0.1:${notPostgresPort}/konstruct` } });
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(
      'error: the server did not answer the TLS request as PostgreSQL does (sslmode=prefer): There was an error establishing an SSL connection\n' +
        "  Check that the host and port in DATABASE_URL are a PostgreSQL server's (not a web server or a proxy of another protocol); if they are, try sslmode=disable to rule out TLS.\n",
    );
  });

  it('answering the startup message (sslmode=disable): one line and what to do, exit 4', async () => {
    const run = await runCli(['status', '--url', `postgres://app:pw@127.0.0.1:${notPostgresPort}/konstruct?sslmode=disable`]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error: cannot connect to the database: Connection terminated unexpectedly\n {2}The server did not answer as PostgreSQL does: check that the host and port in --url are a PostgreSQL server's, and its TLS settings \(sslmode, PGSSLMODE\)\.\n$/);
    expect(connections).toBeGreaterThan(0);
  });
});
