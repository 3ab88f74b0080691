/**
 * alterColumn to the same type with a smaller length or precision (varchar(255) -> varchar(100), numeric(12,2) ->
 * numeric(10,2), timestamp(6) -> timestamp(3)). PostgreSQL has no cast between them that changes the catalog alone, yet
 * the type is the same, so the operation takes its catalog-only path, and its ALTER TYPE reads or rewrites every row
 * under ACCESS EXCLUSIVE: expand refused it only after running it on the copy, with a hint about a CHECK the column
 * did not have (found by a newcomer's review, exit 6). Said before anything runs, with ways that work.
 */
import type { Knex } from 'knex';
import { ident } from '../sql-names';
import { operationsOf } from './operations-of';
import type { StartCheck } from './start-check';
import { typeOf } from './stated-types';

export const narrowedTypes: StartCheck = (operations) => {
  const retyped = operationsOf(operations, 'alterColumn').filter((op) => op.type !== undefined);
  return async (knex) => {
    const problems: string[] = [];
    for (const op of retyped) {
      const column = await columnType(knex, op.table, op.column);
      const to = column && (await typeOf(knex, op.type!));
      if (!column || !to || to.oid !== column.oid || to.typmod === column.typmod || !narrower(to.typmod, column.typmod)) continue;
      problems.push(
        `alterColumn ${op.table}.${op.column}: ${column.spelled} -> ${to.spelled} narrows the column, which PostgreSQL checks row by row (or rewrites) under ACCESS EXCLUSIVE; operations do not do that online: write it as a plain migration (check names the lock; acceptFindings where a short outage is fine), or add a column of the new type (addColumn with its up) and move the application to it`,
      );
    }
    return problems;
  };
};

/** A modifier that allows less: a limit where there was none, or a smaller one (length, precision: both grow with it). */
const narrower = (to: number, from: number) => to !== -1 && (from === -1 || to < from);

async function columnType(knex: Knex, table: string, column: string): Promise<{ oid: number; typmod: number; spelled: string } | undefined> {
  const { rows } = await knex.raw(
    `SELECT a.atttypid::int AS oid, a.atttypmod AS typmod, pg_catalog.format_type(a.atttypid, a.atttypmod) AS spelled FROM pg_catalog.pg_attribute a
      WHERE a.attrelid = pg_catalog.to_regclass(?) AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped`,
    [ident(table), column],
  );
  return rows[0];
}
