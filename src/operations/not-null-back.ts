/**
 * Giving a column NOT NULL back going down, without a scan under a blocking
 * lock: a CHECK (col IS NOT NULL) NOT VALID where the column comes back (the
 * contract's down), VALIDATE in the validate step's down, SET NOT NULL in the
 * restore-not-null step's down. Where the contract never ran, the column never
 * lost NOT NULL: the later two find no CHECK and do nothing.
 */
import { checkSql, ifConstraintExists, notNullCheckName } from './column';
import type { Slot, Statements } from './parts';
import { ident } from './sql-names';

export function notNullBack(table: string, column: string): { check: string; slots: Partial<Record<Slot, Statements>> } {
  const t = `ALTER TABLE ${ident(table)}`;
  const nn = notNullCheckName(table, column);
  return {
    check: `${t} ADD ${checkSql({ name: nn, constraint: `${ident(column)} IS NOT NULL` }, true)}`,
    slots: {
      validate: { up: [], down: [ifConstraintExists(table, nn, [`${t} VALIDATE CONSTRAINT ${ident(nn)}`])] },
      restoreNotNull: { up: [], down: [ifConstraintExists(table, nn, [`${t} ALTER COLUMN ${ident(column)} SET NOT NULL`, `${t} DROP CONSTRAINT ${ident(nn)}`])] },
    },
  };
}
