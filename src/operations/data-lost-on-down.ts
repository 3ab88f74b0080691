/**
 * What reverting an operations migration destroys, known from its operations, so that `down` refuses it unless
 * confirmed (engine/data-loss.ts), as it does for a plain migration that says so in `dataLostOnDown`: the rows of
 * a table `createTable` made, and the values in a column `addColumn` added (other than its default). Both go
 * when `down` reverts expand. What the other operations' `down` puts back (a dropped column refilled from `down`,
 * a type changed back) is the author's to judge; a `sql` operation's, too: export `dataLostOnDown` beside the list.
 * A table or column that is not there (a migration part-way) loses nothing.
 */
import type { Knex } from 'knex';
import type { Operation } from './index';

/** As model/migration-module.ts's DataLoss (the model imports operations, not the other way). */
interface DataLoss {
  what: string;
  count: number;
}

type Count = (knex: Knex) => Promise<DataLoss>;

export function dataLostByOperations(operations: readonly Operation[]): ((knex: Knex) => Promise<DataLoss[]>) | undefined {
  const counts: Count[] = [];
  for (const element of operations) {
    if ('createTable' in element) {
      const { table } = element.createTable;
      counts.push(async (knex) => ({ what: `rows in ${table} (dropped)`, count: await countWhere(knex, table, null, 'true') }));
    }
    if ('addColumn' in element) {
      const { table, column } = element.addColumn;
      // NULL is no value lost: a row the backfill had not reached yet (found by review: a run killed after expand
      // counted every row of a column with a default as lost).
      const kept = column.default === undefined ? `?? IS NOT NULL` : `?? IS NOT NULL AND ?? IS DISTINCT FROM (${column.default})`;
      counts.push(async (knex) => ({ what: `${table}.${column.name} values (dropped)`, count: await countWhere(knex, table, column.name, kept) }));
    }
  }
  if (counts.length === 0) return undefined;
  return async (knex) => {
    const losses: DataLoss[] = [];
    for (const count of counts) losses.push(await count(knex));
    return losses;
  };
}

/** Rows of `table` where `condition` holds (?? stands for the column); 0 when the table or the column is not there. */
async function countWhere(knex: Knex, table: string, column: string | null, condition: string): Promise<number> {
  const { rows } = await knex.raw(
    `SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass(pg_catalog.quote_ident(?)) AND (?::name IS NULL OR attname = ?::name) AND attnum > 0 AND NOT attisdropped LIMIT 1`,
    [table, column, column],
  );
  if (rows.length === 0) return 0;
  const where = column === null ? condition : condition.replaceAll('??', knex.raw('??', [column]).toQuery());
  return Number((await knex(table).whereRaw(where).count({ n: '*' }))[0]!.n);
}

/** The migration's own `dataLostOnDown` (for its `sql` operations, say) after what its operations are known to lose. */
export function withOperationsDataLoss(
  operations: readonly Operation[],
  own: ((knex: Knex) => Promise<DataLoss[]>) | undefined,
): ((knex: Knex) => Promise<DataLoss[]>) | undefined {
  const derived = dataLostByOperations(operations);
  if (!derived || !own) return derived ?? own;
  return async (knex) => [...(await derived(knex)), ...(await own(knex))];
}
