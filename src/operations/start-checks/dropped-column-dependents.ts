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
 * list drops each such index itself with its definition (dropIndex), which `down` builds again. A view on the column
 * would make its contract fail (DROP COLUMN refuses), half applied: refused too (found by review).
 */
async function whatDownWouldNotRebuild(knex: Knex, dropped: ReadonlyArray<{ table: string; column: string }>, indexesDroppedHere: ReadonlySet<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const { table, column } of dropped) {
    // What depends on the column: an index on it (also through an expression or a WHERE), a constraint, a view.
    const { rows } = await knex.raw(
      `SELECT DISTINCT CASE WHEN i.oid IS NOT NULL THEN 'index' WHEN k.oid IS NOT NULL THEN 'constraint'
                            WHEN v.relkind = 'm' THEN 'materialized view' ELSE 'view' END AS kind,
                       COALESCE(i.relname, k.conname, v.relname) AS name
         FROM pg_catalog.pg_depend d
         JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         LEFT JOIN pg_catalog.pg_class i ON d.classid = 'pg_catalog.pg_class'::regclass AND i.oid = d.objid AND i.relkind = 'i'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = i.oid)
         LEFT JOIN pg_catalog.pg_constraint k ON d.classid = 'pg_catalog.pg_constraint'::regclass AND k.oid = d.objid AND k.contype <> 'n'
         LEFT JOIN pg_catalog.pg_rewrite r ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND r.oid = d.objid
         LEFT JOIN pg_catalog.pg_class v ON v.oid = r.ev_class AND v.oid <> d.refobjid
        WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = pg_catalog.to_regclass(?) AND a.attname = ?
          AND d.deptype IN ('a', 'n') AND (i.oid IS NOT NULL OR k.oid IS NOT NULL OR v.oid IS NOT NULL)
        ORDER BY 1 DESC, 2`,
      [ident(table), column],
    );
    const found = rows as Array<{ kind: string; name: string }>;
    const views = found.filter((r) => r.kind.endsWith('view')).map((r) => `${r.kind} ${r.name}`);
    const lost = found.filter((r) => r.kind === 'constraint' || (r.kind === 'index' && !indexesDroppedHere.has(r.name))).map((r) => `${r.kind} ${r.name}`);
    if (views.length > 0) {
      problems.push(`dropColumn ${table}.${column}: ${views.join(', ')} ${views.length === 1 ? 'depends' : 'depend'} on it, and contract's DROP COLUMN would fail: drop or change ${views.length === 1 ? 'it' : 'them'} in a migration before`);
    }
    if (lost.length > 0) {
      problems.push(`dropColumn ${table}.${column}: ${lost.join(', ')} ${lost.length === 1 ? 'is' : 'are'} on it, which down past contract would not bring back: drop ${lost.length === 1 ? 'it' : 'them'} first (dropIndex with its definition, in this list; a constraint in a migration before)`);
    }
  }
  return problems;
}
