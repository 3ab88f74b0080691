/**
 * An operations migration's `down` refuses, unless confirmed, to destroy what its operations are known to have
 * made and what was written there since: the rows of a table createTable made, the values in a column addColumn
 * added (other than its default). Found by a migration author's review: a plain `down` dropped such a table with
 * its rows, exit 0.
 */
import { expect, it } from 'vitest';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import { RefusedDestructiveError } from '../../src/engine/data-loss';
import type { Operation } from '../../src/operations';
import { operationsDatabase, position } from './harness';
import { SEED } from './scenario';

const OPERATIONS: Operation[] = [
  { createTable: { table: 'tenant_notes', columns: [{ name: 'note', type: 'text' }] } },
  { addColumn: { table: 'portal_users', column: { name: 'nickname', type: 'text' } } },
  { addColumn: { table: 'portal_users', column: { name: 'tier', type: 'text', nullable: false, default: `'basic'` } } },
];

it('counts the rows and values its revert would drop, refuses without --yes, and reverts with it', async () => {
  const h = await operationsDatabase('dataloss', '900_operations', { text: `export const operations = ${JSON.stringify(OPERATIONS)};` });
  try {
    await h.db.knex.raw(SEED);
    await up(h.ctx);
    await h.db.knex.raw(`INSERT INTO tenant_notes VALUES ('a'), ('b');
      UPDATE portal_users SET nickname = 'n' || id WHERE email IN ('seed0001@x', 'seed0002@x', 'seed0003@x');
      UPDATE portal_users SET tier = 'gold' WHERE email = 'seed0004@x'`);
    const refused = await down(h.ctx).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(RefusedDestructiveError);
    expect((refused as RefusedDestructiveError).dataLoss).toEqual([{
      migration: '900_operations',
      losses: [
        { what: 'rows in tenant_notes (dropped)', count: 2 },
        { what: 'portal_users.nickname values (dropped)', count: 3 },
        { what: 'portal_users.tier values (dropped)', count: 1 },
      ],
    }]);
    expect(await position(h)).toBe('applied');
    await down(h.ctx, { yes: true });
    expect(await position(h)).toBe('not started');
  } finally {
    await h.close();
  }
});

it('reverts without asking when nothing was written there', async () => {
  const h = await operationsDatabase('nodataloss', '900_operations', { text: `export const operations = ${JSON.stringify(OPERATIONS)};` });
  try {
    await h.db.knex.raw(SEED);
    await up(h.ctx);
    await down(h.ctx);
    expect(await position(h)).toBe('not started');
  } finally {
    await h.close();
  }
});

it('counts no NULL as a value lost: a row the backfill had not reached yet (found by review)', async () => {
  const withUp: Operation[] = [{ addColumn: { table: 'portal_users', column: { name: 'code', type: 'text', default: `'x'` }, up: `'c' || id` } }];
  const h = await operationsDatabase('datalossnull', '900_operations', { text: `export const operations = ${JSON.stringify(withUp)};` });
  try {
    await h.db.knex.raw(SEED);
    await h.db.knex.raw(`ALTER TABLE portal_users ADD COLUMN code text DEFAULT 'x'; UPDATE portal_users SET code = NULL`);
    const losses = await h.migration.dataLostOnDown!(h.db.knex);
    expect(losses).toEqual([{ what: 'portal_users.code values (dropped)', count: 0 }]);
  } finally {
    await h.close();
  }
});
