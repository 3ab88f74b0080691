/** dropIndex: DROP INDEX CONCURRENTLY at contract; built again CONCURRENTLY going down, from the definition given. */
import { describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import type { Operation } from '../../src/operations';
import { operationsDatabase, position } from './harness';
import { describeOperation, writesOf } from './scenario';

describeOperation('dropIndex ix_portal_users_name (made by createIndex in the same list, so 005 stays the start)', {
  operations: [
    { createIndex: { table: 'portal_users', name: 'ix_portal_users_name', columns: ['name'] } },
    { dropIndex: { name: 'ix_portal_users_name', table: 'portal_users', columns: ['name'] } },
  ],
  plain: 'SELECT 1',
  old: writesOf('name', 'old name'),
  new: writesOf('name', 'new name'),
  newReadsOld: 'old name',
  oldReadsNew: 'new name',
});

describe('dropIndex of an index the list does not make: refused in expand, nothing changed, unless it is there as described', () => {
  /** up on a database with a unique index on portal_users (name); then, where up went through, down. */
  const upThenDown = async (operations: Operation[]) => {
    const h = await operationsDatabase('dropindex', '900_operations', { text: `export const operations = ${JSON.stringify(operations)};` });
    try {
      await h.db.knex.raw('CREATE UNIQUE INDEX ix_portal_users_name ON portal_users (name)');
      const before = await dumpCatalog(h.db.knex);
      const error = await up(h.ctx).then(() => undefined, (e: unknown) => String((e as Error).message));
      const afterUp = await position(h);
      if (error === undefined) await down(h.ctx, { yes: true });
      return { error, afterUp, catalogAsBefore: (await dumpCatalog(h.db.knex)) === before };
    } finally {
      await h.close();
    }
  };

  it.each([
    [{ name: 'ix_no_such_index' }, /failed and was rolled back: dropIndex ix_no_such_index: there is no such index/],
    [{ name: 'ix_portal_users_name', table: 'portal_users', columns: ['name'] }, /dropIndex ix_portal_users_name: the index is unique on portal_users \(name\) using btree, not as the operation describes it: down would build another/],
    [{ name: 'ix_portal_users_name', table: 'portal_users', columns: ['email'], unique: true }, /the index is unique on portal_users \(name\) using btree, not as/],
  ])('%j', async (dropIndex, message) => {
    expect(await upThenDown([{ dropIndex }])).toEqual({ error: expect.stringMatching(message), afterUp: 'not started', catalogAsBefore: true });
  });

  it('described as it is: dropped, and down builds it again as it was', async () => {
    expect(await upThenDown([{ dropIndex: { name: 'ix_portal_users_name', table: 'portal_users', columns: ['name'], unique: true } }]))
      .toEqual({ error: undefined, afterUp: 'applied', catalogAsBefore: true });
  });
});
