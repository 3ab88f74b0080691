/**
 * Renders a catalog the way `pg_dump --schema-only` prints it (without its
 * comment and SET lines): extensions, types and domains, sequences, functions,
 * tables with their CHECK constraints, storage parameters, column settings,
 * owners, comments, then what owns each sequence, views, CHECK constraints not
 * yet validated, primary/unique/exclusion constraints, indexes (and a table's
 * replica identity or CLUSTER index), triggers, foreign keys, policies, row level
 * security and grants (on tables, then columns), each group in pg_dump's order. The text also builds `check`'s copy of a
 * schema (checks/build-copy.ts), so it must run as printed: a sequence exists
 * before a column's default calls nextval() on it (a serial column), and a CHECK
 * that is NOT VALID is added after its table, since CREATE TABLE would mark it
 * valid (and a SET NOT NULL on the copy would then skip the scan it makes on the
 * target). Where it departs from pg_dump's spelling: a function is printed as
 * pg_get_functiondef() gives it (CREATE OR REPLACE, body in $function$ quotes),
 * and sequences and views are grouped by kind, by name, where pg_dump orders
 * them with the tables by their dependencies.
 */
import {
  COLUMN_PRIVILEGES, compareText, PUBLIC_GRANTEE, TABLE_PRIVILEGES,
  type Catalog, type CatalogColumn, type CatalogConstraint, type CatalogObject, type CatalogTable, type ObjectKind,
} from './catalog';
import { quoteIdent, quoteLiteral } from './sql-text';

export function renderCatalog(catalog: Catalog): string {
  const out: string[] = [];
  const q = (table: string) => `${quoteIdent(catalog.schema)}.${quoteIdent(table)}`;

  const objects = (...kinds: ObjectKind[]) => catalog.objects.filter((o) => kinds.includes(o.kind));
  const commentOn = (o: { kind: string; name: string }) => objects('comment').filter((c) => c.name === `${o.kind} ${o.name}`);
  /** An object, its owner (ALTER TABLE for relations, as pg_dump does), its OWNED BY and its comment. */
  const withOwnerAndComment = (o: CatalogObject) => {
    out.push(`${o.definition};`);
    const alter = o.kind === 'type' || o.kind === 'domain' || o.kind === 'statistics' ? o.kind.toUpperCase() : 'TABLE';
    if (o.owner !== null && o.kind !== 'extension') out.push(`ALTER ${alter} ${q(o.name)} OWNER TO ${quoteIdent(o.owner)};`);
    for (const c of commentOn(o)) out.push(`${c.definition};`);
  };

  objects('extension').forEach(withOwnerAndComment);
  byName(objects('type', 'domain')).forEach(withOwnerAndComment);
  byName(objects('sequence')).forEach(withOwnerAndComment);
  // A function whose arguments or result are a table's row type comes after the tables, and before the views (which
  // may call it); one on a view's row type after the views (pg_dump sorts all by dependency).
  const onRowTypesOf = (names: string[]) => (f: { definition: string }) => names.some((r) => mentions(signatureOf(f.definition), q(r)));
  const onViews = onRowTypesOf(objects('view', 'materialized view').map((v) => v.name));
  const onTables = (f: { definition: string }) => !onViews(f) && onRowTypesOf(catalog.tables.map((t) => t.name))(f);
  for (const f of catalog.functions.filter((f) => !onViews(f) && !onTables(f))) out.push(`${f.definition};`);

  for (const table of inheritanceOrder(catalog.tables)) {
    // An inheriting table declares only its own columns: INHERITS brings the rest (pg_dump prints it so).
    const declared = table.inherits ? table.columns.filter((c) => !c.inherited) : table.columns;
    const body = declared.map((c) => {
      // pg_dump's order: the expression of a generated column where a default goes, the collation last.
      const value = c.generated ? ` GENERATED ALWAYS AS (${c.default}) STORED` : c.default !== null ? ` DEFAULT ${c.default}` : '';
      return `    ${quoteIdent(c.name)} ${c.type}${value}${c.notNull ? ' NOT NULL' : ''}${c.collation ? ` COLLATE ${c.collation}` : ''}`;
    });
    for (const check of catalog.constraints.filter((k) => k.table === table.name && k.kind === 'check' && !notValid(k))) {
      body.push(`    CONSTRAINT ${quoteIdent(check.name)} ${check.definition}`);
    }
    const inherits = table.inherits ? `\nINHERITS (${table.inherits.map(q).join(', ')})` : '';
    const partitioned = table.partitionBy ? `\nPARTITION BY ${table.partitionBy}` : '';
    out.push(`CREATE ${table.unlogged ? 'UNLOGGED ' : ''}TABLE ${q(table.name)} (`, body.join(',\n'), `)${inherits}${partitioned}${table.options ? `\nWITH (${table.options})` : ''};`);
    for (const c of table.columns) out.push(...columnSettings(q(table.name), c));
    // An inherited column's default, which pg_dump sets apart (it may differ from the parent's).
    for (const c of table.columns.filter((c) => table.inherits && c.inherited && c.default !== null && !c.generated)) {
      out.push(`ALTER TABLE ONLY ${q(table.name)} ALTER COLUMN ${quoteIdent(c.name)} SET DEFAULT ${c.default};`);
    }
    if (table.replicaIdentity && !table.replicaIdentity.startsWith('USING INDEX ')) out.push(`ALTER TABLE ONLY ${q(table.name)} REPLICA IDENTITY ${table.replicaIdentity};`);
    for (const forced of objects('row level security').filter((r) => r.table === table.name && r.name === 'forced')) out.push(`${forced.definition};`);
    if (table.owner !== null) out.push(`ALTER TABLE ${q(table.name)} OWNER TO ${quoteIdent(table.owner)};`);
    for (const c of commentOn({ kind: 'table', name: table.name })) out.push(`${c.definition};`);
    for (const c of table.columns.filter((c) => c.comment !== null)) {
      out.push(`COMMENT ON COLUMN ${q(table.name)}.${quoteIdent(c.name)} IS ${quoteLiteral(c.comment!)};`);
    }
    for (const c of table.columns.filter((c) => c.identity !== undefined)) out.push(`ALTER TABLE ${q(table.name)} ALTER COLUMN ${quoteIdent(c.name)} ADD GENERATED ${c.identity};`);
  }
  for (const owned of byName(objects('sequence owned by'))) out.push(`${owned.definition};`);
  for (const f of catalog.functions.filter(onTables)) out.push(`${f.definition};`);
  dependencyOrder(byName(objects('view', 'materialized view')), q).forEach(withOwnerAndComment);
  for (const f of catalog.functions.filter(onViews)) out.push(`${f.definition};`);
  for (const t of catalog.tables.filter((t) => t.partitionOf !== undefined)) {
    out.push(`ALTER TABLE ONLY ${q(t.partitionOf!.parent)} ATTACH PARTITION ${q(t.name)} ${t.partitionOf!.bound};`);
  }
  // pg_dump adds a partitioned table's foreign key to it and its partitions at once: without ONLY.
  const partitionedTables = new Set(catalog.tables.filter((t) => t.partitionBy !== undefined).map((t) => t.name));
  const addConstraint = (k: CatalogConstraint) =>
    [`ALTER TABLE ${k.kind === 'foreign key' && partitionedTables.has(k.table) ? '' : 'ONLY '}${q(k.table)}`, `    ADD CONSTRAINT ${quoteIdent(k.name)} ${k.definition};`];
  for (const k of byName(catalog.constraints.filter((k) => k.kind === 'check' && notValid(k)))) out.push(...addConstraint(k));
  const tableLevel = catalog.constraints.filter((k) => k.kind === 'primary key' || k.kind === 'unique' || k.kind === 'exclusion');
  for (const k of byName(tableLevel)) out.push(...addConstraint(k));
  for (const i of byName(catalog.indexes)) out.push(`${i.definition};`);
  // After the indexes they name (pg_dump prints each right after its index).
  for (const t of catalog.tables.filter((t) => t.replicaIdentity?.startsWith('USING INDEX '))) out.push(`ALTER TABLE ONLY ${q(t.name)} REPLICA IDENTITY ${t.replicaIdentity};`);
  for (const t of catalog.tables.filter((t) => t.clusterOn !== undefined)) out.push(`ALTER TABLE ${q(t.name)} CLUSTER ON ${quoteIdent(t.clusterOn!)};`);
  for (const a of byName(objects('index attachment'))) out.push(`${a.definition};`);
  byName(objects('statistics')).forEach(withOwnerAndComment);
  for (const t of byName(catalog.triggers)) out.push(`${t.definition};`);
  for (const t of byName(objects('trigger state'))) out.push(`${t.definition};`);
  for (const r of byName(objects('rule'))) out.push(`${r.definition};`);
  for (const k of byName(catalog.constraints.filter((k) => k.kind === 'foreign key'))) out.push(...addConstraint(k));
  for (const p of byName(objects('policy'))) out.push(`${p.definition};`);
  for (const r of objects('row level security').filter((r) => r.name === 'enabled')) out.push(`${r.definition};`);
  for (const g of catalog.grants) {
    const [all, onColumn] = g.column === undefined ? [TABLE_PRIVILEGES, ''] : [COLUMN_PRIVILEGES, `(${quoteIdent(g.column)})`];
    const list = all.every((p) => g.privileges.includes(p)) ? `ALL${onColumn}` : g.privileges.map((p) => `${p}${onColumn}`).join(',');
    const grantee = g.grantee === PUBLIC_GRANTEE ? PUBLIC_GRANTEE : quoteIdent(g.grantee);
    out.push(`GRANT ${list} ON TABLE ${q(g.table)} TO ${grantee}${g.withGrantOption ? ' WITH GRANT OPTION' : ''};`);
  }
  // Revoked from PUBLIC before granted to a role, as pg_dump prints them.
  const revokedFirst = (o: CatalogObject) => (o.definition.startsWith('REVOKE') ? 0 : 1);
  for (const p of byName(objects('function privilege')).sort((a, b) => revokedFirst(a) - revokedFirst(b))) out.push(`${p.definition};`);
  return `${out.join('\n')}\n`;
}

/** A column's own statistics target, storage, compression and options, in pg_dump's order. */
function columnSettings(table: string, c: CatalogColumn): string[] {
  const alter = `ALTER TABLE ONLY ${table} ALTER COLUMN ${quoteIdent(c.name)} SET`;
  return [
    ...(c.statistics !== undefined ? [`${alter} STATISTICS ${c.statistics};`] : []),
    ...(c.storage !== undefined ? [`${alter} STORAGE ${c.storage};`] : []),
    ...(c.compression !== undefined ? [`${alter} COMPRESSION ${c.compression};`] : []),
    ...(c.options !== undefined ? [`${alter} (${c.options});`] : []),
  ];
}

/** pg_get_constraintdef() ends an unvalidated constraint's definition so. */
const notValid = (k: CatalogConstraint) => k.definition.endsWith(' NOT VALID');

/** The function's definition up to its body (pg_get_functiondef's `AS $function$` line): where its types are named. */
const signatureOf = (definition: string) => definition.split(/\nAS /)[0]!;

/** Whether `text` names `qualified` (`public.t`, `public."T"`) as a whole name. */
const mentions = (text: string, qualified: string) => new RegExp(`(?<![\\w$".])${qualified.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w$"])`).test(text);

/** Tables after the tables they inherit from (by name otherwise), so that INHERITS names a table already there. */
function inheritanceOrder(tables: readonly CatalogTable[]): CatalogTable[] {
  const ordered: CatalogTable[] = [];
  const left = [...tables];
  while (left.length > 0) {
    const ready = left.findIndex((t) => !(t.inherits ?? []).some((parent) => left.some((o) => o !== t && o.name === parent)));
    ordered.push(...left.splice(ready < 0 ? 0 : ready, 1));
  }
  return ordered;
}

/** Views after the views they select from (pg_dump sorts by dependency), else in the order given; a cycle keeps it. */
function dependencyOrder(views: CatalogObject[], q: (name: string) => string): CatalogObject[] {
  const ordered: CatalogObject[] = [];
  const left = [...views];
  while (left.length > 0) {
    const ready = left.findIndex((v) => !left.some((other) => other !== v && mentions(v.definition, q(other.name))));
    ordered.push(...left.splice(ready < 0 ? 0 : ready, 1));
  }
  return ordered;
}

/** pg_dump sorts these by name first, then by table. */
function byName<T extends { name: string; table: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareText(a.name, b.name) || compareText(a.table, b.table));
}
