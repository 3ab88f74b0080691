/** The lock measurement: it must see a held AccessExclusiveLock, time it, and see nothing else. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { watchExclusiveLock } from '../../bench/lock-watch';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('lock_watch');
  await db.knex.raw('CREATE TABLE portal_users (id int); CREATE TABLE tenants (id int)');
});
afterAll(async () => db?.drop());

const holdLock = (table: string, mode: string, seconds: number) =>
  db.knex.transaction(async (trx) => {
    await trx.raw(`LOCK TABLE ${table} IN ${mode} MODE`);
    await trx.raw('SELECT pg_sleep(?)', [seconds]);
  });

it('measures a hold of the AccessExclusiveLock from its transaction, never shorter than it was', async () => {
  const watch = await watchExclusiveLock(db.url, 'portal_users', 5);
  await holdLock('portal_users', 'ACCESS EXCLUSIVE', 0.3);
  const hold = await watch.stop();
  expect(hold).toMatchObject({ observed: true, holds: 1 });
  expect(['commit timestamp', 'sampled']).toContain(hold.end);
  expect(hold.ms).toBeGreaterThanOrEqual(300);
});

it('does not charge a transaction for the work it did before taking the lock', async () => {
  const watch = await watchExclusiveLock(db.url, 'portal_users', 5);
  await db.knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_sleep(0.4)');
    await trx.raw('LOCK TABLE portal_users IN ACCESS EXCLUSIVE MODE');
    await trx.raw('SELECT pg_sleep(0.15)');
  });
  const hold = await watch.stop();
  expect(hold).toMatchObject({ observed: true, holds: 1 });
  expect(hold.ms).toBeGreaterThanOrEqual(150);
  expect(hold.ms).toBeLessThan(400);
});

it('reports the longest of several holds and counts them', async () => {
  const watch = await watchExclusiveLock(db.url, 'portal_users', 5);
  await holdLock('portal_users', 'ACCESS EXCLUSIVE', 0.1);
  await holdLock('portal_users', 'ACCESS EXCLUSIVE', 0.25);
  const hold = await watch.stop();
  expect(hold).toMatchObject({ observed: true, holds: 2 });
  expect(hold.ms).toBeGreaterThanOrEqual(250);
});

it('ignores weaker locks and other tables, and says when it saw nothing', async () => {
  const watch = await watchExclusiveLock(db.url, 'portal_users', 5);
  await holdLock('portal_users', 'SHARE ROW EXCLUSIVE', 0.1);
  await holdLock('tenants', 'ACCESS EXCLUSIVE', 0.1);
  expect(await watch.stop()).toEqual({ ms: 5, observed: false, holds: 0, end: null });
});
