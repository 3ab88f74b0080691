/**
 * Operations do not handle partitioned tables yet: the backfill walks a table's own heap pages, and a partitioned
 * table has none (its partitions hold the rows), so it filled nothing and `complete` then dropped the old column's
 * values (found by review); CREATE INDEX CONCURRENTLY is refused on one too. `up` refuses such a migration before
 * it starts (start-checks.ts), and the backfill refuses the table should one slip past (page-backfill.ts).
 */
import type { Knex } from 'knex';

/** Which of `tables` are partitioned here (a table not there yet is not). */
export async function partitionedAmong(knex: Knex, tables: readonly string[]): Promise<string[]> {
  if (tables.length === 0) return [];
  const { rows } = await knex.raw(
    `SELECT t.name FROM unnest(?::text[]) AS t(name)
      JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(pg_catalog.quote_ident(t.name)) WHERE c.relkind = 'p'`,
    [[...tables]],
  );
  return rows.map((r: { name: string }) => r.name);
}

export const partitionedRefusal = (tables: readonly string[]) =>
  `${tables.join(', ')} ${tables.length === 1 ? 'is a partitioned table' : 'are partitioned tables'}, which operations do not handle yet (the backfill walks a table's own pages; a partitioned table's rows are in its partitions)`;
