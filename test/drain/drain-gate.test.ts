/**
 * `complete`'s drain gate (issue #23) on a real PostgreSQL: the contract of 006
 * drops portal_users.is_admin, so while the old application version still
 * writes it (or is connected, named by --old-version), `complete` refuses
 * with exit 11 and changes nothing; --force overrides and says so; --wait
 * waits, and a kill while it waits leaves the migration expanded.
 */
import type { Client } from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { connectAppVersion } from '../support/app-version-client';
import { advisoryLockCount, databaseState, historyNames } from '../support/database-state';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startWatchedCli } from '../support/watched-cli';
import { waitUntil } from '../support/wait-until';

const DROPPED = 'portal_users.is_admin';
let db: TestDatabase | undefined;
const clients: Client[] = [];

/** A database expanded by `up --expand`: 005 with a few users, then 006 up to its contract. */
async function expandedDatabase(): Promise<TestDatabase> {
  await db?.drop();
  db = await createTestDatabase('drain');
  const env = { DATABASE_URL: db.url };
  expect((await runCli(['up', '--to', '005'], { env })).code).toBe(0);
  await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin)
    SELECT 'u' || i || '@x', 'h', 'U', i % 5 = 0 FROM generate_series(1, 50) AS i`);
  const expand = await runCli(['up', '--expand'], { env });
  expect(expand.code, expand.stderr).toBe(0);
  expect(expand.stderr).toBe(''); // 006 has its schema snapshot: no note that the gate would be blind
  return db;
}

const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: db!.url } });
const app = async (name: string) => {
  const client = await connectAppVersion(db!.url, name);
  clients.push(client);
  return client;
};
const phaseRow = async () => (await db!.knex('konstruct_migration_phases').select('name', 'steps_done', 'held'));
const writeEvidence = async () =>
  db!.knex('konstruct_migration_drain').where({ source: 'write' }).orderBy('detail').select('object', 'detail', 'application_name', 'count');

/** The old version (portal-v1) writes is_admin: one insert, two updates. */
async function oldVersionWrites(): Promise<void> {
  const v1 = await app('portal-v1');
  await v1.query(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES ('old@x', 'h', 'Old', true)`);
  await v1.query(`UPDATE portal_users SET is_admin = false WHERE email = 'u1@x'`);
  await v1.query(`UPDATE portal_users SET is_admin = true WHERE email = 'u2@x'`);
}

beforeEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end()));
});
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end()));
  await db?.drop();
});

describe('evidence of the old version', () => {
  beforeAll(async () => {
    await expandedDatabase();
    expect(await writeEvidence()).toEqual([]); // the backfill updated 10 admins: not the old version
    const v2 = await app('portal-v2');
    await v2.query(`INSERT INTO portal_users (email, hashed_password, name, role) VALUES ('new@x', 'h', 'New', 'customer_operator')`);
    await v2.query(`UPDATE portal_users SET role = 'platform_admin' WHERE email = 'u3@x'`);
    expect(await writeEvidence()).toEqual([]);
    await oldVersionWrites();
  });

  it('counts old-shape writes with their writer; new-version writes and the engine own backfill are not counted', async () => {
    expect(await writeEvidence()).toEqual([
      { object: DROPPED, detail: 'INSERT', application_name: 'portal-v1', count: '1' },
      { object: DROPPED, detail: 'UPDATE', application_name: 'portal-v1', count: '2' },
    ]);
  });

  it('status shows it (text and --json), and says reads are not seen without pg_stat_statements', async () => {
    const text = await cli('status');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/ {2}Old version seen: UPDATE of portal_users\.is_admin, 2 times, last \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by "portal-v1" \(user postgres, 127\.0\.0\.1\)\.\n/);
    expect(text.stdout).toMatch(/ {2}Old version seen: INSERT of portal_users\.is_admin, 1 time, last .* by "portal-v1"/);
    expect(text.stdout).toMatch(/ {2}Not seen: reads are not seen \(pg_stat_statements is not installed and preloaded\)\.\n/);
    const json = JSON.parse((await cli('status', '--json')).stdout);
    const drain = json.result.migrations[1].partWay.drain;
    expect(drain.writes.map((w: { detail: string; count: number; applicationName: string }) => [w.detail, w.count, w.applicationName]).sort()).toEqual([
      ['INSERT', 1, 'portal-v1'],
      ['UPDATE', 2, 'portal-v1'],
    ]);
    expect(drain.notSeen).toEqual(['reads are not seen (pg_stat_statements is not installed and preloaded)']);
  });

  it('complete refuses with exit 11 naming what, when, from whom and how often; nothing changes', async () => {
    const before = { state: await databaseState(db!.knex), phase: await phaseRow() };
    const run = await cli('complete');
    expect(run.code).toBe(11);
    expect(run.stderr).toMatch(
      /\nerror: complete refused: the old application version of 006_rbac_roles was active within the last 600 s: UPDATE of portal_users\.is_admin \(the old shape\) 2 times, last \d+ s ago, by "portal-v1" \(user postgres, 127\.0\.0\.1\) \(and 1 more sign: see `konstruct-migrate status`\)\n {2}Nothing was changed\. .*`complete --wait`.*`--drain-window <s>`.*`complete --force`/,
    );
    expect({ state: await databaseState(db!.knex), phase: await phaseRow() }).toEqual(before);
    const json = JSON.parse((await cli('complete', '--json')).stdout);
    expect(json).toMatchObject({ command: 'complete', ok: false, exitCode: 11 });
  });
});

describe('the drain window', () => {
  it('refused within the (shortened) window, complete succeeds once it has passed; nothing of the drain is left', async () => {
    await expandedDatabase();
    await oldVersionWrites();
    expect((await cli('complete', '--drain-window', '30')).code).toBe(11);
    const lastWrite: Date = (await db!.knex('konstruct_migration_drain').max('last_seen as at').first())!.at;
    await waitUntil(async () => (await db!.knex.raw('SELECT now() AS now')).rows[0].now.getTime() - lastWrite.getTime() > 2_000, 'two seconds after the last old write');
    const run = await cli('complete', '--drain-window', '2');
    expect(run.code, run.stderr).toBe(0);
    expect(await historyNames(db!.knex)).toEqual(['005_baseline', '006_rbac_roles']);
    // The triggers, their function and the evidence are gone with the contract.
    const { rows } = await db!.knex.raw(`SELECT proname FROM pg_proc WHERE proname LIKE 'konstruct\\_drain%'`);
    expect(rows).toEqual([]);
    expect((await db!.knex.raw(`SELECT to_regclass('konstruct_migration_drain') AS t`)).rows[0].t).toBeNull();
    expect((await cli('verify')).code).toBe(0);
  });
});

describe('sessions named like the old version', () => {
  it('--old-version refuses while one is connected, naming it; passes once it has gone', async () => {
    await expandedDatabase();
    const v1 = await app('portal-v1-worker');
    const pid = (await v1.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const refused = await cli('complete', '--old-version', 'portal-v1*');
    expect(refused.code).toBe(11);
    expect(refused.stderr).toContain(`: session ${pid} of "portal-v1-worker" (user postgres, 127.0.0.1) is connected`);
    await v1.end();
    clients.splice(clients.indexOf(v1), 1);
    const done = await cli('complete', '--old-version', 'portal-v1*');
    expect(done.code, done.stderr).toBe(0);
  });
});

describe('--force and --wait', () => {
  it('--force completes and says what it overrode', async () => {
    await expandedDatabase();
    await oldVersionWrites();
    const run = await cli('complete', '--force');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/--force: overriding evidence that the old version is active: UPDATE of portal_users\.is_admin \(the old shape\) 2 times, .* by "portal-v1"/);
    expect(await historyNames(db!.knex)).toEqual(['005_baseline', '006_rbac_roles']);
  });

  it('--wait holds the contract while the old version is connected, then completes once it leaves', async () => {
    await expandedDatabase();
    const v1 = await app('portal-v1');
    const waiting = startWatchedCli(['complete', '--wait', '--old-version', 'portal-v1'], { env: { DATABASE_URL: db!.url } });
    // It looks, finds the session, and waits (under the migration lock): the migration stays expanded meanwhile.
    await waiting.waitForOutput(/waiting for the old application version to drain \(1 sign, newest: session \d+ of "portal-v1"/);
    expect(await phaseRow()).toEqual([{ name: '006_rbac_roles', steps_done: 2, held: true }]);
    await v1.end();
    clients.splice(clients.indexOf(v1), 1);
    const result = await waiting.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(await historyNames(db!.knex)).toEqual(['005_baseline', '006_rbac_roles']);
  });

  it('a kill during --wait changes nothing; the next complete carries on', async () => {
    await expandedDatabase();
    await oldVersionWrites();
    const before = { state: await databaseState(db!.knex), phase: await phaseRow() };
    const waiting = startWatchedCli(['complete', '--wait'], { env: { DATABASE_URL: db!.url } });
    await waiting.waitForOutput(/waiting for the old application version to drain \(2 signs, newest: UPDATE of portal_users\.is_admin/);
    waiting.kill('SIGKILL');
    expect((await waiting.exited).signal).toBe('SIGKILL');
    await waitUntil(async () => (await advisoryLockCount(db!.knex)) === 0, 'the killed run to leave its migration lock');
    expect({ state: await databaseState(db!.knex), phase: await phaseRow() }).toEqual(before);
    const forced = await cli('complete', '--drain-window', '0');
    expect(forced.code, forced.stderr).toBe(0);
  });
});
