/**
 * The benchmark's A/B of the asynchronous batch commits (src/engine/batch-commit-mode.ts):
 * with KONSTRUCT_BENCH_SYNC_BATCHES=1 every backfill batch commits synchronously.
 * Read from the statements the run's own knex sends; the asynchronous default is
 * commit-round-trip.test.ts's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { SYNC_BATCHES_VARIABLE } from '../../src/engine/batch-commit-mode';
import type { TestDatabase } from '../support/test-database';
import { usersAt005 } from '../support/users-at-005';

let db: TestDatabase;
let ctx: MigrationContext;
const sent: string[] = [];

beforeAll(async () => {
  ({ db, ctx } = await usersAt005('syncbatches', 5_000));
  ctx.knex.on('query', (query: { sql: string; __knexTxId?: string }) => {
    if (query.__knexTxId !== undefined) sent.push(query.sql);
  });
  process.env[SYNC_BATCHES_VARIABLE] = '1';
  try {
    await up(ctx, { batchSize: 500, batchTime: 0 });
  } finally {
    delete process.env[SYNC_BATCHES_VARIABLE];
  }
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

describe('KONSTRUCT_BENCH_SYNC_BATCHES=1', () => {
  it('commits every backfill batch synchronously', () => {
    const batches = sent.filter((sql) => sql.startsWith(`UPDATE portal_users SET role = 'platform_admin'`)).length;
    expect(batches).toBeGreaterThan(2);
    expect(sent.filter((sql) => /\bCOMMIT;\nBEGIN$/.test(sql.trim())).length).toBeGreaterThan(batches);
    expect(sent.filter((sql) => sql.includes('synchronous_commit = off'))).toEqual([]);
  });
});
