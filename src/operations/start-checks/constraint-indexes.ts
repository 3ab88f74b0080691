/** dropIndex of an index a constraint owns. */
import type { Knex } from 'knex';
import { operationsOf } from './operations-of';
import type { StartCheck } from './start-check';

export const constraintIndexesDropped: StartCheck = (operations) => {
  const names = operationsOf(operations, 'dropIndex').map((op) => op.name);
  return (knex) => constraintIndexes(knex, names);
};

/**
 * dropIndex of an index a constraint owns: DROP INDEX is refused at contract ("constraint ... requires it"), after
 * the contract before it committed, leaving the migration contracting (found by review).
 */
async function constraintIndexes(knex: Knex, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const { rows } = await knex.raw(
    `SELECT n.name, k.conname FROM unnest(?::text[]) AS n(name)
       JOIN pg_catalog.pg_constraint k ON k.conindid = pg_catalog.to_regclass(pg_catalog.quote_ident(n.name))`,
    [[...names]],
  );
  return rows.map((r: { name: string; conname: string }) =>
    `dropIndex ${r.name}: it is constraint ${r.conname}'s, which DROP INDEX cannot drop: drop the constraint (a sql operation, or a migration)`);
}

