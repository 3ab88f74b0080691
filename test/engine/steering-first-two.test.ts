/**
 * Two operators' first `steer` at once (found by review): both found no steering table and created it; IF NOT EXISTS
 * does not cover that race, and the second failed on pg_type's unique index ("unexpected failure", exit 1) with its
 * change lost. Made deterministic here: another session creates the table and holds its transaction open, so the
 * steer's CREATE waits for it and then meets the same conflict.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import knexFactory, { type Knex } from 'knex';
import { readSteering, steer, STEERING_TABLE_DDL } from '../../src/history/steering-table';
import { waitUntil } from '../support/wait-until';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let other: Knex;

beforeAll(async () => {
  db = await createTestDatabase('steer_race');
  other = knexFactory({ client: 'pg', connection: db.url, pool: { min: 1, max: 1 } });
});
afterAll(async () => {
  await other?.destroy();
  await db?.drop();
});

it("applies the change of a steer whose CREATE TABLE lost the race to another's", async () => {
  const trx = await other.transaction();
  await trx.raw(STEERING_TABLE_DDL);
  const steering = steer(db.knex, '006_rbac_roles', { paused: true, reason: 'second operator', by: 'b@host' });
  // The steer's CREATE waits for the other transaction (a lock on its pg_type row): seen, then that one commits.
  await waitUntil(async () => (await db.knex.raw(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'CREATE TABLE IF NOT EXISTS konstruct_migration_steering%'`)).rows[0].n === 1, "the steer's CREATE TABLE waiting");
  await trx.commit();
  const row = await steering;
  expect([row.paused, row.reason, row.updatedBy]).toEqual([true, 'second operator', 'b@host']);
  expect((await readSteering(db.knex, '006_rbac_roles'))?.paused).toBe(true);
});
