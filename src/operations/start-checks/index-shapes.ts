/**
 * dropIndex of an index dropIndex cannot describe: a sort order (DESC, NULLS FIRST), an operator class other than the
 * column type's, INCLUDE columns, an expression. `down` past contract would build another index from the description
 * (found by review: (name DESC) came back as (name), (price) INCLUDE (qty) as (price, qty)).
 */
import type { Knex } from 'knex';
import { operationsOf } from './operations-of';
import type { StartCheck } from './start-check';

export const indexShapes: StartCheck = (operations) => {
  const described = operationsOf(operations, 'dropIndex').filter((op) => op.table !== undefined && op.columns !== undefined).map((op) => op.name);
  return (knex) => indexesBeyondDescription(knex, described);
};

async function indexesBeyondDescription(knex: Knex, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const { rows } = await knex.raw(
    `SELECT n.name,
            array_remove(ARRAY[
              CASE WHEN EXISTS (SELECT 1 FROM unnest(i.indoption::int2[]) AS o WHERE o <> 0) THEN 'a sort order' END,
              CASE WHEN EXISTS (SELECT 1 FROM unnest(i.indclass::oid[]) AS c JOIN pg_catalog.pg_opclass oc ON oc.oid = c WHERE NOT oc.opcdefault)
                   THEN 'an operator class' END,
              CASE WHEN i.indnatts <> i.indnkeyatts THEN 'INCLUDE columns' END,
              CASE WHEN i.indexprs IS NOT NULL THEN 'an expression' END], NULL) AS beyond
       FROM unnest(?::text[]) AS n(name)
       JOIN pg_catalog.pg_index i ON i.indexrelid = pg_catalog.to_regclass(pg_catalog.quote_ident(n.name))`,
    [[...names]],
  );
  return (rows as Array<{ name: string; beyond: string[] }>)
    .filter((r) => r.beyond.length > 0)
    .map((r) => `dropIndex ${r.name}: the index has ${r.beyond.join(', ')}, which dropIndex cannot describe: down would build another; drop it with a sql operation that gives its definition`);
}
