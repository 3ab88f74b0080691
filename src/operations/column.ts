/** A column as operations describe it (addColumn, createTable), and the SQL pieces made from it. */
import { generatedName, ident, literal } from './sql-names';

export interface CheckConstraint {
  name: string;
  /** SQL condition over the row, e.g. "role IN ('a', 'b')". */
  constraint: string;
}

export interface ForeignKey {
  name: string;
  table: string;
  column: string;
  onDelete?: 'CASCADE' | 'SET NULL' | 'SET DEFAULT' | 'RESTRICT' | 'NO ACTION';
}

export interface ColumnDefinition {
  name: string;
  /** SQL type, e.g. 'text', 'varchar(255)', 'timestamptz'. */
  type: string;
  /** Default true, as in SQL. */
  nullable?: boolean;
  /** SQL expression, e.g. "'pending'" or 'now()'. */
  default?: string;
  check?: CheckConstraint;
  references?: ForeignKey;
  comment?: string;
}

export const notNull = (c: Pick<ColumnDefinition, 'nullable'>) => c.nullable === false;

/** The CHECK (col IS NOT NULL) that proves NOT NULL without a scan under a blocking lock. */
export function notNullCheckName(table: string, column: string): string {
  return generatedName('konstruct_nn', table, column);
}

export function checkSql(c: CheckConstraint, notValid: boolean): string {
  return `CONSTRAINT ${ident(c.name)} CHECK (${c.constraint})${notValid ? ' NOT VALID' : ''}`;
}

export function foreignKeySql(column: string, fk: ForeignKey, notValid: boolean): string {
  const onDelete = fk.onDelete ? ` ON DELETE ${fk.onDelete}` : '';
  return `CONSTRAINT ${ident(fk.name)} FOREIGN KEY (${ident(column)}) REFERENCES ${ident(fk.table)} (${ident(fk.column)})${onDelete}${notValid ? ' NOT VALID' : ''}`;
}

export function commentSql(table: string, column: string, comment: string | null): string {
  return `COMMENT ON COLUMN ${ident(table)}.${ident(column)} IS ${comment === null ? 'NULL' : literal(comment)}`;
}

/** name type [DEFAULT ...] [NOT NULL], as in CREATE TABLE and ADD COLUMN. */
export function columnSql(c: ColumnDefinition, options: { withDefault: boolean; withNotNull: boolean }): string {
  const dflt = options.withDefault && c.default !== undefined ? ` DEFAULT ${c.default}` : '';
  return `${ident(c.name)} ${c.type}${dflt}${options.withNotNull && notNull(c) ? ' NOT NULL' : ''}`;
}

/** The column named `like` copied onto `column`'s name: same type, nullable, no default (read from the catalog when it runs). */
export function addColumnLikeSql(table: string, column: string, like: string): string {
  return `DO $konstruct$ BEGIN EXECUTE format('ALTER TABLE %I ADD COLUMN %I %s', ${literal(table)}, ${literal(column)},
  (SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = ${literal(ident(table))}::regclass AND attname = ${literal(like)})); END $konstruct$`;
}

/** `statements` run only where the constraint exists: for the steps down that only a past contract gave work. */
export function ifConstraintExists(table: string, constraint: string, statements: string[]): string {
  return `DO $konstruct$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = ${literal(ident(table))}::regclass AND conname = ${literal(constraint)}) THEN
    ${statements.map((s) => `${s};`).join('\n    ')}
  END IF;
END $konstruct$`;
}
