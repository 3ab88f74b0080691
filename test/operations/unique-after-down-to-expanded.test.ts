/**
 * alterColumn `unique`, reverted to expanded and completed again (found by a review of the way down): reverting the
 * contract drops the constraint and the index it took over, so `complete` failed ("index ... does not exist") on every
 * run. Before a contract, the list's index builds run again: a no-op where the index is there, a rebuild where not.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { complete } from '../../src/commands/complete';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import { operationsDatabase, position, type OperationsDatabase } from './harness';
import { SEED } from './scenario';

let h: OperationsDatabase;

beforeAll(async () => {
  h = await operationsDatabase('unique_reexpanded', '900_operations', {
    text: `export const operations = [{ alterColumn: { table: 'portal_users', column: 'email', unique: { name: 'uq_portal_users_email' } } }];`,
  });
  await h.db.knex.raw(`${SEED}; ALTER TABLE portal_users DROP CONSTRAINT portal_users_email_key`);
});
afterAll(async () => {
  await h?.close();
});

const uniqueness = async () => (await h.db.knex.raw(
  `SELECT (SELECT contype FROM pg_constraint WHERE conname = 'uq_portal_users_email') AS constraint,
          (SELECT indisunique FROM pg_index WHERE indexrelid = to_regclass('uq_portal_users_email')) AS index`)).rows[0];

it('keeps the column unique when reverted to expanded, and completes again', async () => {
  await up(h.ctx);
  expect(await uniqueness()).toEqual({ constraint: 'u', index: true });
  await down(h.ctx, { toExpanded: true });
  // Expanded as before the contract: the index is there, the constraint not yet.
  expect([await position(h), await uniqueness()]).toEqual([{ stepsDone: h.migration.expandedAt, midBatch: false }, { constraint: null, index: true }]);
  await complete(h.ctx, { force: true });
  expect([await position(h), await uniqueness()]).toEqual(['applied', { constraint: 'u', index: true }]);
});
