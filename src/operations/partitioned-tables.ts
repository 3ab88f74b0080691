/**
 * Operations do not handle partitioned tables yet: the backfill walks a table's own heap pages, and a partitioned
 * table has none (its partitions hold the rows), so it filled nothing and `complete` then dropped the old column's
 * values (found by review); CREATE INDEX CONCURRENTLY is refused on one too. `up` refuses such a migration before
 * it starts (start-checks.ts), and the backfill refuses the table should one slip past (page-backfill.ts).
 */
import type { Knex } from 'knex';

/**
 * Which of `tables` are partitioned, or inherited by other tables (INHERITS), here: their rows are in other tables
 * the backfill does not walk (found by review: a type change on an inherited table filled 4,520 of 20,000 rows, and
 * complete dropped the rest's values). A table not there yet is neither.
 */
export async function partitionedAmong(knex: Knex, tables: readonly string[]): Promise<string[]> {
  if (tables.length === 0) return [];
  const { rows } = await knex.raw(
    `SELECT t.name FROM unnest(?::text[]) AS t(name)
      JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(pg_catalog.quote_ident(t.name))
     WHERE c.relkind = 'p' OR EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhparent = c.oid)`,
    [[...tables]],
  );
  return rows.map((r: { name: string }) => r.name);
}

export const partitionedRefusal = (tables: readonly string[]) =>
  `${tables.join(', ')} ${tables.length === 1 ? 'is a partitioned table, or one other tables inherit' : 'are partitioned tables, or ones other tables inherit'}, which operations do not handle yet (the backfill walks a table's own pages; its rows are in other tables too)`;
