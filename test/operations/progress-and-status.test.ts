/**
 * What an engineer reads while an operations migration runs: each step once, after its phase
 * ("expand: renameColumn portal_users.name", not "expand: expand: ..."), and, held at expanded, the next step
 * `complete` runs, not a step that acts only going down (the rename's refill of the old column).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { operationsDatabase, type OperationsDatabase } from './harness';

let h: OperationsDatabase;
beforeAll(async () => {
  h = await operationsDatabase('progress', '900_rename', {
    commonJs: `exports.operations = [{ renameColumn: { table: 'portal_users', from: 'name', to: 'display_name' } }];\n`,
  });
});
afterAll(async () => h?.close());

it('prints each step after its phase once, and, held at expanded, names the contract as the next step', async () => {
  const env = { DATABASE_URL: h.db.url, KONSTRUCT_MIGRATIONS_DIR: h.ctx.migrationsDir };
  const expand = await runCli(['up', '--expand'], { env });
  expect(expand.code).toBe(0);
  // A list with no schema snapshot: said as it starts, since its expand makes no drain triggers (found by review).
  expect(expand.stderr).toBe(
    "note: 900_rename has no schema snapshot (schema/after-900_rename.sql), so its expand makes no drain triggers and `complete` will not see the old version's writes: write the snapshot before `up --expand` (`npm run snapshots`), or name the old version's sessions (`complete --old-version <pattern>`)\n",
  );
  expect(expand.stdout.replace(/\(\d+ ms/g, '(N ms').split('\n').slice(0, 2)).toEqual([
    '    · expand: renameColumn portal_users.name (N ms)',
    '    · backfill: fill portal_users: display_name (N ms, 1 batch, 0 rows)',
  ]);
  const status = await runCli(['status'], { env });
  expect(status.stdout).toContain('900_rename stands part-way, expanded: both application versions are served (2 of 4 steps done, held by');
  expect(status.stdout).toContain('\n  Next step: contract: renameColumn portal_users.name.\n');
  const complete = await runCli(['complete', '--drain-window', '0'], { env });
  expect(complete.code).toBe(0);
  expect(complete.stdout).toContain('    · contract: renameColumn portal_users.name (');
});

it('counts the rows of a table never analyzed from the live rows the server counted, not 50 a page (found by review)', async () => {
  const g = await operationsDatabase('progress_rows', '900_rename', {
    commonJs: `exports.operations = [{ renameColumn: { table: 'portal_users', from: 'name', to: 'display_name' } }];\n`,
  });
  try {
    // Counted when the inserting session reports its statistics, at once here; no ANALYZE ran (reltuples -1).
    await g.db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin)
      SELECT 'u' || i || '@example.com', 'h', 'name ' || i, false FROM generate_series(1, 3000) AS i; SELECT pg_stat_force_next_flush()`);
    const { rows } = await g.db.knex.raw(`SELECT reltuples FROM pg_class WHERE oid = 'portal_users'::regclass`);
    expect(rows[0].reltuples).toBe(-1);
    const env = { DATABASE_URL: g.db.url, KONSTRUCT_MIGRATIONS_DIR: g.ctx.migrationsDir };
    const expand = await runCli(['up', '--expand', '--batch-time', '0', '--batch-size', '1000'], { env });
    expect(expand.code).toBe(0);
    expect(expand.stdout.split('\n')[1]).toMatch(/^ {4}· backfill: fill portal_users: display_name \(\d+ ms, 3 batches, 3,000 rows\)$/);
  } finally {
    await g.close();
  }
});
