/** alterColumn's NOT NULL or CHECK, on rows already there that do not meet it. */
import type { Knex } from 'knex';
import type { Operation } from '../index';
import { ident } from '../sql-names';
import { operationsOf } from './operations-of';
import type { StartCheck } from './start-check';

export const rowsAgainstConstraints: StartCheck = (operations) => {
  const constraints = constraintsOnExistingRows(operations);
  return (knex) => rowsAgainst(knex, constraints);
};

interface RowConstraint { table: string; what: string; violatedBy: string; asNamed?: string }

/** The NOT VALID constraints alterColumn adds at expand that the rows already there must meet. */
function constraintsOnExistingRows(operations: readonly Operation[]): RowConstraint[] {
  // A column the list renames is asked under its name now (found by review: under the new one the read failed and the
  // check was skipped); a CHECK names it by the new name too, so it is asked of the column as `to` while renamed.
  const renamed = new Map(operationsOf(operations, 'renameColumn').map((r) => [`${r.table}\u0000${r.to}`, r.from]));
  return operationsOf(operations, 'alterColumn').flatMap(({ table, column: named, nullable, check, type, up }) => {
    const column = renamed.get(`${table}\u0000${named}`) ?? named;
    const asNamed = column === named ? '' : `, ${ident(column)} AS ${ident(named)}`;
    // Through a new column the NOT NULL holds its values, filled from `up` (a cast by default): found by review, a
    // list whose `up` fills the NULLs was refused.
    const value = type === undefined ? ident(column) : `(${up ?? `${ident(column)}::${type}`})`;
    return [
      ...(nullable === false ? [{ table, what: `alterColumn ${table}.${named} nullable: false`, violatedBy: `${value} IS NULL`, asNamed }] : []),
      // Through a new column (a type change) the CHECK holds the new values, which the rows do not have yet.
      ...(check && type === undefined
        ? [{ table, what: `alterColumn ${table}.${named} check ${check.name}`, violatedBy: `NOT (${check.constraint})`, asNamed }] : []),
    ];
  });
}

/**
 * A row that does not meet such a constraint breaks the application from expand on: the constraint holds every new
 * row version, so each UPDATE of that row fails, whatever it changes, and validation can never pass (found by
 * review). One read of the table each (ACCESS SHARE: the application goes on); one not there yet is not asked.
 */
async function rowsAgainst(knex: Knex, constraints: readonly RowConstraint[]): Promise<string[]> {
  const problems: string[] = [];
  for (const c of constraints) {
    let violated = false;
    try {
      const rowsAsNamed = c.asNamed ? `(SELECT *${c.asNamed} FROM ${ident(c.table)}) AS ${ident(c.table)}` : ident(c.table);
      const { rows } = await knex.raw(`SELECT EXISTS (SELECT 1 FROM ${rowsAsNamed} WHERE ${c.violatedBy}) AS violated`);
      violated = rows[0].violated === true;
    } catch {
      continue; // the table or column comes with an earlier migration or operation: nothing to meet yet
    }
    if (violated) {
      problems.push(`${c.what}: rows are there that do not meet it; from expand on every UPDATE of such a row would fail, and validation never pass: fix those rows first, in a migration before this one`);
    }
  }
  return problems;
}

