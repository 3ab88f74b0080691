/**
 * The catalog facts `check` compares before and after each statement, for the
 * tables that existed before the pending migrations: one query, so that taking
 * it after every statement stays cheap.
 */

export interface ColumnState {
  num: number;
  name: string;
  notnull: boolean;
  type: string;
  /** The expression of its default, or of a stored generated column (pg_attrdef holds both). */
  default: string | null;
  /** GENERATED ALWAYS AS (...) STORED: every row's value is computed when the column is added. */
  generated?: boolean;
}

export interface TableState {
  oid: number;
  name: string;
  /** pg_class.relkind: 'r' a table, 'p' a partitioned one, 'm' a materialized view. */
  kind: 'r' | 'p' | 'm';
  /** Its schema: SET SCHEMA moves it away from the application's search_path. */
  schema: string;
  filenode: number;
  columns: ColumnState[];
  constraints: Array<{ name: string; type: string; validated: boolean }>;
  indexes: string[];
  /**
   * Each index as `oid:filenode:name`: a REINDEX builds it anew (same index, new file); an index renamed to a name
   * another had (a column swap's, at contract) is not a new build. A partitioned table's index has no file: 0.
   */
  indexFiles: string[];
  /** Table lock modes this session holds on it now. */
  locks: string[];
  /** Lock modes this session holds on its indexes now: ACCESS EXCLUSIVE on one stops every query that plans on the table. */
  indexLocks?: string[];
}

/** The state of `oids` (those still there), as seen by this session. */
export function tableStateQuery(oids: number[]): string {
  const list = `'{${oids.join(',')}}'::oid[]`;
  return `
    SELECT c.oid::int AS oid, c.relname AS name, c.relkind AS kind, c.relnamespace::regnamespace::text AS schema, c.relfilenode::int AS filenode,
      COALESCE((SELECT json_agg(json_build_object('num', a.attnum, 'name', a.attname, 'notnull', a.attnotnull,
                  'type', format_type(a.atttypid, a.atttypmod), 'default', pg_get_expr(d.adbin, d.adrelid), 'generated', a.attgenerated = 's') ORDER BY a.attnum)
                  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS columns,
      COALESCE((SELECT json_agg(json_build_object('name', k.conname, 'type', k.contype, 'validated', k.convalidated))
                  FROM pg_constraint k WHERE k.conrelid = c.oid), '[]') AS constraints,
      COALESCE((SELECT json_agg(i.indexrelid::regclass::text) FROM pg_index i WHERE i.indrelid = c.oid), '[]') AS indexes,
      COALESCE((SELECT json_agg(i.indexrelid::int || ':' || COALESCE(pg_relation_filenode(i.indexrelid), 0) || ':' || i.indexrelid::regclass::text)
                  FROM pg_index i WHERE i.indrelid = c.oid), '[]') AS "indexFiles",
      COALESCE((SELECT json_agg(l.mode) FROM pg_locks l
                 WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation = c.oid), '[]') AS locks,
      COALESCE((SELECT json_agg(l.mode) FROM pg_locks l JOIN pg_index i ON i.indexrelid = l.relation
                 WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND i.indrelid = c.oid), '[]') AS "indexLocks"
    FROM pg_class c WHERE c.oid = ANY(${list})`;
}

/**
 * The tables and materialized views of `schema`: what "existed before the migration" means. A materialized view's
 * readers are the application's too: REFRESH without CONCURRENTLY writes it anew under ACCESS EXCLUSIVE (found by
 * review: it passed unseen).
 */
export const EXISTING_TABLES = `
  SELECT c.oid::int AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'm')`;
