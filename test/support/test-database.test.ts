/** The test databases' own guarantee: dropping one never hangs on a transaction a failed test left open. */
import { expect, it } from 'vitest';
import { createTestDatabase } from './test-database';

it('drops a database whose pool still has a transaction open, and gets on with the run', async () => {
  const db = await createTestDatabase('left_open');
  // As a test that failed between its BEGIN and its COMMIT leaves it: the connection checked out for ever.
  const trx = await db.knex.transaction();
  await trx.raw('CREATE TABLE t (id int)');
  const hung = Symbol('hung');
  const outcome = await Promise.race([db.drop().then(() => 'dropped'), new Promise((resolve) => setTimeout(() => resolve(hung), 20_000))]);
  expect(outcome).toBe('dropped');
  const admin = await createTestDatabase('left_open_check');
  try {
    expect((await admin.knex.raw('SELECT count(*)::int AS n FROM pg_database WHERE datname = ?', [db.name])).rows[0].n).toBe(0);
  } finally {
    await admin.drop();
  }
});
