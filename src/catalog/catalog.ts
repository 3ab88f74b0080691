/**
 * A schema's catalog as typed objects: what `dumpCatalog` renders, what the
 * snapshot files in schema/ hold, and what `verify` compares. Every list is kept
 * in one canonical order (see sortCatalog), so two catalogs of the same schema
 * are deeply equal whether they were read from a server or parsed from text.
 */

export interface Catalog {
  schema: string;
  tables: CatalogTable[];
  constraints: CatalogConstraint[];
  indexes: CatalogIndex[];
  grants: CatalogGrant[];
  functions: CatalogFunction[];
  triggers: CatalogTrigger[];
  /** Everything else `pg_dump -s` prints for the schema (see catalog-objects.ts). */
  objects: CatalogObject[];
}

export function emptyCatalog(schema: string): Catalog {
  return { schema, tables: [], constraints: [], indexes: [], grants: [], functions: [], triggers: [], objects: [] };
}

export interface CatalogTable {
  name: string;
  /** Null where ownership was left out (snapshots: the owner is whoever logs in). */
  owner: string | null;
  /** In the table's column order. */
  columns: CatalogColumn[];
  /** CREATE UNLOGGED TABLE: not written to WAL, so not on replicas, and emptied by a crash. */
  unlogged?: true;
  /** Storage parameters, as pg_dump prints them inside WITH (...): `fillfactor='50', toast.autovacuum_enabled='false'`. */
  options?: string;
  /** Other than the default (the primary key): `FULL`, `NOTHING` or `USING INDEX name`; what logical decoding sends of an old row. */
  replicaIdentity?: string;
  /** The index CLUSTER uses for this table by default (ALTER TABLE ... CLUSTER ON). */
  clusterOn?: string;
  /** A partitioned table's key, as pg_get_partkeydef() spells it: `RANGE (happened)`. */
  partitionBy?: string;
  /** A partition: its parent, and its bound as pg_dump attaches it (`FOR VALUES FROM (...) TO (...)`, `DEFAULT`). */
  partitionOf?: { parent: string; bound: string };
  /** INHERITS: the tables it inherits from, in order (not a partition's parent). */
  inherits?: string[];
}

export interface CatalogColumn {
  name: string;
  /** As format_type() spells it: `character varying(255)`, `timestamp with time zone`. */
  type: string;
  notNull: boolean;
  default: string | null;
  /** A collation other than its type's, as pg_dump spells it (`pg_catalog."C"`); absent for the type's own. */
  collation?: string;
  comment: string | null;
  /** ALTER COLUMN ... SET STATISTICS: a statistics target of its own; absent for the server's default. */
  statistics?: number;
  /** SET STORAGE other than its type's: `PLAIN`, `MAIN`, `EXTERNAL` or `EXTENDED`. */
  storage?: string;
  /** SET COMPRESSION: `pglz` or `lz4`; absent for the server's default_toast_compression. */
  compression?: string;
  /** SET (...): attribute options such as `n_distinct=-0.5`, as pg_dump prints them. */
  options?: string;
  /** Only inherited from a parent (INHERITS), not declared by the table itself: pg_dump leaves it out of its CREATE TABLE. */
  inherited?: true;
  /** GENERATED ALWAYS AS (default) STORED: `default` holds the expression every row's value is computed from. */
  generated?: true;
  /** An identity column, as pg_dump adds it: `ALWAYS AS IDENTITY (\n    SEQUENCE NAME public.t_id_seq\n    START WITH 1 ...\n)`. */
  identity?: string;
}

export type ConstraintKind = 'check' | 'primary key' | 'unique' | 'foreign key' | 'exclusion';

export interface CatalogConstraint {
  table: string;
  name: string;
  kind: ConstraintKind;
  /** As pg_get_constraintdef() spells it, e.g. `FOREIGN KEY (user_id) REFERENCES public.portal_users(id) ON DELETE CASCADE`. */
  definition: string;
}

/** An index that does not back a constraint (those are the constraint). */
export interface CatalogIndex {
  table: string;
  name: string;
  /** The full `CREATE INDEX ...` statement, as pg_get_indexdef() spells it. */
  definition: string;
}

/**
 * Privileges granted on a table, or on one of its columns, to one role other than its owner: one GRANT statement as
 * pg_dump prints it, so the privileges granted with and without the right to pass them on are two grants.
 */
export interface CatalogGrant {
  table: string;
  /** For privileges on one column (`GRANT SELECT(name) ON TABLE ...`); absent for the table's. */
  column?: string;
  /** A role name, or PUBLIC. */
  grantee: string;
  /** In TABLE_PRIVILEGES order. */
  privileges: string[];
  /** WITH GRANT OPTION: the grantee may grant these privileges to others. */
  withGrantOption?: true;
}

/**
 * A function or procedure of the schema (not one an extension installed), e.g. a
 * trigger's. Compared by its whole definition: arguments, result, language, body.
 */
export interface CatalogFunction {
  /** The signature: name and arguments as in the definition's first line, without the schema (`touch_row()`). */
  name: string;
  /** The `CREATE OR REPLACE FUNCTION ...` statement pg_get_functiondef() prints, body in dollar quotes. */
  definition: string;
}

/** A trigger on one of the schema's tables (not the internal ones behind foreign keys). */
export interface CatalogTrigger {
  table: string;
  name: string;
  /** The `CREATE TRIGGER ...` statement pg_get_triggerdef() prints. */
  definition: string;
}

/**
 * An object compared by the one statement pg_dump prints for it: an extension, a
 * type, a domain, a sequence and what owns it, a view, a materialized view, a
 * comment on any of these or on a table, a table's row level security, a policy.
 */
export interface CatalogObject {
  kind: ObjectKind;
  /** The table it belongs to (a policy, row level security, a sequence's OWNED BY, a table's comment); '' for none. */
  table: string;
  /** Its name; for a comment, what it is on (`table notes`); for row level security, `enabled` or `forced`. */
  name: string;
  /** The statement as pg_dump prints it, without the final semicolon. */
  definition: string;
  /** For the kinds that have one (types, domains, sequences, views); null where left out, as in snapshots. */
  owner: string | null;
}

export type ObjectKind =
  | 'extension' | 'type' | 'domain' | 'sequence' | 'view' | 'materialized view'
  | 'sequence owned by' | 'comment' | 'row level security' | 'policy' | 'index attachment' | 'statistics' | 'trigger state'
  | 'rule' | 'function privilege';

/** The function's signature, read from its definition's first line, so the server and a snapshot agree on it. */
export function functionSignature(definition: string): string {
  const header = /^CREATE (?:OR REPLACE )?(?:FUNCTION|PROCEDURE) (.*)$/m.exec(definition)?.[1] ?? definition.split('\n')[0]!;
  return header.replace(/^(?:"(?:[^"]|"")*"|[^".(]+)\./, '');
}

/** Table privileges in the order pg_dump lists them; all of them print as ALL. */
export const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'DELETE', 'UPDATE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];

/** The privileges a column can have; all of them print as ALL(column). */
export const COLUMN_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'];

/** What tells two grants apart: table, column, grantee, and whether they may be passed on. */
export function grantKey(grant: CatalogGrant): string {
  return JSON.stringify([grant.table, grant.column ?? null, grant.grantee, grant.withGrantOption === true]);
}

export const PUBLIC_GRANTEE = 'PUBLIC';

export function constraintKindOf(definition: string): ConstraintKind | undefined {
  if (definition.startsWith('CHECK ')) return 'check';
  if (definition.startsWith('PRIMARY KEY ')) return 'primary key';
  if (definition.startsWith('UNIQUE ')) return 'unique';
  if (definition.startsWith('FOREIGN KEY ')) return 'foreign key';
  if (definition.startsWith('EXCLUDE ')) return 'exclusion';
  return undefined;
}

export function sortPrivileges(privileges: Iterable<string>): string[] {
  const rank = (p: string) => (TABLE_PRIVILEGES.includes(p) ? TABLE_PRIVILEGES.indexOf(p) : TABLE_PRIVILEGES.length);
  return [...new Set(privileges)].sort((a, b) => rank(a) - rank(b) || compareText(a, b));
}

/** Byte order, as PostgreSQL's "C" collation sorts: independent of the locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical order of every list; columns keep their table order. */
export function sortCatalog(catalog: Catalog): Catalog {
  const byTableThenName = (a: { table: string; name: string }, b: { table: string; name: string }) =>
    compareText(a.table, b.table) || compareText(a.name, b.name);
  return {
    schema: catalog.schema,
    tables: [...catalog.tables].sort((a, b) => compareText(a.name, b.name)),
    constraints: [...catalog.constraints].sort(byTableThenName),
    indexes: [...catalog.indexes].sort(byTableThenName),
    grants: [...catalog.grants].sort((a, b) =>
      compareText(a.table, b.table) || compareText(a.column ?? '', b.column ?? '') || compareText(a.grantee, b.grantee)
      || Number(a.withGrantOption === true) - Number(b.withGrantOption === true)),
    functions: [...catalog.functions].sort((a, b) => compareText(a.name, b.name)),
    triggers: [...catalog.triggers].sort(byTableThenName),
    objects: [...catalog.objects].sort((a, b) => compareText(a.kind, b.kind) || byTableThenName(a, b)),
  };
}
