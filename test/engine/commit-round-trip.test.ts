/**
 * What the engine sends after a step's own statements, while the locks they
 * took are held (src/engine/work-transaction.ts, src/drain/write-recorder.ts):
 * the drain triggers, the position and the fence with COMMIT, one round trip
 * each; and how each backfill batch commits: synchronously, like every step
 * (the benchmark's asynchronous form: async-batch-commits.test.ts). Read from the statements the run's
 * own knex sends, in order; no timing is asserted (the benchmark times it).
 */
import type { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import type { TestDatabase } from '../support/test-database';
import { usersAt005 } from '../support/users-at-005';

let db: TestDatabase;
let ctx: MigrationContext;
/** Every statement the run's knex sent in a transaction (not the lock-wait watcher's), in order. */
const sent: string[] = [];
/** Every WARNING the server sent the run's connections (a COMMIT outside a transaction draws one). */
const warnings: string[] = [];

beforeAll(async () => {
  ({ db, ctx } = await usersAt005('commitroundtrip', 10_000));
  ctx.knex.on('query', (query: { sql: string; __knexTxId?: string }) => {
    if (query.__knexTxId !== undefined) sent.push(query.sql);
  });
  const listening = new WeakSet<EventEmitter>();
  ctx.knex.client.pool.on('acquireSuccess', (_id: number, connection: EventEmitter) => {
    if (listening.has(connection)) return;
    listening.add(connection);
    connection.on('notice', (notice: { severity?: string; message: string }) => {
      if (notice.severity === 'WARNING') warnings.push(notice.message);
    });
  });
  // Fixed batches of 500 rows (10 pages before the table is analyzed), so the backfill takes several.
  await up(ctx, { batchSize: 500, batchTime: 0 });
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

/** The engine's commit: ends with COMMIT, then the BEGIN of the empty transaction knex's own COMMIT closes. */
const isCommit = (sql: string) => /\bCOMMIT;\nBEGIN$/.test(sql.trim());

describe('the engine under a step\'s locks', () => {
  it('after expand\'s last statement: the drain triggers, the position, then the fence with COMMIT, one round trip each', () => {
    const last = sent.findIndex((sql) => sql.includes('portal_invitations_invited_by_fkey'));
    expect(last).toBeGreaterThan(0);
    const commit = sent.findIndex((sql, i) => i > last && isCommit(sql));
    const after = sent.slice(last + 1, commit + 1);
    expect(after).toHaveLength(3);
    expect(after[0]).toMatch(/CREATE TRIGGER konstruct_drain_/);
    expect(after[1]).toMatch(/^insert into "konstruct_migration_phases"/);
    expect(after[2]).toMatch(/^DO \$fence\$[\s\S]*;\nCOMMIT;\nBEGIN$/);
  });

  it('draws no warning from the server: knex\'s own COMMIT closes the empty transaction the engine opened after its COMMIT', () => {
    expect(sent.filter((sql) => /\bCOMMIT\b/.test(sql)).length).toBeGreaterThan(3);
    expect(warnings).toEqual([]);
  });

  it('commits every backfill batch synchronously, like the steps', () => {
    const commits = sent.filter(isCommit);
    const batches = sent.filter((sql) => sql.startsWith(`UPDATE portal_users SET role = 'platform_admin'`)).length;
    expect(batches).toBeGreaterThan(2);
    // expand, the batches, then the four contract steps (the one that acts only going down is a unit too).
    expect(commits).toHaveLength(1 + batches + 4);
    expect(sent.filter((sql) => sql.includes('synchronous_commit'))).toEqual([]);
  });
});
