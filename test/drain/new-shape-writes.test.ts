/**
 * What the drain recorder costs the new application version (issue #23 item 3):
 * nothing but its trigger's guard. The new version's writes never name
 * `is_admin`: its UPDATE is outside the recorder's column list (`UPDATE OF
 * is_admin`), and its INSERT leaves the column NULL, which the trigger's WHEN
 * clause tests before any function is called (the drain trigger fires before
 * 006's sync trigger, which fills the column in later). So the recorder's
 * function is never called for them, and its counters stay as they were.
 * pg_stat_xact_user_functions counts the calls of the transaction under way
 * (track_functions = 'pl'), so "not called" is seen directly, apart from "called
 * and returned without counting", which the counters alone cannot tell apart.
 */
import type { Client } from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recorderName } from '../../src/drain/write-recorder';
import { connectAppVersion } from '../support/app-version-client';
import { runCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let client: Client;

beforeAll(async () => {
  db = await createTestDatabase('drain_new_shape');
  const env = { DATABASE_URL: db.url };
  expect((await runCli(['up', '--to', '005'], { env })).code).toBe(0);
  await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES ('u1@x', 'h', 'U', false)`);
  const expand = await runCli(['up', '--expand'], { env });
  expect(expand.code, expand.stderr).toBe(0);
  client = await connectAppVersion(db.url, 'portal-v2');
  await client.query(`SET track_functions = 'pl'`);
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

/** Calls of the recorder's function in this transaction so far. */
async function recorderCalls(): Promise<number> {
  const { rows } = await client.query('SELECT coalesce(sum(calls), 0) AS n FROM pg_stat_xact_user_functions WHERE funcname = $1', [recorderName('006_rbac_roles')]);
  return Number(rows[0].n);
}

const counters = async () => (await db.knex('konstruct_migration_drain').where({ source: 'write' }).select('detail', 'count')).map((r) => `${r.detail} ${r.count}`);

it("the new version's insert and update call no function of the recorder and leave its counters untouched; an old-shape write calls it once", async () => {
  await client.query('BEGIN');
  try {
    await client.query(`INSERT INTO portal_users (email, hashed_password, name, role) VALUES ('new@x', 'h', 'New', 'customer_operator')`);
    await client.query(`UPDATE portal_users SET role = 'platform_admin', updated_at = now() WHERE email = 'u1@x'`);
    expect(await recorderCalls()).toBe(0);
    expect(await counters()).toEqual([]);
    // The same session writing the old shape: the measure sees a call when there is one.
    await client.query(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES ('old@x', 'h', 'Old', true)`);
    expect(await recorderCalls()).toBe(1);
  } finally {
    await client.query('ROLLBACK');
  }
});
