/**
 * addColumn { table, column: { name, type, nullable?, default?, check?, references? }, up? }
 *
 * Without `up`: one catalog-only ADD COLUMN (a volatile default such as now()
 * rewrites the table: give it as `up` instead). With `up` (SQL over the row's
 * other columns): the column comes nullable and without its default, so NULL
 * marks a row not filled yet; the old version's writes and the backfill fill it;
 * NOT NULL comes through a validated CHECK, and the default at contract.
 * CHECK and FOREIGN KEY come NOT VALID at expand (enforced on every write from
 * then on) and are validated at contract.
 */
import { checkSql, columnSql, commentSql, foreignKeySql, notNull, notNullCheckName, type ColumnDefinition } from './column';
import type { OperationParts, Statements } from './parts';
import { ident } from './sql-names';

export interface AddColumn {
  table: string;
  column: ColumnDefinition;
  up?: string;
}

export function addColumn(op: AddColumn): OperationParts {
  const { table, column: c, up } = op;
  const t = `ALTER TABLE ${ident(op.table)}`;
  const col = ident(c.name);
  const nn = notNullCheckName(table, c.name);
  // With `up`, NOT NULL is proven by a CHECK, NOT VALID at expand (every write is filled before it is checked).
  const constraints = [
    ...(up && notNull(c) ? [{ name: nn, sql: checkSql({ name: nn, constraint: `${col} IS NOT NULL` }, true) }] : []),
    ...(c.check ? [{ name: c.check.name, sql: checkSql(c.check, true) }] : []),
    ...(c.references ? [{ name: c.references.name, sql: foreignKeySql(c.name, c.references, true) }] : []),
  ];
  const expand: Statements = {
    up: [
      `${t} ADD COLUMN ${columnSql(c, { withDefault: !up, withNotNull: !up })}`,
      ...(c.comment === undefined ? [] : [commentSql(table, c.name, c.comment)]),
      ...constraints.map((k) => `${t} ADD ${k.sql}`),
    ],
    down: [...constraints.map((k) => `${t} DROP CONSTRAINT ${ident(k.name)}`).reverse(), `${t} DROP COLUMN ${col}`],
  };
  const validate: Statements = { up: constraints.map((k) => `${t} VALIDATE CONSTRAINT ${ident(k.name)}`), down: [] };
  if (!up) return { table, slots: { expand, validate } };

  return {
    table,
    slots: {
      expand,
      validate,
      setNotNull: notNull(c) ? { up: [`${t} ALTER COLUMN ${col} SET NOT NULL`, `${t} DROP CONSTRAINT ${ident(nn)}`], down: [`${t} ALTER COLUMN ${col} DROP NOT NULL`, `${t} ADD ${checkSql({ name: nn, constraint: `${col} IS NOT NULL` }, true)}`] } : undefined,
      contract: c.default === undefined ? undefined : { up: [`${t} ALTER COLUMN ${col} SET DEFAULT ${c.default}`], down: [`${t} ALTER COLUMN ${col} DROP DEFAULT`] },
    },
    rules: [{ column: c.name, expression: up }],
    fillUp: [{ column: c.name, expression: up }],
  };
}
