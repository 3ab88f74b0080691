/**
 * Reads the schema of a database from pg_catalog and renders it the way
 * `pg_dump --schema-only` does (for the objects this project owns: tables,
 * columns, defaults, comments, constraints, indexes and grants). It needs no
 * pg_dump binary and no particular server version, so tests and `verify` can
 * compare a live database line by line with shared/seed/target-catalog-after-006.sql.
 * knex's bookkeeping tables (knex_*) are left out, as the target leaves out Alembic's.
 */
import type { Knex } from 'knex';

const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'DELETE', 'UPDATE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];

interface ColumnRow { table: string; column: string; type: string; notnull: boolean; default: string | null; comment: string | null }
interface ConstraintRow { table: string; name: string; type: string; def: string }
interface IndexRow { table: string; name: string; def: string }
interface TableRow { table: string; owner: string }
interface GrantRow { table: string; grantee: string; privilege: string }

export interface CatalogOptions {
  schema?: string;
}

/** The catalog as pg_dump would print it, one statement per line group, without comments or SET lines. */
export async function dumpCatalog(knex: Knex, options: CatalogOptions = {}): Promise<string> {
  const schema = options.schema ?? 'public';
  // An empty search_path makes pg_get_*def qualify names with their schema, as pg_dump does.
  return knex.transaction(async (trx) => {
    await trx.raw(`SET LOCAL search_path = ''`);
    const tables = await rows<TableRow>(trx, TABLES_SQL, schema);
    const columns = await rows<ColumnRow>(trx, COLUMNS_SQL, schema);
    const constraints = await rows<ConstraintRow>(trx, CONSTRAINTS_SQL, schema);
    const indexes = await rows<IndexRow>(trx, INDEXES_SQL, schema);
    const grants = await rows<GrantRow>(trx, GRANTS_SQL, schema);
    return render(schema, tables, columns, constraints, indexes, grants);
  });
}

function render(
  schema: string,
  tables: TableRow[],
  columns: ColumnRow[],
  constraints: ConstraintRow[],
  indexes: IndexRow[],
  grants: GrantRow[],
): string {
  const out: string[] = [];
  const q = (table: string) => `${schema}.${ident(table)}`;

  for (const { table, owner } of tables) {
    const cols = columns.filter((c) => c.table === table);
    const body = cols.map((c) =>
      `    ${ident(c.column)} ${c.type}${c.default !== null ? ` DEFAULT ${c.default}` : ''}${c.notnull ? ' NOT NULL' : ''}`,
    );
    for (const check of constraints.filter((k) => k.table === table && k.type === 'c')) {
      body.push(`    CONSTRAINT ${ident(check.name)} ${check.def}`);
    }
    out.push(`CREATE TABLE ${q(table)} (`, body.join(',\n'), ');');
    out.push(`ALTER TABLE ${q(table)} OWNER TO ${ident(owner)};`);
    for (const c of cols.filter((c) => c.comment !== null)) {
      out.push(`COMMENT ON COLUMN ${q(table)}.${ident(c.column)} IS ${literal(c.comment!)};`);
    }
  }
  const addConstraint = (k: ConstraintRow) => [`ALTER TABLE ONLY ${q(k.table)}`, `    ADD CONSTRAINT ${ident(k.name)} ${k.def};`];
  for (const k of byName(constraints.filter((k) => k.type === 'p' || k.type === 'u' || k.type === 'x'))) out.push(...addConstraint(k));
  for (const i of byName(indexes)) out.push(`${i.def};`);
  for (const k of byName(constraints.filter((k) => k.type === 'f'))) out.push(...addConstraint(k));
  for (const { table } of tables) {
    const byGrantee = new Map<string, Set<string>>();
    for (const g of grants.filter((g) => g.table === table)) {
      byGrantee.set(g.grantee, (byGrantee.get(g.grantee) ?? new Set()).add(g.privilege));
    }
    for (const [grantee, privileges] of [...byGrantee].sort(([a], [b]) => a.localeCompare(b))) {
      const list = privileges.size === TABLE_PRIVILEGES.length ? 'ALL' : TABLE_PRIVILEGES.filter((p) => privileges.has(p)).join(',');
      out.push(`GRANT ${list} ON TABLE ${q(table)} TO ${ident(grantee)};`);
    }
  }
  return `${out.join('\n')}\n`;
}

async function rows<T>(trx: Knex.Transaction, sql: string, schema: string): Promise<T[]> {
  return (await trx.raw(sql, { schema })).rows as T[];
}

function byName<T extends { name: string; table: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.name === b.name ? a.table.localeCompare(b.table) : a.name < b.name ? -1 : 1));
}

function ident(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const OWN_TABLES = `c.relkind IN ('r', 'p') AND n.nspname = :schema AND c.relname NOT LIKE 'knex\\_%'`;

const TABLES_SQL = `
  SELECT c.relname AS "table", pg_catalog.pg_get_userbyid(c.relowner) AS owner
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE ${OWN_TABLES}
  ORDER BY c.relname COLLATE "C"`;

const COLUMNS_SQL = `
  SELECT c.relname AS "table", a.attname AS "column",
         pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
         pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS "default",
         pg_catalog.col_description(c.oid, a.attnum) AS comment
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  WHERE ${OWN_TABLES}
  ORDER BY c.relname COLLATE "C", a.attnum`;

const CONSTRAINTS_SQL = `
  SELECT c.relname AS "table", k.conname AS name, k.contype AS type,
         pg_catalog.pg_get_constraintdef(k.oid) AS def
  FROM pg_catalog.pg_constraint k
  JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE ${OWN_TABLES}
  ORDER BY c.relname COLLATE "C", k.conname COLLATE "C"`;

// Indexes that back a constraint are printed as the constraint.
const INDEXES_SQL = `
  SELECT c.relname AS "table", i.relname AS name, pg_catalog.pg_get_indexdef(i.oid) AS def
  FROM pg_catalog.pg_index x
  JOIN pg_catalog.pg_class c ON c.oid = x.indrelid
  JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE ${OWN_TABLES}
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.oid AND k.conrelid = c.oid)
  ORDER BY i.relname COLLATE "C"`;

// Grants to roles other than the owner (the owner's implicit privileges are not dumped).
const GRANTS_SQL = `
  SELECT c.relname AS "table", pg_catalog.pg_get_userbyid(acl.grantee) AS grantee, acl.privilege_type AS privilege
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) acl
  WHERE ${OWN_TABLES} AND acl.grantee <> c.relowner
  ORDER BY c.relname COLLATE "C"`;
