/**
 * Reads of what the contract drops, seen through pg_stat_statements (issue #23):
 * on a server that preloads it, an old version that only reads is_admin keeps
 * `complete` from dropping it. The engine's own backfill statements name
 * is_admin too, and must not count.
 */
import type { Client } from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { connectAppVersion } from '../support/app-version-client';
import { startThrowawayServer, type ThrowawayServer } from '../support/throwaway-server';
import { withDatabase } from '../support/test-database';

let server: ThrowawayServer;
let url: string;
let reader: Client | undefined;
const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: url } });

beforeAll(async () => {
  server = await startThrowawayServer({ label: 'drain-reads', settings: { fsync: 'off', shared_preload_libraries: 'pg_stat_statements' } });
  const admin = await connectAppVersion(server.url, 'setup');
  await admin.query('CREATE DATABASE portal');
  await admin.end();
  url = withDatabase(server.url, 'portal');
  const setup = await connectAppVersion(url, 'setup');
  await setup.query('CREATE EXTENSION pg_stat_statements');
  await setup.end();
  expect((await cli('up', '--to', '005')).code).toBe(0);
  const seed = await connectAppVersion(url, 'setup');
  await seed.query(`INSERT INTO portal_users (email, hashed_password, name, is_admin) SELECT 'u' || i || '@x', 'h', 'U', i % 5 = 0 FROM generate_series(1, 50) AS i`);
  await seed.end();
  const expand = await cli('up', '--expand');
  expect(expand.code, expand.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await reader?.end();
  await server?.stop();
});

it('the backfill alone leaves no evidence: status sees no read, and says nothing is unseen', async () => {
  const status = await cli('status');
  expect(status.stdout).toContain('  Old version: no old-shape write or read seen.\n');
  expect(status.stdout).not.toContain('Not seen: reads');
});

it('an old version that only reads is_admin: complete refuses, naming the statement', async () => {
  reader = await connectAppVersion(url, 'portal-v1');
  for (let i = 0; i < 3; i++) await reader.query('SELECT id, is_admin FROM portal_users WHERE email = $1', [`u${i}@x`]);
  const run = await cli('complete');
  expect(run.code).toBe(11);
  expect(run.stderr).toMatch(/error: complete refused: .*: a statement naming is_admin \(pg_stat_statements queryid -?\d+\) ran 3 times, last seen 0 s ago\n/);
  const status = await cli('status');
  expect(status.stdout).toMatch(/ {2}Old version seen: a statement naming is_admin \(queryid -?\d+\), 3 times, last .*\.\n/);
});

it('once the reads stop and the window has passed, complete goes through', async () => {
  await reader!.end();
  reader = undefined;
  await new Promise((resolve) => setTimeout(resolve, 1_100)); // the window below is 1 s: let it pass
  const run = await cli('complete', '--drain-window', '1');
  expect(run.code, run.stderr).toBe(0);
});
