/**
 * An UPDATE or DELETE on an existing table whose plan reads the whole table
 * with no condition changes (and row-locks) every row in one transaction: on
 * the throwaway copy the table is empty, so the plan says what the row count
 * cannot. A statement with any condition, join or LIMIT is bounded by it.
 */
import type { TableState } from './table-state';

type Send = (sql: string) => Promise<{ rows: unknown[] }>;

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
): Promise<Array<{ table: string; command: 'UPDATE' | 'DELETE' }>> {
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
