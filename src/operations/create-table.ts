/**
 * createTable { table, columns, primaryKey? }: a new, empty table, so its
 * constraints come valid at once; created at expand, dropped going down.
 */
import { checkSql, columnSql, commentSql, foreignKeySql, type ColumnDefinition } from './column';
import type { OperationParts } from './parts';
import { generatedName, ident } from './sql-names';

export interface CreateTable {
  table: string;
  columns: ColumnDefinition[];
  /** Column names; the constraint is named <table>_pkey, as PostgreSQL would. */
  primaryKey?: string[];
}

export function createTable(op: CreateTable): OperationParts {
  const lines = [
    ...op.columns.map((c) => columnSql(c, { withDefault: true, withNotNull: true })),
    ...(op.primaryKey ? [`CONSTRAINT ${ident(generatedName(op.table, 'pkey'))} PRIMARY KEY (${op.primaryKey.map(ident).join(', ')})`] : []),
    ...op.columns.flatMap((c) => [
      ...(c.check ? [checkSql(c.check, false)] : []),
      ...(c.references ? [foreignKeySql(c.name, c.references, false)] : []),
    ]),
  ];
  const comments = op.columns.filter((c) => c.comment !== undefined).map((c) => commentSql(op.table, c.name, c.comment!));
  return {
    slots: { expand: { up: [`CREATE TABLE ${ident(op.table)} (\n  ${lines.join(',\n  ')}\n)`, ...comments], down: [`DROP TABLE ${ident(op.table)}`] } },
  };
}
