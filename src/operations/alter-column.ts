/**
 * alterColumn { table, column, type?, fromType?, nullable?, check?, unique?, references?, down? }
 *
 *   nullable: false   CHECK (col IS NOT NULL) NOT VALID at expand, validated, then SET NOT NULL
 *   nullable: true    DROP NOT NULL at contract (down: NOT NULL back through a validated CHECK)
 *   check, references NOT VALID at expand, VALIDATE at contract
 *   unique { name }   CREATE UNIQUE INDEX CONCURRENTLY after expand, then
 *                     ADD CONSTRAINT ... UNIQUE USING INDEX at contract
 *   type              at expand, before the constraints above (ALTER TYPE checks a
 *                     column's constraints again, by a scan), and only where PostgreSQL
 *                     changes the catalog alone (a binary-compatible type: varchar(n) ->
 *                     text); refused, rolled back, where it rewrote or scanned the table
 *                     under ACCESS EXCLUSIVE (e.g. an existing CHECK on the column). Going
 *                     down it changes back to `fromType` (USING `down`, over the column's
 *                     name), which may scan under that lock: narrowing is not online.
 */
import { notNullBack } from './not-null-back';
import type { CheckConstraint, ForeignKey } from './column';
import { createIndexSql, dropIndexSql } from './create-index';
import type { OperationParts } from './parts';
import { ident, literal } from './sql-names';
import { validatedLater } from './validated-later';

export interface AlterColumn {
  table: string;
  column: string;
  type?: string;
  /** The column's type before, for `down` past contract. */
  fromType?: string;
  nullable?: boolean;
  check?: CheckConstraint;
  unique?: { name: string };
  references?: ForeignKey;
  /** Accepted for pgroll's shape; a catalog-only type change needs no conversion going up. */
  up?: string;
  /** Going down past contract: the old value from the new one, by the column's name. */
  down?: string;
}

/**
 * ALTER COLUMN TYPE, refused (rolled back) where it is not catalog-only: a type
 * without a binary-compatible cast is refused before; a new relfilenode (a
 * rewrite) or rows read by this transaction (constraints checked again) after.
 */
function catalogOnlyType(table: string, column: string, type: string): string {
  const rowsRead = `pg_stat_get_xact_tuples_returned(${literal(ident(table))}::regclass) + pg_stat_get_xact_tuples_fetched(${literal(ident(table))}::regclass)`;
  return `DO $konstruct$
DECLARE
  before oid := (SELECT relfilenode FROM pg_class WHERE oid = ${literal(ident(table))}::regclass);
  read_before bigint := ${rowsRead};
  current_type oid := (SELECT atttypid FROM pg_attribute WHERE attrelid = ${literal(ident(table))}::regclass AND attname = ${literal(column)});
BEGIN
  IF current_type <> ${literal(type)}::regtype AND NOT EXISTS (
      SELECT 1 FROM pg_cast WHERE castsource = current_type AND casttarget = ${literal(type)}::regtype AND castmethod = 'b') THEN
    RAISE EXCEPTION ${literal(`alterColumn ${table}.${column}: a change to ${type} rewrites the table under ACCESS EXCLUSIVE; add a new column with addColumn and up instead`)};
  END IF;
  EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE %s', ${literal(table)}, ${literal(column)}, ${literal(type)});
  IF (SELECT relfilenode FROM pg_class WHERE oid = ${literal(ident(table))}::regclass) <> before OR ${rowsRead} > read_before THEN
    RAISE EXCEPTION ${literal(`alterColumn ${table}.${column}: a change to ${type} rewrites or scans the table under ACCESS EXCLUSIVE; add a new column with addColumn and up instead`)};
  END IF;
END $konstruct$`;
}

export function alterColumn(op: AlterColumn): OperationParts[] {
  const t = `ALTER TABLE ${ident(op.table)}`;
  const col = ident(op.column);
  const parts: OperationParts[] = [
    { table: op.table, slots: validatedLater(op.table, op.column, { check: op.check, references: op.references, notNull: op.nullable === false }) },
  ];
  if (op.nullable === true) {
    const back = notNullBack(op.table, op.column);
    parts.push({ table: op.table, slots: { ...back.slots, contract: { up: [`${t} ALTER COLUMN ${col} DROP NOT NULL`], down: [back.check] } } });
  }
  if (op.unique) {
    const index = { table: op.table, name: op.unique.name, columns: [op.column], unique: true };
    parts.push({
      table: op.table,
      outside: [{
        phase: 'expand', name: `create unique index ${op.unique.name}`,
        up: { dropInvalidIndex: op.unique.name, sql: createIndexSql(index, true), inTransaction: createIndexSql(index, false) },
        down: { sql: dropIndexSql(op.unique.name, true), inTransaction: dropIndexSql(op.unique.name, false) },
      }],
      slots: { contract: { up: [`${t} ADD CONSTRAINT ${ident(op.unique.name)} UNIQUE USING INDEX ${ident(op.unique.name)}`], down: [`${t} DROP CONSTRAINT ${ident(op.unique.name)}`] } },
    });
  }
  if (op.type) {
    const back = op.fromType
      ? `${t} ALTER COLUMN ${col} TYPE ${op.fromType} USING (${op.down ?? col})`
      : `DO $konstruct$ BEGIN RAISE EXCEPTION ${literal(`alterColumn ${op.table}.${op.column} cannot change back: the operation gives no fromType`)}; END $konstruct$`;
    parts.unshift({ table: op.table, slots: { expand: { up: [catalogOnlyType(op.table, op.column, op.type)], down: [back] } } });
  }
  return parts;
}
