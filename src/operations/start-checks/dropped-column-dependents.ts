/** What is on a column dropColumn drops that `down` would not bring back. */
import type { Knex } from 'knex';
import { ident } from '../sql-names';
import { operationsOf } from './operations-of';
import type { StartCheck } from './start-check';

export const droppedColumnDependents: StartCheck = (operations) => {
  const dropped = operationsOf(operations, 'dropColumn');
  const indexesDroppedHere = new Set(operationsOf(operations, 'dropIndex').map((op) => op.name));
  return (knex) => whatDownWouldNotRebuild(knex, dropped, indexesDroppedHere);
};

/**
 * dropColumn going down past contract adds the column back, refilled, with its NOT NULL and default: not the indexes
 * and constraints that were on it (found by review: an index on it was gone after up and down). Refused unless the
 * list drops each such index itself with its definition (dropIndex), which `down` builds again.
 */
async function whatDownWouldNotRebuild(knex: Knex, dropped: ReadonlyArray<{ table: string; column: string }>, indexesDroppedHere: ReadonlySet<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const { table, column } of dropped) {
    // What depends on the column: an index on it (also through an expression or a WHERE), a constraint.
    const { rows } = await knex.raw(
      `SELECT DISTINCT i.relname AS name, k.conname AS constraint
         FROM pg_catalog.pg_depend d
         JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         LEFT JOIN pg_catalog.pg_class i ON d.classid = 'pg_catalog.pg_class'::regclass AND i.oid = d.objid AND i.relkind = 'i'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = i.oid)
         LEFT JOIN pg_catalog.pg_constraint k ON d.classid = 'pg_catalog.pg_constraint'::regclass AND k.oid = d.objid AND k.contype <> 'n'
        WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = pg_catalog.to_regclass(?) AND a.attname = ?
          AND d.deptype IN ('a', 'n') AND (i.oid IS NOT NULL OR k.oid IS NOT NULL)
        ORDER BY 2 NULLS FIRST, 1`,
      [ident(table), column],
    );
    const lost = (rows as Array<{ name: string | null; constraint: string | null }>)
      .filter((r) => r.constraint !== null || !indexesDroppedHere.has(r.name!))
      .map((r) => (r.constraint !== null ? `constraint ${r.constraint}` : `index ${r.name}`));
    if (lost.length > 0) {
      problems.push(`dropColumn ${table}.${column}: ${lost.join(', ')} ${lost.length === 1 ? 'is' : 'are'} on it, which down past contract would not bring back: drop ${lost.length === 1 ? 'it' : 'them'} first (dropIndex with its definition, in this list; a constraint in a migration before)`);
    }
  }
  return problems;
}

