/**
 * dropColumn { table, column, down?, type?, nullable?, default? }
 *
 * The column stays until contract, so the old version is served until then.
 * `down` (SQL over the row's new shape) fills it for the new version's writes
 * meanwhile (a NOT NULL column without a default needs it: the new version
 * leaves it out), and refills it going down after contract. Going down past
 * contract the column is added back nullable (catalog-only) as `type` — which
 * the migration must state, since a dropped column's type is gone — refilled in
 * batches, and given NOT NULL (`nullable: false`) through a CHECK validated in a
 * step of its own; its `default` comes back with it (the refill still finds the
 * rows that existed before as NULL: the default applies to rows inserted later).
 * It comes back as the table's last column.
 */
import { notNull } from './column';
import { notNullBack } from './not-null-back';
import type { OperationParts } from './parts';
import { ident, literal } from './sql-names';

export interface DropColumn {
  table: string;
  column: string;
  down?: string;
  /** The column's SQL type, for `down` past contract. */
  type?: string;
  nullable?: boolean;
  default?: string;
}

export function dropColumn(op: DropColumn): OperationParts {
  const t = `ALTER TABLE ${ident(op.table)}`;
  const col = ident(op.column);
  const addBack = op.type
    ? `${t} ADD COLUMN ${col} ${op.type}`
    : `DO $konstruct$ BEGIN RAISE EXCEPTION ${literal(`dropColumn ${op.table}.${op.column} cannot come back: the operation gives no type`)}; END $konstruct$`;
  const back = notNull(op) ? notNullBack(op.table, op.column) : undefined;
  const defaultBack = op.default === undefined ? [] : [`${t} ALTER COLUMN ${col} SET DEFAULT ${op.default}`];
  return {
    table: op.table,
    slots: {
      ...back?.slots,
      contract: { up: [`${t} DROP COLUMN ${col}`], down: [addBack, ...(back ? [back.check] : []), ...defaultBack] },
    },
    rules: op.down ? [{ column: op.column, expression: op.down }] : [],
    fillDown: op.down ? [{ column: op.column, expression: op.down }] : [],
  };
}
