/**
 * The benchmark's A/B of the batch commits (src/engine/batch-commit-mode.ts): with
 * KONSTRUCT_BENCH_ASYNC_BATCHES=1 every backfill batch but its step's last commits
 * with synchronous_commit off; the last, and the steps, synchronously (their flush
 * covers the batches before them). Read from the statements the run's own knex
 * sends; the synchronous default is commit-round-trip.test.ts's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { ASYNC_BATCHES_VARIABLE } from '../../src/engine/batch-commit-mode';
import type { TestDatabase } from '../support/test-database';
import { usersAt005 } from '../support/users-at-005';

let db: TestDatabase;
let ctx: MigrationContext;
const sent: string[] = [];

beforeAll(async () => {
  ({ db, ctx } = await usersAt005('asyncbatches', 5_000));
  ctx.knex.on('query', (query: { sql: string; __knexTxId?: string }) => {
    if (query.__knexTxId !== undefined) sent.push(query.sql);
  });
  process.env[ASYNC_BATCHES_VARIABLE] = '1';
  try {
    await up(ctx, { batchSize: 500, batchTime: 0 });
  } finally {
    delete process.env[ASYNC_BATCHES_VARIABLE];
  }
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

describe('KONSTRUCT_BENCH_ASYNC_BATCHES=1', () => {
  it('commits every backfill batch but the step\'s last with synchronous_commit off; the last, and the steps, synchronously', () => {
    const commits = sent.filter((sql) => /\bCOMMIT;\nBEGIN$/.test(sql.trim()));
    const batches = sent.filter((sql) => sql.startsWith(`UPDATE portal_users SET role = 'platform_admin'`)).length;
    expect(batches).toBeGreaterThan(2);
    // expand, the batches, then the four contract steps (the one that acts only going down is a unit too).
    const asynchronous = commits.map((sql) => sql.includes('SET LOCAL synchronous_commit = off'));
    expect(asynchronous).toEqual([false, ...Array(batches - 1).fill(true), false, false, false, false, false]);
  });
});
