/**
 * An UPDATE or DELETE on an existing table whose plan reads the whole table
 * with no condition changes (and row-locks) every row in one transaction: on
 * the throwaway copy the table is empty, so the plan says what the row count
 * cannot. A statement with any condition, join or LIMIT is bounded by it.
 */
import { splitSql } from '../catalog/split-sql';
import type { TableState } from './table-state';

type Send = (sql: string) => Promise<{ rows: unknown[] }>;
type Result = { command?: string };
type Write = { table: string; command: 'UPDATE' | 'DELETE' };

/**
 * The writes of every row among what one string sent: one statement, or several, which PostgreSQL answers with a
 * result each (found by review: `ALTER TABLE ...; UPDATE t SET ...` in one knex.raw() was not judged). Each
 * UPDATE or DELETE is explained in a savepoint where a transaction is open: one that a later statement of the same
 * string made unplannable (it dropped what the write names) is skipped, and must not end the migration's transaction.
 */
export async function everyRowWritesOf(send: Send, result: Result | Result[], sql: string, tables: TableState[], inTransaction: boolean): Promise<Write[]> {
  if (!Array.isArray(result)) return everyRowWrites(send, result.command, sql, tables);
  const statements = splitSql(sql);
  const commandOf = (i: number) => (statements.length === result.length ? result[i]!.command : /^\w+/.exec(statements[i]!.sql)?.[0].toUpperCase());
  const found: Write[] = [];
  for (const [i, statement] of statements.entries()) {
    const command = commandOf(i);
    if (command !== 'UPDATE' && command !== 'DELETE') continue;
    if (inTransaction) await send('SAVEPOINT konstruct_every_row');
    try {
      found.push(...(await everyRowWrites(send, command, statement.sql, tables)));
      if (inTransaction) await send('RELEASE SAVEPOINT konstruct_every_row');
    } catch {
      if (inTransaction) await send('ROLLBACK TO SAVEPOINT konstruct_every_row');
    }
  }
  return found;
}

interface PlanNode {
  'Node Type': string;
  Operation?: string;
  'Relation Name'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

export async function everyRowWrites(
  send: Send,
  command: string | undefined,
  sql: string,
  tables: TableState[],
): Promise<Write[]> {
  if (command !== 'UPDATE' && command !== 'DELETE') return [];
  const { rows } = await send(`EXPLAIN (FORMAT JSON) ${sql}`);
  const plan = ((rows[0] as { 'QUERY PLAN': Array<{ Plan: PlanNode }> })['QUERY PLAN'])[0]!.Plan;
  const modify = findModify(plan);
  const target = modify?.['Relation Name'];
  const scan = modify?.Plans?.length === 1 ? modify.Plans[0] : undefined;
  const whole = scan?.['Node Type'] === 'Seq Scan' && scan['Relation Name'] === target && scan.Filter === undefined;
  return whole && tables.some((t) => t.name === target) ? [{ table: target!, command }] : [];
}

function findModify(node: PlanNode): PlanNode | undefined {
  if (node['Node Type'] === 'ModifyTable') return node;
  for (const child of node.Plans ?? []) {
    const found = findModify(child);
    if (found) return found;
  }
  return undefined;
}
