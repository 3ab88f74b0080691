/**
 * Reads the objects of a schema that are compared by the statement pg_dump prints
 * for each (CatalogObject): extensions, types, domains, sequences and what owns
 * them, views, materialized views, comments on these and on tables, row level
 * security and policies. Each statement is spelled as pg_dump 15 spells it.
 * What an extension installed belongs to the extension and is left out, as are
 * the bookkeeping tables and the sequences they own.
 */
import type { Knex } from 'knex';
import type { CatalogObject } from './catalog';
import { isBookkeeping } from './bookkeeping-tables';
import { quoteIdent, quoteLiteral } from './sql-text';

type Query = <T>(sql: string) => Promise<T[]>;

const OWN_TABLES = `c.relkind IN ('r', 'p') AND n.nspname = :schema AND NOT ${isBookkeeping('c.relname')}`;
const NOT_FROM_EXTENSION = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

export async function readCatalogObjects(trx: Knex.Transaction, schema: string): Promise<CatalogObject[]> {
  const query: Query = async (sql) => (await trx.raw(sql, { schema })).rows;
  const q = (name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`;
  return [
    ...(await extensions(query, schema)),
    ...(await types(query, q)),
    ...(await sequences(query, q)),
    ...(await views(query, q)),
    ...(await tableObjects(query, q)),
    ...(await indexAttachments(query, q)),
    ...(await extendedStatistics(query)),
    ...(await triggerStates(query, q)),
    ...(await rules(query)),
    ...(await functionPrivileges(query, q)),
  ];
}

/**
 * A table's rules (CREATE RULE: an INSTEAD NOTHING makes its writes vanish), as pg_dump prints them (found by review:
 * a rule that swallowed every DELETE went unseen). A view's own _RETURN rule is the view.
 */
async function rules(query: Query): Promise<CatalogObject[]> {
  const rows = await query<{ table: string; name: string; def: string }>(`
    SELECT c.relname AS "table", r.rulename AS name, pg_catalog.pg_get_ruledef(r.oid) AS def
    FROM pg_catalog.pg_rewrite r
    JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE ${OWN_TABLES} AND r.rulename <> '_RETURN'`);
  return rows.map((r) => object('rule', r.table, r.name, r.def.replace(/;\s*$/, '')));
}

/**
 * Who may run a function or procedure, where it differs from the default (everyone): EXECUTE taken from PUBLIC, and
 * given to a role, as pg_dump prints them (found by review: a SECURITY DEFINER function opened to everyone went
 * unseen). Its owner's own privileges are left out, as owners are (they differ between environments).
 */
async function functionPrivileges(query: Query, q: (name: string) => string): Promise<CatalogObject[]> {
  const rows = await query<{ name: string; args: string; procedure: boolean; grantee: string | null; grantable: boolean }>(`
    SELECT p.proname AS name, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args, p.prokind = 'p' AS procedure,
           CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(acl.grantee) END AS grantee, acl.is_grantable AS grantable
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    CROSS JOIN LATERAL pg_catalog.aclexplode(p.proacl) acl
    WHERE n.nspname = :schema AND p.prokind IN ('f', 'p') AND acl.grantee <> p.proowner
      AND NOT (acl.grantee = 0 AND NOT acl.is_grantable) AND ${NOT_FROM_EXTENSION('pg_catalog.pg_proc', 'p.oid')}
    UNION ALL
    SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid), p.prokind = 'p', NULL, false
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = :schema AND p.prokind IN ('f', 'p') AND p.proacl IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(p.proacl) acl WHERE acl.grantee = 0)
      AND ${NOT_FROM_EXTENSION('pg_catalog.pg_proc', 'p.oid')}`);
  return rows.map((r) => {
    const on = `ON ${r.procedure ? 'PROCEDURE' : 'FUNCTION'} ${q(r.name)}(${r.args})`;
    const signature = `${r.name}(${r.args})`;
    if (r.grantee === null) return object('function privilege', '', `${signature} from PUBLIC`, `REVOKE ALL ${on} FROM PUBLIC`);
    const to = r.grantee === 'PUBLIC' ? 'PUBLIC' : quoteIdent(r.grantee);
    return object('function privilege', '', `${signature} to ${r.grantee}`, `GRANT ALL ${on} TO ${to}${r.grantable ? ' WITH GRANT OPTION' : ''}`);
  });
}

/** CREATE STATISTICS objects on the schema's tables, with their owner. */
async function extendedStatistics(query: Query): Promise<CatalogObject[]> {
  const rows = await query<{ name: string; table: string; owner: string; def: string }>(`
    SELECT s.stxname AS name, c.relname AS "table", pg_catalog.pg_get_userbyid(s.stxowner) AS owner,
           pg_catalog.pg_get_statisticsobjdef(s.oid) AS def
    FROM pg_catalog.pg_statistic_ext s
    JOIN pg_catalog.pg_class c ON c.oid = s.stxrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE ${OWN_TABLES}`);
  return rows.map((r) => object('statistics', r.table, r.name, r.def, r.owner));
}

const TRIGGER_STATES: Record<string, string> = { D: 'DISABLE', A: 'ENABLE ALWAYS', R: 'ENABLE REPLICA' };

/** A trigger disabled, or enabled for replicas (ALWAYS, REPLICA): pg_dump prints it after the trigger. */
async function triggerStates(query: Query, q: (name: string) => string): Promise<CatalogObject[]> {
  const rows = await query<{ table: string; name: string; enabled: string }>(`
    SELECT c.relname AS "table", t.tgname AS name, t.tgenabled AS enabled
    FROM pg_catalog.pg_trigger t
    JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE ${OWN_TABLES} AND NOT t.tgisinternal AND t.tgparentid = 0 AND t.tgenabled <> 'O'`);
  return rows.map((r) => object('trigger state', r.table, r.name, `ALTER TABLE ${q(r.table)} ${TRIGGER_STATES[r.enabled]} TRIGGER ${quoteIdent(r.name)}`));
}

/** A partition's index attached to its partitioned table's (pg_dump prints each, after the indexes); `table`: the partition. */
async function indexAttachments(query: Query, q: (name: string) => string): Promise<CatalogObject[]> {
  const rows = await query<{ parent: string; child: string; table: string }>(`
    SELECT p.relname AS parent, i.relname AS child, c.relname AS "table"
    FROM pg_catalog.pg_inherits h
    JOIN pg_catalog.pg_class i ON i.oid = h.inhrelid
    JOIN pg_catalog.pg_class p ON p.oid = h.inhparent
    JOIN pg_catalog.pg_index x ON x.indexrelid = i.oid
    JOIN pg_catalog.pg_class c ON c.oid = x.indrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE i.relkind IN ('i', 'I') AND ${OWN_TABLES}`);
  return rows.map((r) => object('index attachment', r.table, r.child, `ALTER INDEX ${q(r.parent)} ATTACH PARTITION ${q(r.child)}`));
}

const object = (kind: CatalogObject['kind'], table: string, name: string, definition: string, owner: string | null = null): CatalogObject =>
  ({ kind, table, name, definition, owner });

const comment = (on: string, table: string, name: string, target: string, text: string | null): CatalogObject[] =>
  text === null ? [] : [object('comment', table, `${on.toLowerCase()} ${name}`, `COMMENT ON ${on} ${target} IS ${quoteLiteral(text)}`)];

async function extensions(query: Query, schema: string): Promise<CatalogObject[]> {
  const rows = await query<{ name: string; comment: string | null }>(`
    SELECT x.extname AS name, pg_catalog.obj_description(x.oid, 'pg_extension') AS comment
    FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
    WHERE n.nspname = :schema`);
  return rows.flatMap(({ name, comment: text }) => [
    object('extension', '', name, `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(name)} WITH SCHEMA ${quoteIdent(schema)}`),
    ...comment('EXTENSION', '', name, quoteIdent(name), text),
  ]);
}

interface TypeRow { name: string; typtype: 'e' | 'c' | 'r' | 'd'; owner: string; body: string; notnull: boolean; default: string | null; checks: string | null; comment: string | null }

/**
 * Enums, composite types, ranges and domains (not the row types of tables, nor the multirange a range brings).
 * A range is spelled with its subtype and multirange only: its other options (canonical, subtype_diff,
 * an opclass or collation) are not read.
 */
async function types(query: Query, q: (name: string) => string): Promise<CatalogObject[]> {
  const rows = await query<TypeRow>(`
    SELECT t.typname AS name, t.typtype, pg_catalog.pg_get_userbyid(t.typowner) AS owner,
           CASE t.typtype
             WHEN 'e' THEN (SELECT string_agg(quote_literal(v.enumlabel), E',\\n    ' ORDER BY v.enumsortorder) FROM pg_catalog.pg_enum v WHERE v.enumtypid = t.oid)
             WHEN 'c' THEN (SELECT string_agg(E'\\t' || quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), E',\\n' ORDER BY a.attnum)
                            FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
             WHEN 'r' THEN (SELECT pg_catalog.format_type(r.rngsubtype, NULL) || E',\n    multirange_type_name = ' || pg_catalog.format_type(r.rngmultitypid, NULL)
                            FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid)
             ELSE pg_catalog.format_type(t.typbasetype, t.typtypmod) END AS body,
           t.typnotnull AS notnull, t.typdefault AS "default",
           (SELECT string_agg(E'\\n\\tCONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_catalog.pg_get_constraintdef(k.oid), '' ORDER BY k.conname)
              FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') AS checks,
           pg_catalog.obj_description(t.oid, 'pg_type') AS comment
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
    WHERE n.nspname = :schema AND t.typtype IN ('e', 'c', 'r', 'd') AND (t.typtype <> 'c' OR c.relkind = 'c')
      AND ${NOT_FROM_EXTENSION('pg_catalog.pg_type', 't.oid')}`);
  return rows.flatMap((t) => {
    const kind = t.typtype === 'd' ? 'domain' : 'type';
    const definition =
      t.typtype === 'e' ? `CREATE TYPE ${q(t.name)} AS ENUM (\n    ${t.body}\n)`
      : t.typtype === 'c' ? `CREATE TYPE ${q(t.name)} AS (\n${t.body}\n)`
      : t.typtype === 'r' ? `CREATE TYPE ${q(t.name)} AS RANGE (\n    subtype = ${t.body}\n)`
      : `CREATE DOMAIN ${q(t.name)} AS ${t.body}${t.notnull ? ' NOT NULL' : ''}${t.default === null ? '' : ` DEFAULT ${t.default}`}${t.checks ?? ''}`;
    return [object(kind, '', t.name, definition, t.owner), ...comment(kind.toUpperCase(), '', t.name, q(t.name), t.comment)];
  });
}

interface SequenceRow {
  name: string; owner: string; type: string; start: string; increment: string; min: string; max: string; cache: string; cycle: boolean;
  owned_table: string | null; owned_column: string | null; comment: string | null;
}

/** Sequences, with the column that owns them (serial); not an identity column's, which belongs to its table. */
async function sequences(query: Query, q: (name: string) => string): Promise<CatalogObject[]> {
  const rows = await query<SequenceRow>(`
    SELECT c.relname AS name, pg_catalog.pg_get_userbyid(c.relowner) AS owner, pg_catalog.format_type(s.seqtypid, NULL) AS type,
           s.seqstart::text AS start, s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max,
           s.seqcache::text AS cache, s.seqcycle AS cycle, t.relname AS owned_table, a.attname AS owned_column,
           pg_catalog.obj_description(c.oid, 'pg_class') AS comment
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
    LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                                    AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
    LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
    LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
    WHERE c.relkind = 'S' AND n.nspname = :schema AND d.deptype IS DISTINCT FROM 'i'
      AND NOT ${isBookkeeping('c.relname')} AND (t.relname IS NULL OR NOT ${isBookkeeping('t.relname')})
      AND ${NOT_FROM_EXTENSION('pg_catalog.pg_class', 'c.oid')}`);
  return rows.flatMap((s) => [
    object('sequence', '', s.name, sequenceDefinition(q(s.name), s), s.owner),
    ...(s.owned_table === null ? [] : [object('sequence owned by', s.owned_table, s.name, `ALTER SEQUENCE ${q(s.name)} OWNED BY ${q(s.owned_table)}.${quoteIdent(s.owned_column!)}`)]),
    ...comment('SEQUENCE', '', s.name, q(s.name), s.comment),
  ]);
}

const TYPE_BOUNDS: Record<string, [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

/** As pg_dump prints it: AS only for a type other than bigint, NO MINVALUE / NO MAXVALUE for the defaults. */
function sequenceDefinition(name: string, s: SequenceRow): string {
  return [`CREATE SEQUENCE ${name}`, ...(s.type === 'bigint' ? [] : [`    AS ${s.type}`]), ...sequenceOptions(s)].join('\n');
}

export type SequenceOptions = Pick<SequenceRow, 'type' | 'start' | 'increment' | 'min' | 'max' | 'cache' | 'cycle'>;

/** A sequence's options, a line each, as pg_dump prints them for a sequence and for an identity column's. */
export function sequenceOptions(s: SequenceOptions): string[] {
  const [typeMin, typeMax] = TYPE_BOUNDS[s.type] ?? TYPE_BOUNDS.bigint!;
  const ascending = BigInt(s.increment) > 0n;
  const [defaultMin, defaultMax] = ascending ? [1n, typeMax] : [typeMin, -1n];
  return [
    `    START WITH ${s.start}`,
    `    INCREMENT BY ${s.increment}`,
    BigInt(s.min) === defaultMin ? '    NO MINVALUE' : `    MINVALUE ${s.min}`,
    BigInt(s.max) === defaultMax ? '    NO MAXVALUE' : `    MAXVALUE ${s.max}`,
    `    CACHE ${s.cache}${s.cycle ? '\n    CYCLE' : ''}`,
  ];
}

async function views(query: Query, q: (name: string) => string): Promise<CatalogObject[]> {
  const rows = await query<{ name: string; relkind: 'v' | 'm'; owner: string; def: string; comment: string | null }>(`
    SELECT c.relname AS name, c.relkind, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
           pg_catalog.pg_get_viewdef(c.oid) AS def, pg_catalog.obj_description(c.oid, 'pg_class') AS comment
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm') AND n.nspname = :schema AND ${NOT_FROM_EXTENSION('pg_catalog.pg_class', 'c.oid')}`);
  return rows.flatMap((v) => {
    const query = v.def.replace(/;\s*$/, '');
    const [kind, on, definition] = v.relkind === 'v'
      ? (['view', 'VIEW', `CREATE VIEW ${q(v.name)} AS\n${query}`] as const)
      : (['materialized view', 'MATERIALIZED VIEW', `CREATE MATERIALIZED VIEW ${q(v.name)} AS\n${query}\n  WITH NO DATA`] as const);
    return [object(kind, '', v.name, definition, v.owner), ...comment(on, '', v.name, q(v.name), v.comment)];
  });
}

interface PolicyRow { table: string; name: string; permissive: boolean; cmd: string; roles: string | null; qual: string | null; check: string | null }

const POLICY_COMMANDS: Record<string, string> = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };

/** A table's comment, its row level security (enabled, forced) and its policies. */
async function tableObjects(query: Query, q: (name: string) => string): Promise<CatalogObject[]> {
  const tables = await query<{ table: string; comment: string | null; rls: boolean; forced: boolean }>(`
    SELECT c.relname AS "table", pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
           c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE ${OWN_TABLES}`);
  const policies = await query<PolicyRow>(`
    SELECT c.relname AS "table", p.polname AS name, p.polpermissive AS permissive, p.polcmd AS cmd,
           CASE WHEN p.polroles = '{0}' THEN NULL
                ELSE (SELECT string_agg(quote_ident(r.rolname), ', ' ORDER BY r.rolname) FROM pg_catalog.pg_roles r WHERE r.oid = ANY (p.polroles)) END AS roles,
           pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual, pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check
    FROM pg_catalog.pg_policy p
    JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE ${OWN_TABLES}`);
  return [
    ...tables.flatMap((t) => [
      ...comment('TABLE', t.table, t.table, q(t.table), t.comment),
      ...(t.rls ? [object('row level security', t.table, 'enabled', `ALTER TABLE ${q(t.table)} ENABLE ROW LEVEL SECURITY`)] : []),
      ...(t.forced ? [object('row level security', t.table, 'forced', `ALTER TABLE ONLY ${q(t.table)} FORCE ROW LEVEL SECURITY`)] : []),
    ]),
    ...policies.map((p) => object('policy', p.table, p.name, [
      `CREATE POLICY ${quoteIdent(p.name)} ON ${q(p.table)}`,
      p.permissive ? '' : ' AS RESTRICTIVE',
      POLICY_COMMANDS[p.cmd] ? ` FOR ${POLICY_COMMANDS[p.cmd]}` : '',
      p.roles === null ? '' : ` TO ${p.roles}`,
      p.qual === null ? '' : ` USING (${p.qual})`,
      p.check === null ? '' : ` WITH CHECK (${p.check})`,
    ].join(''))),
  ];
}
