/**
 * An UPDATE or DELETE whose condition the rows already there nearly all meet changes and row-locks them all, as one
 * with no condition does (found by review: `UPDATE portal_users SET ... WHERE email IS NOT NULL`, email NOT NULL,
 * passed check and held 200,000 row locks for 6 s). The copy has no rows, so the target's planner is asked how many
 * rows the statement writes: EXPLAIN of it (or, where it names what the pending migrations add, of a SELECT with its
 * condition), which runs nothing and reads only the target's statistics.
 *
 * Where it cannot say (the condition names a column or table the pending migrations add, or a subquery EXPLAIN
 * VERBOSE printed as "SubPlan"), or `check` judges by recorded sizes and has no target, the write stays taken as
 * bounded: docs/checking-migrations.md says so.
 */
import type { Knex } from 'knex';
import { quoteIdent } from '../catalog/sql-text';
import type { FilteredWrite } from './every-row';
import { blockedBy, heldOn } from './lock-modes';
import type { ObservedStatement } from './observation';
import type { TableSize } from './table-sizes';

/** Meeting at least this share of the rows counts as every row: the locks and the time are the same. */
export const NEARLY_ALL = 0.9;

/**
 * While the transaction already holds a lock that blocks the application on the table (an ADD COLUMN before it), a
 * write of this share of its rows keeps everyone waiting for a time that grows with the table (found by review:
 * ADD COLUMN, then an UPDATE of two rows in three, passed check; SELECTs timed out meanwhile).
 */
export const MANY_UNDER_LOCK = 0.1;

/** `observed` with each filtered write the target's planner finds meeting nearly every row among its every-row writes. */
export async function withNearlyEveryRow(
  observed: ObservedStatement[], target: Knex, schema: string, sizes: Record<string, TableSize>,
): Promise<ObservedStatement[]> {
  const judged: ObservedStatement[] = [];
  for (const statement of observed) {
    const found: ObservedStatement['everyRow'] = [];
    for (const write of statement.filteredWrites) {
      const rows = sizes[write.table]?.rows ?? 0;
      const writes = rows > 0 ? await rowsWritten(target, schema, write) : undefined;
      if (writes === undefined) continue;
      const about = `about ${Math.round(Math.min(writes, rows)).toLocaleString('en-US')} of its ${Math.round(rows).toLocaleString('en-US')} rows`;
      const because = `it writes ${about}, by the target's planner estimate`;
      const held = heldOn(statement, write.table);
      if (writes >= NEARLY_ALL * rows) found.push({ table: write.table, command: write.command, because });
      else if (held && blockedBy(held) && writes >= MANY_UNDER_LOCK * rows) found.push({ table: write.table, command: write.command, because, underLock: held });
    }
    judged.push(found.length ? { ...statement, everyRow: [...statement.everyRow, ...found] } : statement);
  }
  return judged;
}

interface PlanNode {
  'Node Type': string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

/**
 * The planner's estimate of the rows `write` changes on the target: the statement itself (a join, a subquery, a CTE
 * included), else its condition over the table alone; undefined where neither can be planned there. EXPLAIN runs
 * nothing; it is asked in a read-only transaction, and waits for no table lock longer than LOOK_LOCK_TIMEOUT.
 */
async function rowsWritten(target: Knex, schema: string, write: FilteredWrite): Promise<number | undefined> {
  const plan = async (sql: string) => {
    try {
      return await target.transaction(async (trx) => {
        await trx.raw(`SET LOCAL lock_timeout = '${LOOK_LOCK_TIMEOUT}'; SET LOCAL search_path = ${quoteIdent(schema)}`);
        const { rows } = await trx.raw(`EXPLAIN (FORMAT JSON) ${sql}`);
        return (rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
      }, { readOnly: true });
    } catch {
      return undefined;
    }
  };
  const whole = await plan(write.statement);
  const modify = whole && findNode(whole, 'ModifyTable');
  if (modify?.Plans?.length) return modify.Plans[0]!['Plan Rows'];
  if (write.condition === undefined) return undefined;
  return (await plan(`SELECT FROM ${quoteIdent(schema)}.${quoteIdent(write.table)} AS ${quoteIdent(write.alias ?? write.table)} WHERE ${write.condition}`))?.['Plan Rows'];
}

/** A table locked by someone else is not waited for: the write is then taken as bounded. */
const LOOK_LOCK_TIMEOUT = '200ms';

function findNode(node: PlanNode, type: string): PlanNode | undefined {
  if (node['Node Type'] === type) return node;
  for (const child of node.Plans ?? []) {
    const found = findNode(child, type);
    if (found) return found;
  }
  return undefined;
}
