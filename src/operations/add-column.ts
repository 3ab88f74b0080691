/**
 * addColumn { table, column: { name, type, nullable?, default?, check?, references?, comment? }, up? }
 *
 * Without `up`: one catalog-only ADD COLUMN (a volatile default such as now()
 * rewrites the table: give it as `up` instead). With `up` (SQL over the row's
 * other columns): the column comes nullable and without its default, so NULL
 * marks a row not filled yet; the old version's writes and the backfill fill it;
 * NOT NULL comes through a validated CHECK, and the default at contract.
 * CHECK and FOREIGN KEY come NOT VALID at expand (enforced on every write from
 * then on) and are validated at contract (validated-later.ts).
 */
import { columnSql, commentSql, notNull, type ColumnDefinition } from './column';
import type { OperationParts } from './parts';
import { ident } from './sql-names';
import { validatedLater } from './validated-later';

export interface AddColumn {
  table: string;
  column: ColumnDefinition;
  up?: string;
}

export function addColumn(op: AddColumn): OperationParts[] {
  const { table, column: c, up } = op;
  const t = `ALTER TABLE ${ident(table)}`;
  const col = ident(c.name);
  const add: OperationParts = {
    table,
    slots: {
      expand: {
        up: [`${t} ADD COLUMN ${columnSql(c, { withDefault: !up, withNotNull: !up })}`, ...(c.comment === undefined ? [] : [commentSql(table, c.name, c.comment)])],
        down: [`${t} DROP COLUMN ${col}`],
      },
      contract: up && c.default !== undefined ? { up: [`${t} ALTER COLUMN ${col} SET DEFAULT ${c.default}`], down: [`${t} ALTER COLUMN ${col} DROP DEFAULT`] } : undefined,
    },
    ...(up ? { rules: [{ column: c.name, expression: up }], fillUp: [{ column: c.name, expression: up }] } : {}),
  };
  // With `up`, NOT NULL is proven by a CHECK, NOT VALID at expand (every write is filled before it is checked).
  return [add, { table, slots: validatedLater(table, c.name, { ...c, notNull: !!up && notNull(c) }) }];
}
