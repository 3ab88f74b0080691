/**
 * An UPDATE or DELETE on an existing table that changes (and row-locks) every row in one transaction. On the
 * throwaway copy the table is empty, so the plan says what the row count cannot: a whole-table scan with no
 * condition writes every row. A condition bounds the write, unless it holds for every row that was there: it names
 * only columns added in the same transaction, whose value in those rows is known (what they were added with, kept
 * as attmissingval, else NULL), and is true for it. `UPDATE t SET c = ... WHERE c IS NULL` right after adding c is the usual case.
 * A condition on other columns, a join or a subquery is handed on (FilteredWrite): the copy has no rows, and the
 * target's planner says how many rows it writes (nearly-every-row.ts).
 */
import { splitSql } from '../catalog/split-sql';
import { quoteIdent, quoteLiteral } from '../catalog/sql-text';
import type { ColumnState, TableState } from './table-state';

type Send = (sql: string) => Promise<{ rows: unknown[] }>;
type Result = { command?: string };
type Write = { table: string; command: 'UPDATE' | 'DELETE'; because?: string };
/**
 * A write the copy cannot count: a condition on columns the rows already had, a join, a subquery. How many rows it
 * writes only the target can say: `statement` as a whole, else (it names what the pending migrations add) its
 * `condition` over the table alone.
 */
export type FilteredWrite = { table: string; command: 'UPDATE' | 'DELETE'; statement: string; condition?: string; alias?: string };
type Judged = { everyRow: Write[]; filtered: FilteredWrite[] };

interface PlanNode {
  'Node Type': string;
  Operation?: string;
  'Relation Name'?: string;
  Alias?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

/**
 * No index, bitmap or TID scan for the plans judged here: on the empty copy the planner may take one for a condition
 * on an indexed column (`WHERE id > 0`), which splits the condition into parts; a sequential scan keeps it whole, in
 * its Filter, for the target's planner to count (found by review). Local to the savepoint the judging runs in.
 */
const WHOLE_CONDITION_IN_FILTER = ['enable_indexscan', 'enable_indexonlyscan', 'enable_bitmapscan', 'enable_tidscan']
  .map((setting) => `SELECT set_config('${setting}', 'off', true);`).join(' ');

/**
 * The writes of every row among what one string sent: one statement, or several, which PostgreSQL answers with a
 * result each (found by review: `ALTER TABLE ...; UPDATE t SET ...` in one knex.raw() was not judged). Each is
 * judged in a savepoint where a transaction is open: one that a later statement of the same string made
 * unplannable (it dropped what the write names), or a condition that cannot be evaluated alone, is skipped, and
 * must not end the migration's transaction.
 * `start`: the tables as they were when the statement's transaction began.
 */
export async function everyRowWritesOf(
  send: Send, result: Result | Result[], sql: string, tables: TableState[], start: TableState[], inTransaction: boolean,
): Promise<Judged> {
  const statements = Array.isArray(result) ? splitSql(sql) : [{ sql }];
  const commandOf = (i: number) =>
    !Array.isArray(result) ? result.command
    : statements.length === result.length ? result[i]!.command
    : /^\w+/.exec(statements[i]!.sql)?.[0].toUpperCase();
  const found: Judged = { everyRow: [], filtered: [] };
  for (const [i, statement] of statements.entries()) {
    if (!mayWrite(commandOf(i), statement.sql)) continue;
    if (inTransaction) await send(`SAVEPOINT konstruct_every_row; ${WHOLE_CONDITION_IN_FILTER}`);
    try {
      const judged = await everyRowWrites(send, statement.sql, tables, start);
      if ('statement' in judged) found.filtered.push(judged);
      else found.everyRow.push(...judged);
    } catch {
      /* not judged: see above */
    } finally {
      // Rolled back even when judged: the planner settings end with it.
      if (inTransaction) await send('ROLLBACK TO SAVEPOINT konstruct_every_row; RELEASE SAVEPOINT konstruct_every_row');
    }
  }
  return found;
}

/**
 * An UPDATE or DELETE, or a SELECT or INSERT whose text names one: a writable CTE (`WITH u AS (UPDATE ... RETURNING
 * 1) SELECT count(*) FROM u`, found by review) writes as the statement it holds.
 */
function mayWrite(command: string | undefined, sql: string): boolean {
  if (command === 'UPDATE' || command === 'DELETE') return true;
  return (command === 'SELECT' || command === 'INSERT') && /\b(update|delete)\b/i.test(sql);
}

async function everyRowWrites(send: Send, sql: string, tables: TableState[], start: TableState[]): Promise<Write[] | FilteredWrite> {
  const { rows } = await send(`EXPLAIN (VERBOSE, FORMAT JSON) ${sql}`);
  const plan = ((rows[0] as { 'QUERY PLAN': Array<{ Plan: PlanNode }> })['QUERY PLAN'])[0]!.Plan;
  const modify = findModify(plan);
  const command: Write['command'] | undefined = modify?.Operation === 'Update' ? 'UPDATE' : modify?.Operation === 'Delete' ? 'DELETE' : undefined;
  if (!command) return [];
  const target = modify?.['Relation Name'];
  const scan = modify?.Plans?.length === 1 ? modify.Plans[0] : undefined;
  const table = tables.find((t) => t.name === target);
  if (!table) return [];
  const whole = { table: table.name, command, statement: sql };
  // A join, a subquery, a CTE (found by review: UPDATE ... FROM and DELETE ... USING of every row passed).
  if (scan?.['Node Type'] !== 'Seq Scan' || scan['Relation Name'] !== target) return whole;
  if (scan.Filter === undefined) return [{ table: table.name, command }];
  const before = start.find((t) => t.oid === table.oid);
  // A rewrite gave the rows there values of their own (a volatile default): they are no longer known.
  if (!before || before.filenode !== table.filenode) return [];
  const added = table.columns.filter((c) => !before.columns.some((b) => b.num === c.num) && !c.generated);
  const alias = scan.Alias ?? table.name;
  const because = await holdsForRowsThere(send, scan.Filter, alias, table.oid, added);
  return because === undefined ? { ...whole, condition: scan.Filter, alias } : [{ table: table.name, command, because }];
}

/**
 * Whether `filter` (EXPLAIN VERBOSE's, columns qualified by `alias`) is true for every row that was in the table
 * before `added` were: each of them is replaced by the value those rows have, and nothing else of the row may be left.
 */
async function holdsForRowsThere(send: Send, filter: string, alias: string, tableOid: number, added: ColumnState[]): Promise<string | undefined> {
  if (added.length === 0) return undefined;
  let condition = filter;
  const qualifier = `${quoteIdent(alias)}.`;
  const held = await valuesRowsHold(send, tableOid, added);
  for (const column of added) {
    const reference = new RegExp(`(?<![\\w$".])${escapeRegExp(`${qualifier}${quoteIdent(column.name)}`)}(?![\\w$])`, 'g');
    condition = condition.replace(reference, `(${held.get(column.name) ?? 'NULL'})::${column.type}`);
  }
  if (condition.includes(qualifier)) return undefined; // it names a column whose values the copy does not have
  const { rows } = await send(`SELECT (${condition}) IS TRUE AS holds`);
  if (!(rows[0] as { holds: boolean }).holds) return undefined;
  const names = added.filter((c) => filter.includes(`${qualifier}${quoteIdent(c.name)}`)).map((c) => c.name).join(', ');
  return `its condition holds for every row already there: ${names} added in the same transaction`;
}

/**
 * The value the rows already there hold in each added column, as SQL: what it was added with (attmissingval, kept
 * however its default changes later), else NULL (found by review: ADD COLUMN, SET DEFAULT 0, then WHERE c IS NULL
 * was taken to mean the default, and missed).
 */
async function valuesRowsHold(send: Send, tableOid: number, added: ColumnState[]): Promise<Map<string, string>> {
  const { rows } = await send(`SELECT a.attname AS name, a.attmissingval::text AS held FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = ${tableOid} AND a.atthasmissing AND a.attnum IN (${added.map((c) => c.num).join(', ')})`);
  return new Map((rows as Array<{ name: string; held: string }>).map((r) => {
    const type = added.find((c) => c.name === r.name)!.type;
    return [r.name, `((${quoteLiteral(r.held)})::${type}[])[1]`];
  }));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The plan's UPDATE or DELETE, wherever it is (a writable CTE's is under the query that reads it). */
function findModify(node: PlanNode): PlanNode | undefined {
  if (node['Node Type'] === 'ModifyTable' && (node.Operation === 'Update' || node.Operation === 'Delete')) return node;
  for (const child of node.Plans ?? []) {
    const found = findModify(child);
    if (found) return found;
  }
  return undefined;
}
