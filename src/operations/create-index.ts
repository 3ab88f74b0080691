/**
 * createIndex { table, name, columns, unique?, where?, method? }
 *
 * CREATE INDEX CONCURRENTLY, in a step of its own after expand: reads and
 * writes go on while it builds. A build killed or failed part-way leaves an
 * INVALID index behind; the step finds it by name and drops it (CONCURRENTLY)
 * before building again, so a resumed run never keeps a broken index.
 * Inside a transaction (the stock knex CLI, --dry-run) it builds without
 * CONCURRENTLY, as a plain migration would.
 */
import { NO_LIST, type ListContext } from './list-context';
import type { OperationParts } from './parts';
import { ident } from './sql-names';

export interface CreateIndex {
  table: string;
  name: string;
  columns: string[];
  unique?: boolean;
  where?: string;
  /** btree (default), hash, gin, gist, brin, ... */
  method?: string;
}

/** CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON table USING method (columns) [WHERE ...]. */
export function createIndexSql(op: CreateIndex, concurrently: boolean): string {
  const using = op.method ? ` USING ${op.method}` : '';
  const where = op.where ? ` WHERE ${op.where}` : '';
  return `CREATE ${op.unique ? 'UNIQUE ' : ''}INDEX ${concurrently ? 'CONCURRENTLY ' : ''}IF NOT EXISTS ${ident(op.name)} ON ${ident(op.table)}${using} (${op.columns.map(ident).join(', ')})${where}`;
}

export const dropIndexSql = (name: string, concurrently: boolean) => `DROP INDEX ${concurrently ? 'CONCURRENTLY ' : ''}IF EXISTS ${ident(name)}`;

export function createIndex(op: CreateIndex, list: ListContext = NO_LIST): OperationParts {
  // Built on a column that contract drops, the index would go with it, and the run still say "applied" (found by review).
  for (const column of op.columns) {
    const replaced = list.columnsReplacedHere.get(`${op.table}\u0000${column}`);
    if (replaced) throw new Error(`createIndex ${op.name}: ${op.table}.${column} ${replaced}`);
  }
  return {
    outside: [
      {
        phase: 'expand',
        name: `create index ${op.name}`,
        up: { dropInvalidIndex: op.name, sql: createIndexSql(op, true), inTransaction: createIndexSql(op, false) },
        down: { sql: dropIndexSql(op.name, true), inTransaction: dropIndexSql(op.name, false) },
      },
    ],
  };
}
