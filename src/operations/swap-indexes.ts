/**
 * The indexes a column swap (column-swap.ts) carries over to its new column:
 * plain ones on the column alone (one key column, no expression, no WHERE, the
 * default operator class and order; unique or not, any method; not a
 * constraint's; a name of at most 49 characters, so the new one's fits). Others
 * are refused in expand, by name.
 *
 *   after the backfill  each built on the new column as konstruct_new_<name>,
 *                       CONCURRENTLY (an INVALID one a killed build left is
 *                       dropped first);
 *   contract            the old column's drop takes the old index along; the new
 *                       one is renamed <name>: the name and definition a plain
 *                       ALTER TYPE keeps.
 *   down                the old index on the old column again (CONCURRENTLY, after
 *                       the refill), then the new one dropped.
 * The steps' statements are queries over the catalog that return the statements
 * to run (ConcurrentSql.generate), since which indexes there are is known only then.
 */
import type { ConcurrentSql } from './parts';
import { ident, literal } from './sql-names';

/** Prefix of the new column's indexes; with the 63-byte limit, the old name may have 49. */
const PREFIX = 'konstruct_new_';

const regclass = (table: string) => `${literal(ident(table))}::regclass`;
const attnum = (table: string, column: string) =>
  `(SELECT attnum FROM pg_attribute WHERE attrelid = ${regclass(table)} AND attname = ${literal(column)} AND NOT attisdropped)`;

/** The indexes carried over, on `column` (names of at most `longest`): oid, name, unique, method, valid. */
export function plainIndexes(table: string, column: string, longest = 63 - PREFIX.length): string {
  return `SELECT c.oid, c.relname::text AS name, i.indisunique AS is_unique, am.amname::text AS method, i.indisvalid AS valid
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
 WHERE i.indrelid = ${regclass(table)} AND i.indnatts = 1 AND i.indkey[0] = ${attnum(table, column)}
   AND i.indexprs IS NULL AND i.indpred IS NULL AND i.indoption[0] = 0 AND length(c.relname) <= ${longest}
   AND i.indclass[0] IN (SELECT oid FROM pg_opclass WHERE opcdefault)
   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`;
}

const invalid = (name: string) =>
  `EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${name} AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = i.indrelid) AND NOT i.indisvalid)`;

/** Statements, one a row, rebuilding each of `from`'s indexes on `to` (named by `rename`), then dropping `from`'s where `dropOld`. */
function rebuild(table: string, from: string, to: string, rename: string, concurrently: boolean, only: string, dropOld: boolean): string {
  const c = concurrently ? 'CONCURRENTLY ' : '';
  return `SELECT s.statement FROM (${plainIndexes(table, from, 63)}) AS x,
  LATERAL (VALUES
    (1, CASE WHEN ${invalid(rename)} THEN format('DROP INDEX ${c}%I', ${rename}) END),
    (2, format('CREATE %sINDEX ${c}IF NOT EXISTS %I ON %I USING %s (%I)', CASE WHEN x.is_unique THEN 'UNIQUE ' ELSE '' END, ${rename}, ${literal(table)}, x.method, ${literal(to)})),
    (3, ${dropOld ? `format('DROP INDEX ${c}IF EXISTS %I', x.name)` : 'NULL'})) AS s(n, statement)
 WHERE s.statement IS NOT NULL AND ${only}
 ORDER BY x.name, s.n`;
}

/** After the backfill: the column's indexes built on the new column; going down, the old ones back and the new ones gone. */
export function swapIndexes(table: string, column: string, shadow: string, onlyIf: string): { up: ConcurrentSql; down: ConcurrentSql } {
  const newName = `left(${literal(PREFIX)} || x.name, 63)`;
  const ours = `x.name LIKE ${literal(`${PREFIX.replace(/_/g, '\\_')}%`)}`;
  const oldName = `substr(x.name, ${PREFIX.length + 1})`;
  const up = (concurrently: boolean) => rebuild(table, column, shadow, newName, concurrently, onlyIf, false);
  const down = (concurrently: boolean) => rebuild(table, shadow, column, oldName, concurrently, `${onlyIf} AND ${ours}`, true);
  return {
    up: { generate: true, sql: up(true), inTransaction: up(false) },
    down: { generate: true, sql: down(true), inTransaction: down(false) },
  };
}

/** plpgsql (a `r record` declared): at contract, after the old column's drop, the new column's indexes take their old names ('ours'); going down, the other way ('theirs'). */
export function renameIndexes(table: string, column: string, from: 'ours' | 'theirs'): string {
  const source = `(${plainIndexes(table, column, from === 'ours' ? 63 : undefined)}) AS x`;
  return from === 'ours'
    ? `FOR r IN SELECT x.name FROM ${source} WHERE x.name LIKE ${literal(`${PREFIX.replace(/_/g, '\\_')}%`)} LOOP
      EXECUTE format('ALTER INDEX %I RENAME TO %I', r.name, substr(r.name, ${PREFIX.length + 1}));
    END LOOP;`
    : `FOR r IN SELECT x.name FROM ${source} LOOP
      EXECUTE format('ALTER INDEX %I RENAME TO %I', r.name, left(${literal(PREFIX)} || r.name, 63));
    END LOOP;`;
}
