/**
 * Constraints on a live table without a scan under a blocking lock: added NOT
 * VALID at expand (catalog-only; every write from then on is checked), then
 * VALIDATE at contract (SHARE UPDATE EXCLUSIVE: reads and writes go on). NOT
 * NULL the same way: a CHECK (col IS NOT NULL) validated, then SET NOT NULL,
 * which the validated CHECK proves without a scan, and the CHECK dropped.
 */
import { checkSql, foreignKeySql, notNullCheckName, type CheckConstraint, type ForeignKey } from './column';
import type { Slot, Statements } from './parts';
import { ident } from './sql-names';

export interface LaterConstraints {
  check?: CheckConstraint;
  references?: ForeignKey;
  notNull?: boolean;
}

export function validatedLater(table: string, column: string, c: LaterConstraints): Partial<Record<Slot, Statements>> {
  const t = `ALTER TABLE ${ident(table)}`;
  const col = ident(column);
  const nn = notNullCheckName(table, column);
  const nnCheck = checkSql({ name: nn, constraint: `${col} IS NOT NULL` }, true);
  const constraints = [
    ...(c.notNull ? [{ name: nn, sql: nnCheck }] : []),
    ...(c.check ? [{ name: c.check.name, sql: checkSql(c.check, true) }] : []),
    ...(c.references ? [{ name: c.references.name, sql: foreignKeySql(column, c.references, true) }] : []),
  ];
  if (constraints.length === 0) return {};
  return {
    expand: { up: constraints.map((k) => `${t} ADD ${k.sql}`), down: constraints.map((k) => `${t} DROP CONSTRAINT ${ident(k.name)}`).reverse() },
    validate: { up: constraints.map((k) => `${t} VALIDATE CONSTRAINT ${ident(k.name)}`), down: [] },
    ...(c.notNull
      ? { setNotNull: { up: [`${t} ALTER COLUMN ${col} SET NOT NULL`, `${t} DROP CONSTRAINT ${ident(nn)}`], down: [`${t} ALTER COLUMN ${col} DROP NOT NULL`, `${t} ADD ${nnCheck}`] } }
      : {}),
  };
}
