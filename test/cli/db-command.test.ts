/**
 * `konstruct-migrate db` (#24, item 7): a person reaches the embedded server,
 * which otherwise runs only for the length of one command.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { startWatchedCli } from '../support/watched-cli';

let project: string;
const psqlOnPath = spawnSync('psql', ['--version']).status === 0;

beforeAll(() => {
  // Readable by the `postgres` OS user, which the embedded server runs as under root.
  project = mkdtempSync(path.join(os.tmpdir(), 'konstruct-db-'));
  chmodSync(project, 0o755);
  writeFileSync(path.join(project, 'package.json'), '{}\n');
  mkdirSync(path.join(project, 'migrations'));
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('konstruct-migrate db', () => {
  it('prints the URL of the running server, which stays up until Ctrl-C (exit 130), then stops it', async () => {
    expect((await runCli(['up', '--to', '005'], { cwd: project, timeoutMs: 120_000 })).code).toBe(0);
    const db = startWatchedCli(['db'], { cwd: project, timeoutMs: 120_000 });
    await db.waitForOutput(/is running\. Ctrl-C stops it\./);
    const url = db.output().match(/^postgres:\/\/\S+$/m)![0];
    const knex = knexFactory({ client: 'pg', connection: url });
    try {
      const { rows } = await knex.raw('SELECT count(*)::int AS n FROM portal_users');
      expect(rows).toEqual([{ n: 0 }]);
    } finally {
      await knex.destroy();
    }
    db.kill('SIGINT');
    expect((await db.exited).code).toBe(130);
    expect(existsSync(path.join(project, '.konstruct', 'pgdata', 'postmaster.pid'))).toBe(false);
  });

  // CI installs no PostgreSQL client (.ci/run).
  it.skipIf(!psqlOnPath)('--psql runs psql on it with the arguments after --, and exits with psql\'s code', async () => {
    const run = await runCli(['db', '--psql', '--', '-At', '-c', 'SELECT count(*) FROM knex_migrations'], { cwd: project, timeoutMs: 120_000 });
    expect(run.stdout).toBe('1\n');
    expect(run.code).toBe(0);
    const failing = await runCli(['db', '--psql', '--', '-c', 'SELECT nope'], { cwd: project, timeoutMs: 120_000 });
    expect(failing.code).toBe(1);
    expect(existsSync(path.join(project, '.konstruct', 'pgdata', 'postmaster.pid'))).toBe(false);
  });

  it('refuses another database: exit 2, one line and what to do, the URL not echoed', async () => {
    const run = await runCli(['db'], { cwd: project, env: { DATABASE_URL: 'postgres://app:s3cret@db.internal/konstruct' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: db serves the embedded PostgreSQL only, and DATABASE_URL names another database.\n' +
        '  Use psql with that database directly (psql "$DATABASE_URL"), or unset it to use the embedded server.\n',
    );
  });
});
