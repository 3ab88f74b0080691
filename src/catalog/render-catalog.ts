/**
 * Renders a catalog the way `pg_dump --schema-only` prints it (without its
 * comment and SET lines): functions, tables with their CHECK constraints, owners,
 * column comments, then primary/unique/exclusion constraints, indexes, triggers,
 * foreign keys and grants, each group in pg_dump's order. A function is printed
 * as pg_get_functiondef() gives it (CREATE OR REPLACE, body in $function$ quotes),
 * which is where it departs from pg_dump's spelling.
 */
import { compareText, PUBLIC_GRANTEE, TABLE_PRIVILEGES, type Catalog, type CatalogConstraint } from './catalog';
import { quoteIdent, quoteLiteral } from './sql-text';

export function renderCatalog(catalog: Catalog): string {
  const out: string[] = [];
  const q = (table: string) => `${quoteIdent(catalog.schema)}.${quoteIdent(table)}`;

  for (const f of catalog.functions) out.push(`${f.definition};`);

  for (const table of catalog.tables) {
    const body = table.columns.map((c) =>
      `    ${quoteIdent(c.name)} ${c.type}${c.default !== null ? ` DEFAULT ${c.default}` : ''}${c.notNull ? ' NOT NULL' : ''}`,
    );
    for (const check of catalog.constraints.filter((k) => k.table === table.name && k.kind === 'check')) {
      body.push(`    CONSTRAINT ${quoteIdent(check.name)} ${check.definition}`);
    }
    out.push(`CREATE TABLE ${q(table.name)} (`, body.join(',\n'), ');');
    if (table.owner !== null) out.push(`ALTER TABLE ${q(table.name)} OWNER TO ${quoteIdent(table.owner)};`);
    for (const c of table.columns.filter((c) => c.comment !== null)) {
      out.push(`COMMENT ON COLUMN ${q(table.name)}.${quoteIdent(c.name)} IS ${quoteLiteral(c.comment!)};`);
    }
  }
  const addConstraint = (k: CatalogConstraint) => [`ALTER TABLE ONLY ${q(k.table)}`, `    ADD CONSTRAINT ${quoteIdent(k.name)} ${k.definition};`];
  const tableLevel = catalog.constraints.filter((k) => k.kind === 'primary key' || k.kind === 'unique' || k.kind === 'exclusion');
  for (const k of byName(tableLevel)) out.push(...addConstraint(k));
  for (const i of byName(catalog.indexes)) out.push(`${i.definition};`);
  for (const t of byName(catalog.triggers)) out.push(`${t.definition};`);
  for (const k of byName(catalog.constraints.filter((k) => k.kind === 'foreign key'))) out.push(...addConstraint(k));
  for (const g of catalog.grants) {
    const list = TABLE_PRIVILEGES.every((p) => g.privileges.includes(p)) ? 'ALL' : g.privileges.join(',');
    const grantee = g.grantee === PUBLIC_GRANTEE ? PUBLIC_GRANTEE : quoteIdent(g.grantee);
    out.push(`GRANT ${list} ON TABLE ${q(g.table)} TO ${grantee};`);
  }
  return `${out.join('\n')}\n`;
}

/** pg_dump sorts these by name first, then by table. */
function byName<T extends { name: string; table: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => compareText(a.name, b.name) || compareText(a.table, b.table));
}
