/** The lock measurement: it must see each lock mode held on the table, time it, and leave out what it is told to. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { longestHold, watchTableLocks } from '../../bench/lock-watch';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('lock_watch');
  await db.knex.raw('CREATE TABLE portal_users (id int); CREATE TABLE tenants (id int); INSERT INTO portal_users VALUES (1)');
});
afterAll(async () => db?.drop());

/** Holds the lock for `seconds` in a transaction of its own; returns the backend's pid. */
const holdLock = (table: string, mode: string, seconds: number): Promise<number> =>
  db.knex.transaction(async (trx) => {
    await trx.raw(`LOCK TABLE ${table} IN ${mode} MODE`);
    return (await trx.raw('SELECT pg_backend_pid() AS pid, pg_sleep(?)', [seconds])).rows[0].pid;
  });

it('measures a hold of the AccessExclusiveLock from its transaction, never shorter than it was', async () => {
  const watch = await watchTableLocks(db.url, 'portal_users', 5);
  await holdLock('portal_users', 'ACCESS EXCLUSIVE', 0.3);
  const hold = longestHold(await watch.stop(), 'AccessExclusiveLock', 5);
  expect(hold).toMatchObject({ observed: true, holds: 1 });
  expect(['commit timestamp', 'sampled']).toContain(hold.end);
  expect(hold.ms).toBeGreaterThanOrEqual(300);
});

it('does not charge a transaction for the work it did before taking the lock', async () => {
  const watch = await watchTableLocks(db.url, 'portal_users', 5);
  let lockAskedAt = 0;
  await db.knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_sleep(0.2)'); // other work first
    lockAskedAt = (await trx.raw('SELECT extract(epoch FROM clock_timestamp())::float8 AS at')).rows[0].at;
    // A sample that starts after that work and ends before the lock: the hold cannot be dated back past it.
    await waitUntil(async () => {
      const { rows } = await db.knex.raw(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle' AND query LIKE '%LEFT JOIN pg_locks l%' AND query_start > to_timestamp(?)`,
        [lockAskedAt],
      );
      return rows.length > 0;
    }, 'a lock sample after the work');
    await trx.raw('LOCK TABLE portal_users IN ACCESS EXCLUSIVE MODE');
    await trx.raw('SELECT pg_sleep(0.15)');
  });
  const episodes = (await watch.stop()).filter((e) => e.granted && e.mode === 'AccessExclusiveLock');
  expect(episodes).toHaveLength(1);
  // Server clock on both sides: the hold starts after the work, not at the transaction's start.
  expect(episodes[0]!.start).toBeGreaterThan(lockAskedAt);
  expect(longestHold(episodes, 'AccessExclusiveLock', 5).ms).toBeGreaterThanOrEqual(150);
});

it('reports the longest of several holds and counts them', async () => {
  const watch = await watchTableLocks(db.url, 'portal_users', 5);
  const holders = [await holdLock('portal_users', 'ACCESS EXCLUSIVE', 0.1), await holdLock('portal_users', 'ACCESS EXCLUSIVE', 0.25)];
  const episodes = await watch.stop();
  const hold = longestHold(episodes, 'AccessExclusiveLock', 5);
  // The episodes beside the count: should another session's hold ever be counted, the failure names it.
  expect({ hold, episodes }).toMatchObject({ hold: { observed: true, holds: 2 }, episodes: holders.map((pid) => ({ pid, mode: 'AccessExclusiveLock', granted: true })) });
  expect(hold.ms).toBeGreaterThanOrEqual(250);
});

it('records every mode on the table, and nothing on other tables', async () => {
  const watch = await watchTableLocks(db.url, 'portal_users', 5);
  await holdLock('portal_users', 'SHARE ROW EXCLUSIVE', 0.1);
  await holdLock('tenants', 'ACCESS EXCLUSIVE', 0.1);
  const episodes = await watch.stop();
  expect(episodes.map((e) => [e.mode, e.granted])).toEqual([['ShareRowExclusiveLock', true]]);
  expect(longestHold(episodes, 'AccessExclusiveLock', 5)).toEqual({ ms: 5, observed: false, holds: 0, end: null });
});

it('leaves out the backends it is told to, and times a wait from when it began', async () => {
  const holder = await db.knex.client.acquireConnection();
  try {
    const { rows: [{ pid }] } = await holder.query('SELECT pg_backend_pid() AS pid');
    const watch = await watchTableLocks(db.url, 'portal_users', 5, () => [pid]);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE portal_users IN ACCESS SHARE MODE');
    // A second session asks for ACCESS EXCLUSIVE and waits 0.3 s for the first one.
    const waiter = db.knex.transaction(async (trx) => {
      await trx.raw("SET LOCAL lock_timeout = '300ms'");
      await trx.raw('LOCK TABLE portal_users IN ACCESS EXCLUSIVE MODE').catch(() => {});
    }).catch(() => {});
    await waiter;
    await holder.query('COMMIT');
    const episodes = await watch.stop();
    expect(episodes.some((e) => e.pid === pid)).toBe(false);
    const waits = episodes.filter((e) => !e.granted);
    expect(waits.map((e) => e.mode)).toEqual(['AccessExclusiveLock']);
    expect((waits[0]!.end - waits[0]!.start) * 1000).toBeGreaterThanOrEqual(290);
  } finally {
    await db.knex.client.releaseConnection(holder);
  }
});
