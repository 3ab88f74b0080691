/**
 * An UPDATE or DELETE whose condition the rows already there nearly all meet changes and row-locks them all, as one
 * with no condition does (found by review: `UPDATE portal_users SET ... WHERE email IS NOT NULL`, email NOT NULL,
 * passed check and held 200,000 row locks for 6 s). The copy has no rows, so the target's planner is asked how many
 * rows the condition meets: EXPLAIN of a SELECT with it, which runs nothing and reads only the target's statistics.
 *
 * Where it cannot say (the condition names a column or table the pending migrations add, or a subquery EXPLAIN
 * VERBOSE printed as "SubPlan"), or `check` judges by recorded sizes and has no target, the write stays taken as
 * bounded: docs/checking-migrations.md says so.
 */
import type { Knex } from 'knex';
import { quoteIdent } from '../catalog/sql-text';
import type { ObservedStatement } from './observation';
import type { TableSize } from './table-sizes';

/** Meeting at least this share of the rows counts as every row: the locks and the time are the same. */
export const NEARLY_ALL = 0.9;

/** `observed` with each filtered write the target's planner finds meeting nearly every row among its every-row writes. */
export async function withNearlyEveryRow(
  observed: ObservedStatement[], target: Knex, schema: string, sizes: Record<string, TableSize>,
): Promise<ObservedStatement[]> {
  const judged: ObservedStatement[] = [];
  for (const statement of observed) {
    const found = [];
    for (const write of statement.filteredWrites) {
      const rows = sizes[write.table]?.rows ?? 0;
      const meets = rows > 0 ? await rowsMeeting(target, schema, write.table, write.alias, write.condition) : undefined;
      if (meets !== undefined && meets >= NEARLY_ALL * rows) {
        const about = `about ${Math.round(Math.min(meets, rows)).toLocaleString('en-US')} of its ${Math.round(rows).toLocaleString('en-US')} rows`;
        found.push({ table: write.table, command: write.command, because: `its condition holds for ${about} (the target's planner estimate)` });
      }
    }
    judged.push(found.length ? { ...statement, everyRow: [...statement.everyRow, ...found] } : statement);
  }
  return judged;
}

/** The planner's estimate of the rows `condition` meets on the target; undefined where it cannot be planned there. */
async function rowsMeeting(target: Knex, schema: string, table: string, alias: string, condition: string): Promise<number | undefined> {
  try {
    const { rows } = await target.raw(`EXPLAIN (FORMAT JSON) SELECT FROM ${quoteIdent(schema)}.${quoteIdent(table)} AS ${quoteIdent(alias)} WHERE ${condition}`);
    return (rows[0]['QUERY PLAN'] as Array<{ Plan: { 'Plan Rows': number } }>)[0]!.Plan['Plan Rows'];
  } catch {
    return undefined;
  }
}
