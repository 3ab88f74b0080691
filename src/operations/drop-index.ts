/**
 * dropIndex { name, table?, columns?, unique?, where?, method? }
 *
 * DROP INDEX CONCURRENTLY at contract, in a step of its own: the old version
 * keeps its index until then. Going down past contract the index is built
 * again CONCURRENTLY from the definition given with it (table, columns, ...);
 * without one, down past contract refuses.
 */
import { createIndexSql, dropIndexSql, type CreateIndex } from './create-index';
import { NO_LIST, type ListContext } from './list-context';
import type { OperationParts } from './parts';
import { ident, literal } from './sql-names';

export type DropIndex = { name: string } & Partial<Omit<CreateIndex, 'name'>>;

export function dropIndex(op: DropIndex, list: ListContext = NO_LIST): OperationParts {
  const definition = op.table && op.columns ? ({ ...op, table: op.table, columns: op.columns } as CreateIndex) : undefined;
  const refuse = `DO $konstruct$ BEGIN RAISE EXCEPTION ${literal(`dropIndex ${op.name} cannot be built again: the operation gives no table and columns`)}; END $konstruct$`;
  return {
    // An index the list does not make itself must be there, and be the one described: DROP INDEX IF EXISTS would
    // pass over a misspelt name, and down would build another index than the one dropped (found by review).
    ...(list.indexesCreatedHere.has(op.name) ? {} : { slots: { expand: { up: [indexAsDescribed(op)], down: [] } } }),
    outside: [
      {
        phase: 'contract',
        name: `drop index ${op.name}`,
        up: { sql: dropIndexSql(op.name, true), inTransaction: dropIndexSql(op.name, false) },
        down: definition
          ? { dropInvalidIndex: op.name, sql: createIndexSql(definition, true), inTransaction: createIndexSql(definition, false) }
          : { sql: refuse, inTransaction: refuse },
      },
    ],
  };
}

/** Refused in expand, nothing changed, where the index is missing, or is not as `op` describes it (table, columns, unique, method, partial). */
function indexAsDescribed(op: DropIndex): string {
  const name = literal(ident(op.name));
  const described = op.table && op.columns
    ? `ROW(${literal(op.table)}::text, ${op.unique === true}, ${literal(op.method ?? 'btree')}::text, ${op.where !== undefined}, ARRAY[${op.columns.map((c) => literal(c)).join(', ')}]::text[])`
    : undefined;
  return `DO $konstruct$
DECLARE ix record;
BEGIN
  SELECT c.relname::text AS on_table, i.indisunique AS is_unique, am.amname::text AS method, i.indpred IS NOT NULL AS partial,
         ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
    INTO ix
    FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid JOIN pg_am am ON am.oid = x.relam
   WHERE i.indexrelid = pg_catalog.to_regclass(${name});
  IF NOT FOUND THEN
    RAISE EXCEPTION ${literal(`dropIndex ${op.name}: there is no such index`)};
  END IF;${described ? `
  IF ROW(ix.on_table, ix.is_unique, ix.method, ix.partial, ix.columns) IS DISTINCT FROM ${described} THEN
    RAISE EXCEPTION 'dropIndex %: the index is % on % (%) using %, not as the operation describes it: down would build another; describe it as it is',
      ${literal(op.name)}, CASE WHEN ix.is_unique THEN 'unique' ELSE 'not unique' END, ix.on_table, array_to_string(ix.columns, ', '),
      ix.method || CASE WHEN ix.partial THEN ', partial (where)' ELSE '' END;
  END IF;` : ''}
END $konstruct$`;
}
