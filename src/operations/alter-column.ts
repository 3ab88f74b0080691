/**
 * alterColumn { table, column, type?, fromType?, nullable?, check?, unique?, references?, down? }
 *
 *   nullable: false   CHECK (col IS NOT NULL) NOT VALID at expand, validated, then SET NOT NULL
 *   nullable: true    DROP NOT NULL at contract (down: NOT NULL back through a validated CHECK)
 *   check, references NOT VALID at expand, VALIDATE at contract
 *   unique { name }   CREATE UNIQUE INDEX CONCURRENTLY after expand, then
 *                     ADD CONSTRAINT ... UNIQUE USING INDEX at contract
 *   type              at expand, before the constraints above (ALTER TYPE checks a
 *                     column's constraints again, by a scan). Where PostgreSQL changes
 *                     the catalog alone (a binary-compatible cast: varchar(n) -> text),
 *                     ALTER TYPE; refused, rolled back, where that still rewrote or
 *                     scanned the table under ACCESS EXCLUSIVE (e.g. an existing CHECK
 *                     on the column). Going down it changes back to `fromType` (USING
 *                     `down`, over the column's name), which may scan under that lock:
 *                     narrowing is not online. Where no such cast exists (int -> bigint,
 *                     text -> integer): through a new column, `up` and `down` converting
 *                     (column-swap.ts); the column ends last in the table.
 */
import { SWAP_TAG, hasColumn, rewrites, shadowColumn, swapExpand, swapExpandDown, swapParts, type ColumnSwap } from './column-swap';
import { notNullBack } from './not-null-back';
import type { CheckConstraint, ForeignKey } from './column';
import { createIndexSql, dropIndexSql } from './create-index';
import type { OperationParts, Slot, Statements } from './parts';
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
  /** A change through a new column: the new value from the row, the column's name holding the old one (default: a cast). */
  up?: string;
  /** The old value from the row, the column's name holding the new one (default: a cast to fromType). */
  down?: string;
}

/**
 * ALTER COLUMN TYPE where PostgreSQL changes the catalog alone; where the
 * change has no binary-compatible cast (pg_cast), asked before anything
 * changes, it goes through a new column instead (column-swap.ts). Still refused
 * (rolled back) where the ALTER rewrote the table (a new relfilenode) or read
 * its rows (constraints checked again, a narrower length).
 */
function changeType(table: string, column: string, type: string, swap: ColumnSwap): string {
  const rowsRead = `pg_stat_get_xact_tuples_returned(${literal(ident(table))}::regclass) + pg_stat_get_xact_tuples_fetched(${literal(ident(table))}::regclass)`;
  return `DO ${SWAP_TAG}
DECLARE
  before oid := (SELECT relfilenode FROM pg_class WHERE oid = ${literal(ident(table))}::regclass);
  read_before bigint := ${rowsRead};
  current_type oid := (SELECT atttypid FROM pg_attribute WHERE attrelid = ${literal(ident(table))}::regclass AND attname = ${literal(column)});
BEGIN
  IF ${rewrites('current_type', type)} THEN
  ${swapExpand(swap)}
    RETURN;
  END IF;
  EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE %s', ${literal(table)}, ${literal(column)}, ${literal(type)});
  IF (SELECT relfilenode FROM pg_class WHERE oid = ${literal(ident(table))}::regclass) <> before OR ${rowsRead} > read_before THEN
    RAISE EXCEPTION ${literal(`alterColumn ${table}.${column}: a change to ${type} rewrites or scans the table under ACCESS EXCLUSIVE (a narrower length, or a CHECK on the column); drop the CHECK first, or change the type in a plain migration`)};
  END IF;
END ${SWAP_TAG}`;
}

/** Going down through expand: the new column goes (column-swap.ts), or the type changes back to `fromType`. */
function changeTypeBack(op: AlterColumn, swap: ColumnSwap): string {
  const back = op.fromType
    ? `EXECUTE ${literal(`ALTER TABLE ${ident(op.table)} ALTER COLUMN ${ident(op.column)} TYPE ${op.fromType} USING (${op.down ?? ident(op.column)})`)};`
    : `RAISE EXCEPTION ${literal(`alterColumn ${op.table}.${op.column} cannot change back: the operation gives no fromType`)};`;
  return `DO $konstruct$ BEGIN
  IF ${hasColumn(op.table, shadowColumn(op.column))} THEN
    ${swapExpandDown(swap)}
  ELSE
    ${back}
  END IF;
END $konstruct$`;
}

/** Each statement run only where the column has no new column beside it: the type change took the catalog-only path. */
function unlessSwapped(table: string, column: string, slots: Partial<Record<Slot, Statements>>): Partial<Record<Slot, Statements>> {
  const only = (list: readonly string[]) =>
    list.map((statement) => `DO $konstruct$ BEGIN
  IF NOT ${hasColumn(table, shadowColumn(column))} THEN EXECUTE ${literal(statement)}; END IF;
END $konstruct$`);
  return Object.fromEntries(Object.entries(slots).map(([slot, s]) => [slot, { up: only(s.up), down: only(s.down) }]));
}

/**
 * Refused in expand where the column already is what `nullable` asks: its `down` would then change it the other
 * way, to a state it never had (found by review: `nullable: false` on a NOT NULL column came back nullable).
 */
function nullabilityChanges(table: string, column: string, nullable: boolean): string {
  const already = nullable ? 'nullable' : 'NOT NULL';
  return `DO $konstruct$ BEGIN
  IF (SELECT ${nullable ? 'NOT attnotnull' : 'attnotnull'} FROM pg_attribute WHERE attrelid = ${literal(ident(table))}::regclass AND attname = ${literal(column)}) THEN
    RAISE EXCEPTION ${literal(`alterColumn ${table}.${column} is already ${already}: leave nullable out (its down would make it ${nullable ? 'NOT NULL' : 'nullable'})`)};
  END IF;
END $konstruct$`;
}

export function alterColumn(op: AlterColumn): OperationParts[] {
  const t = `ALTER TABLE ${ident(op.table)}`;
  const col = ident(op.column);
  // With a type change, NOT NULL goes to whichever column ends with the name: the column itself where the change is
  // catalog-only, the new column where it rewrites (column-swap.ts carries it there); so here only without a new column.
  const notNullHere = op.nullable === false && !op.type;
  const parts: OperationParts[] = [
    { table: op.table, slots: validatedLater(op.table, op.column, { check: op.check, references: op.references, notNull: notNullHere }) },
  ];
  if (notNullHere || op.nullable === true) parts.unshift({ table: op.table, slots: { expand: { up: [nullabilityChanges(op.table, op.column, op.nullable!)], down: [] } } });
  if (op.nullable === false && op.type) {
    parts.push({ table: op.table, slots: unlessSwapped(op.table, op.column, validatedLater(op.table, op.column, { notNull: true })) });
  }
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
    const swap: ColumnSwap = { ...op, type: op.type, notNull: op.nullable === false, alsoConstraints: !!(op.check || op.unique || op.references || op.nullable === true) };
    parts.unshift(
      { table: op.table, slots: { expand: { up: [changeType(op.table, op.column, op.type, swap)], down: [changeTypeBack(op, swap)] } } },
      swapParts(swap),
    );
  }
  return parts;
}
