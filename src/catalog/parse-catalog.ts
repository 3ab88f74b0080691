/**
 * Reads pg_dump-style schema text (what renderCatalog prints, and what the
 * snapshot files in schema/ hold) back into a Catalog, so `verify` can compare a
 * live database with a file a reviewer can read. Only the statements the
 * renderer writes are understood; anything else is an error naming its line,
 * because silently skipping a statement would hide drift.
 */
import {
  COLUMN_PRIVILEGES,
  constraintKindOf,
  emptyCatalog,
  functionSignature,
  PUBLIC_GRANTEE,
  sortCatalog,
  sortPrivileges,
  TABLE_PRIVILEGES,
  type Catalog,
  type CatalogColumn,
  type CatalogObject,
  type CatalogTable,
} from './catalog';
import { parseObject } from './parse-catalog-objects';
import { splitSql, SqlSplitError } from './split-sql';
import { IDENT, LITERAL, unquoteIdent, unquoteLiteral } from './sql-text';

const QNAME = `(${IDENT})\\.(${IDENT})`;
// The body ends at the first `)` that only storage parameters follow: a column's type has parentheses of its own.
const CREATE_TABLE = new RegExp(`^CREATE (UNLOGGED )?TABLE ${QNAME} \\(([\\s\\S]*?)\\)(?:\\nINHERITS \\(([^\\n]*)\\))?(?:\\nPARTITION BY ([^\\n]*))?(?:\\nWITH \\((.*)\\))?$`);
const INHERITED_DEFAULT = new RegExp(`^ALTER TABLE ONLY ${QNAME} ALTER COLUMN (${IDENT}) SET DEFAULT ([\\s\\S]+)$`);
const ADD_IDENTITY = new RegExp(`^ALTER TABLE ${QNAME} ALTER COLUMN (${IDENT}) ADD GENERATED ([\\s\\S]+)$`);
const ATTACH_PARTITION = new RegExp(`^ALTER TABLE ONLY ${QNAME} ATTACH PARTITION ${QNAME} ([\\s\\S]+)$`);
const COLUMN_SETTING = new RegExp(`^ALTER TABLE ONLY ${QNAME} ALTER COLUMN (${IDENT}) SET (?:STATISTICS (-?\\d+)|STORAGE ([A-Z]+)|COMPRESSION (\\S+)|\\((.*)\\))$`);
const REPLICA_IDENTITY = new RegExp(`^ALTER TABLE ONLY ${QNAME} REPLICA IDENTITY (FULL|NOTHING|USING INDEX ${IDENT})$`);
const CLUSTER_ON = new RegExp(`^ALTER TABLE ${QNAME} CLUSTER ON (${IDENT})$`);
const OWNER = new RegExp(`^ALTER (TABLE|TYPE|DOMAIN|STATISTICS) ${QNAME} OWNER TO (${IDENT})$`);
const COMMENT = new RegExp(`^COMMENT ON COLUMN ${QNAME}\\.(${IDENT}) IS (${LITERAL})$`);
const ADD_CONSTRAINT = new RegExp(`^ALTER TABLE (?:ONLY )?${QNAME}\\s+ADD CONSTRAINT (${IDENT}) ([\\s\\S]+)$`);
const CREATE_INDEX = new RegExp(`^CREATE (?:UNIQUE )?INDEX (${IDENT}) ON (?:ONLY )?${QNAME} `);
const GRANT = new RegExp(`^GRANT ([\\s\\S]+?) ON TABLE ${QNAME} TO (${IDENT})( WITH GRANT OPTION)?$`);
/** One item of a grant's list: `SELECT`, `ALL`, or on a column `SELECT(name)`, `ALL("Odd Col")`. */
const GRANTED = new RegExp(`^([A-Z]+)(?:\\((${IDENT})\\))?$`);
const CHECK_IN_TABLE = new RegExp(`^CONSTRAINT (${IDENT}) (CHECK [\\s\\S]+)$`);
const COLUMN = new RegExp(`^(${IDENT}) ([\\s\\S]+)$`);
const CREATE_FUNCTION = new RegExp(`^CREATE OR REPLACE (?:FUNCTION|PROCEDURE) ${QNAME}\\(`);
const CREATE_TRIGGER = new RegExp(`^CREATE (?:CONSTRAINT )?TRIGGER (${IDENT}) [\\s\\S]*? ON ${QNAME} `);

export class CatalogParseError extends Error {}

export function parseCatalog(text: string, source = 'schema text'): Catalog {
  const catalog: Catalog = emptyCatalog('');
  const tables = new Map<string, CatalogTable>();
  const tableNamed = (schemaText: string, tableText: string, line: number): CatalogTable => {
    const table = tables.get(inSchema(catalog, schemaText, tableText, source, line));
    if (!table) throw new CatalogParseError(`${source}, line ${line}: table ${unquoteIdent(tableText)} is used before CREATE TABLE`);
    return table;
  };

  for (const { sql, line } of splitStatements(text)) {
    let m: RegExpExecArray | null;
    let object: CatalogObject | undefined;
    if ((m = CREATE_TABLE.exec(sql))) {
      const name = inSchema(catalog, m[2]!, m[3]!, source, line);
      const parents = m[5] === undefined ? undefined : splitTopLevel(m[5], ',').map((p) => {
        const [schemaText, parent] = splitTopLevel(p.trim(), '.') as [string, string];
        return tableNamed(schemaText, parent, line);
      });
      const table: CatalogTable = {
        name, owner: null, columns: [],
        ...(m[1] ? { unlogged: true } : {}), ...(m[7] !== undefined ? { options: m[7] } : {}), ...(m[6] !== undefined ? { partitionBy: m[6] } : {}),
        ...(parents ? { inherits: parents.map((p) => p.name) } : {}),
      };
      // Its parents' columns first, as PostgreSQL lays them out; a column it declares too is merged into theirs.
      for (const parent of parents ?? []) table.columns.push(...parent.columns.map(inheritedFrom));
      for (const item of splitTopLevel(m[4]!, ',').map((s) => s.trim()).filter(Boolean)) {
        const check = CHECK_IN_TABLE.exec(item);
        if (check) {
          catalog.constraints.push({ table: name, name: unquoteIdent(check[1]!), kind: 'check', definition: check[2]! });
          continue;
        }
        const column = parseColumn(item, source, line);
        const merged = table.columns.findIndex((c) => c.name === column.name);
        if (merged < 0) table.columns.push(column);
        else table.columns[merged] = column;
      }
      tables.set(name, table);
      catalog.tables.push(table);
    } else if ((m = OWNER.exec(sql))) {
      const name = inSchema(catalog, m[2]!, m[3]!, source, line);
      const kinds = m[1] === 'TABLE' ? ['sequence', 'view', 'materialized view'] : [m[1]!.toLowerCase()];
      const owned = m[1] === 'TABLE' && tables.has(name) ? tables.get(name) : catalog.objects.find((o) => kinds.includes(o.kind) && o.name === name);
      if (!owned) throw new CatalogParseError(`${source}, line ${line}: owner of ${name}, which is not created before`);
      owned.owner = unquoteIdent(m[4]!);
    } else if ((m = COMMENT.exec(sql))) {
      const table = tableNamed(m[1]!, m[2]!, line);
      const column = table.columns.find((c) => c.name === unquoteIdent(m![3]!));
      if (!column) throw new CatalogParseError(`${source}, line ${line}: comment on unknown column ${m[3]} of ${table.name}`);
      column.comment = unquoteLiteral(m[4]!);
    } else if ((m = ADD_CONSTRAINT.exec(sql))) {
      const table = tableNamed(m[1]!, m[2]!, line);
      const definition = m[4]!;
      const kind = constraintKindOf(definition);
      if (!kind) throw new CatalogParseError(`${source}, line ${line}: unknown kind of constraint: ${definition}`);
      catalog.constraints.push({ table: table.name, name: unquoteIdent(m[3]!), kind, definition });
    } else if ((m = CREATE_INDEX.exec(sql))) {
      const on = inSchema(catalog, m[2]!, m[3]!, source, line);
      // On a table, or a materialized view.
      const onView = catalog.objects.some((o) => o.kind === 'materialized view' && o.name === on);
      catalog.indexes.push({ table: onView ? on : tableNamed(m[2]!, m[3]!, line).name, name: unquoteIdent(m[1]!), definition: sql });
    } else if ((m = CREATE_FUNCTION.exec(sql))) {
      inSchema(catalog, m[1]!, m[2]!, source, line);
      catalog.functions.push({ name: functionSignature(sql), definition: sql });
    } else if ((m = CREATE_TRIGGER.exec(sql))) {
      catalog.triggers.push({ table: tableNamed(m[2]!, m[3]!, line).name, name: unquoteIdent(m[1]!), definition: sql });
    } else if ((m = GRANT.exec(sql))) {
      const grantee = m[4] === PUBLIC_GRANTEE ? PUBLIC_GRANTEE : unquoteIdent(m[4]!);
      const { column, privileges } = parseGrantList(m[1]!, source, line);
      // ON TABLE names a table, a view or a materialized view (pg_dump's spelling for all three).
      const name = inSchema(catalog, m[2]!, m[3]!, source, line);
      const isView = catalog.objects.some((o) => (o.kind === 'view' || o.kind === 'materialized view') && o.name === name);
      catalog.grants.push({
        table: isView ? name : tableNamed(m[2]!, m[3]!, line).name,
        ...(column !== undefined ? { column } : {}),
        grantee,
        privileges: sortPrivileges(privileges),
        ...(m[5] ? { withGrantOption: true as const } : {}),
      });
    } else if ((m = COLUMN_SETTING.exec(sql))) {
      const table = tableNamed(m[1]!, m[2]!, line);
      const column = table.columns.find((c) => c.name === unquoteIdent(m![3]!));
      if (!column) throw new CatalogParseError(`${source}, line ${line}: setting of unknown column ${m[3]} of ${table.name}`);
      if (m[4] !== undefined) column.statistics = Number(m[4]);
      if (m[5] !== undefined) column.storage = m[5];
      if (m[6] !== undefined) column.compression = m[6];
      if (m[7] !== undefined) column.options = m[7];
    } else if ((m = INHERITED_DEFAULT.exec(sql))) {
      const table = tableNamed(m[1]!, m[2]!, line);
      const column = table.columns.find((c) => c.name === unquoteIdent(m![3]!));
      if (!column) throw new CatalogParseError(`${source}, line ${line}: default of unknown column ${m[3]} of ${table.name}`);
      column.default = m[4]!;
    } else if ((m = ADD_IDENTITY.exec(sql))) {
      const table = tableNamed(m[1]!, m[2]!, line);
      const column = table.columns.find((c) => c.name === unquoteIdent(m![3]!));
      if (!column) throw new CatalogParseError(`${source}, line ${line}: identity of unknown column ${m[3]} of ${table.name}`);
      column.identity = m[4]!;
    } else if ((m = ATTACH_PARTITION.exec(sql))) {
      const parent = tableNamed(m[1]!, m[2]!, line);
      tableNamed(m[3]!, m[4]!, line).partitionOf = { parent: parent.name, bound: m[5]! };
    } else if ((m = REPLICA_IDENTITY.exec(sql))) {
      tableNamed(m[1]!, m[2]!, line).replicaIdentity = m[3]!;
    } else if ((m = CLUSTER_ON.exec(sql))) {
      tableNamed(m[1]!, m[2]!, line).clusterOn = unquoteIdent(m[3]!);
    } else if ((object = parseObject(sql, (schemaText, name) => inSchema(catalog, schemaText, name, source, line)))) {
      catalog.objects.push(object);
    } else {
      throw new CatalogParseError(`${source}, line ${line}: unexpected statement: ${sql.split('\n')[0]}`);
    }
  }
  // An attached index's statement names no table: it is the partition's the index (or the constraint's) is on.
  for (const attached of catalog.objects.filter((o) => o.kind === 'index attachment')) {
    attached.table = [...catalog.indexes, ...catalog.constraints].find((i) => i.name === attached.name)?.table ?? '';
  }
  return sortCatalog(catalog);
}

/** `SELECT,UPDATE` or `ALL` for a table; `SELECT(name),UPDATE(name)` or `ALL(name)` for one column. */
function parseGrantList(list: string, source: string, line: number): { column?: string; privileges: string[] } {
  const items = splitTopLevel(list, ',').map((item) => GRANTED.exec(item));
  const columns = new Set(items.map((item) => item?.[2]));
  if (items.some((item) => item === null) || columns.size !== 1) {
    throw new CatalogParseError(`${source}, line ${line}: cannot read the privileges granted: ${list}`);
  }
  const [columnText] = columns;
  const privileges = items.flatMap((item) => (item![1] === 'ALL' ? (columnText === undefined ? TABLE_PRIVILEGES : COLUMN_PRIVILEGES) : [item![1]!]));
  return { ...(columnText !== undefined ? { column: unquoteIdent(columnText) } : {}), privileges };
}

/** A parent's column as an inheriting table has it: the same definition; its comment and settings are the parent's own. */
function inheritedFrom(column: CatalogColumn): CatalogColumn {
  const { name, type, notNull, default: value, collation, generated } = column;
  return {
    name, type, notNull, default: value, comment: null, inherited: true,
    ...(collation !== undefined ? { collation } : {}), ...(generated ? { generated } : {}),
  };
}

/** A stored generated column's expression, where pg_dump prints a default. */
const GENERATED = / GENERATED ALWAYS AS \(([\s\S]*)\) STORED$/;

/** `type [DEFAULT expression | GENERATED ALWAYS AS (expression) STORED] [NOT NULL] [COLLATE c]`, as pg_dump prints a column. */
function parseColumn(item: string, source: string, line: number): CatalogColumn {
  const m = COLUMN.exec(item);
  if (!m) throw new CatalogParseError(`${source}, line ${line}: cannot read column: ${item}`);
  let rest = m[2]!;
  const collate = rest.lastIndexOf(' COLLATE ');
  const collation = collate < 0 ? undefined : rest.slice(collate + ' COLLATE '.length);
  if (collation !== undefined) rest = rest.slice(0, collate);
  const notNull = rest.endsWith(' NOT NULL');
  if (notNull) rest = rest.slice(0, -' NOT NULL'.length);
  const generated = GENERATED.exec(rest);
  const at = generated ? generated.index : rest.indexOf(' DEFAULT ');
  return {
    name: unquoteIdent(m[1]!),
    type: at < 0 ? rest : rest.slice(0, at),
    notNull,
    default: generated ? generated[1]! : at < 0 ? null : rest.slice(at + ' DEFAULT '.length),
    comment: null,
    ...(collation !== undefined ? { collation } : {}),
    ...(generated ? { generated: true as const } : {}),
  };
}

/** Every object must be in one schema: the catalog describes one schema. */
function inSchema(catalog: Catalog, schemaText: string, tableText: string, source: string, line: number): string {
  const schema = unquoteIdent(schemaText);
  if (catalog.schema === '') catalog.schema = schema;
  if (schema !== catalog.schema) {
    throw new CatalogParseError(`${source}, line ${line}: schema ${schema} differs from ${catalog.schema}; one file describes one schema`);
  }
  return unquoteIdent(tableText);
}

/** The statements of schema text, each ended by `;` (split-sql.ts); a quote never closed, or no final `;`, is an error. */
export function splitStatements(text: string): Array<{ sql: string; line: number }> {
  let statements;
  try {
    statements = splitSql(text);
  } catch (error) {
    if (error instanceof SqlSplitError) throw new CatalogParseError(error.message);
    throw error;
  }
  const unterminated = statements.find((s) => !s.terminated);
  if (unterminated) throw new CatalogParseError(`line ${unterminated.line}: statement without a closing semicolon`);
  return statements.map(({ sql, line }) => ({ sql, line }));
}

/** Splits on `separator` where it is outside parentheses and quotes. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
