/**
 * The differences between the schema a database should have and the one it has,
 * object by object, each with a one-line message that names the object:
 *
 *   missing constraint user_tenant_roles_user_id_fkey on user_tenant_roles: FOREIGN KEY (...) ON DELETE CASCADE
 *   different column portal_users.role: nullable, expected NOT NULL
 *
 * A table's settings (UNLOGGED, storage parameters, replica identity, CLUSTER index) and a column's (statistics
 * target, storage, compression, options) are compared as aspects of the table or column.
 *
 * Deliberately not compared: table owners (they are whoever ran the migrations,
 * which differs per environment) and the position of columns within a table
 * (it has no effect on queries and cannot be changed without rebuilding the table).
 * Objects of a missing or extra table are not listed again one by one. Names in
 * messages are spelled as in SQL (`tenant_notes."Display Name"`), so a name with
 * spaces or capitals reads as one name and can be pasted into a query.
 */
import {
  compareText,
  PUBLIC_GRANTEE,
  type Catalog,
  type CatalogFunction,
  type CatalogColumn,
  type CatalogGrant,
  type CatalogObject,
  type CatalogTable,
  grantKey,
  type ObjectKind,
} from './catalog';
import { quoteIdent, quoteLiteral } from './sql-text';

export type DifferenceKind = 'function' | 'table' | 'column' | 'comment' | 'constraint' | 'index' | 'trigger' | 'grant' | ObjectKind;
export type DifferenceChange = 'missing' | 'extra' | 'different';

export interface SchemaDifference {
  change: DifferenceChange;
  kind: DifferenceKind;
  /** Empty for what belongs to no table: a function, an extension, a type, a sequence, a view. */
  table: string;
  /**
   * The table, column, constraint, index, trigger, policy, sequence, view or type name; for a grant, the grantee;
   * for a function, its signature; for a comment on an object, what it is on (`view active_users`).
   */
  name: string;
  /** For a grant on a column: the column (name is the grantee). */
  column?: string;
  /** For a different table or column: what differs. */
  aspect?: TableAspect | ColumnAspect;
  /** The object (or aspect) as the migrations define it; null when it should not exist. */
  expected: string | null;
  /** The object (or aspect) as the database has it; null when it is missing. */
  actual: string | null;
  message: string;
}

const TABLE_ASPECTS = ['persistence', 'inheritance', 'partitioning', 'partition of', 'storage parameters', 'replica identity', 'cluster index'] as const;
const COLUMN_ASPECTS = ['type', 'collation', 'nullability', 'default', 'identity', 'statistics', 'storage', 'compression', 'options'] as const;
export type TableAspect = (typeof TABLE_ASPECTS)[number];
export type ColumnAspect = (typeof COLUMN_ASPECTS)[number];

const KIND_ORDER: DifferenceKind[] = [
  'extension', 'type', 'domain', 'function', 'sequence', 'view', 'materialized view',
  'table', 'column', 'comment', 'constraint', 'index', 'index attachment', 'statistics', 'trigger', 'trigger state', 'rule', 'function privilege', 'sequence owned by', 'policy', 'row level security', 'grant',
];

type Named = { table: string; name: string; definition: string };

export function diffCatalogs(expected: Catalog, actual: Catalog): SchemaDifference[] {
  // A materialized view's indexes are compared where it is in both, as a table's are; a view's and a materialized
  // view's grants too.
  const relations = (c: Catalog) => [...c.tables.map((t) => t.name), ...c.objects.filter((o) => o.kind === 'materialized view' || o.kind === 'view').map((o) => o.name)];
  const actualTables = new Set(relations(actual));
  const expectedTables = new Set(relations(expected));
  // Objects of a table that is missing or extra are covered by that table's line.
  const inBoth = <T extends { table: string }>(list: readonly T[]) =>
    list.filter((o) => expectedTables.has(o.table) && actualTables.has(o.table));

  const differences = [
    ...diffTables(expected.tables, actual.tables),
    ...diffDefinitions('constraint', inBoth(expected.constraints), inBoth(actual.constraints)),
    ...diffDefinitions('index', inBoth(expected.indexes), inBoth(actual.indexes)),
    ...diffDefinitions('trigger', inBoth(expected.triggers), inBoth(actual.triggers)),
    ...diffFunctions(expected.functions, actual.functions),
    ...diffGrants(inBoth(expected.grants), inBoth(actual.grants)),
    ...diffObjects([...schemaLevel(expected.objects), ...inBoth(expected.objects)], [...schemaLevel(actual.objects), ...inBoth(actual.objects)]),
  ];
  return differences.sort(
    (x, y) => compareText(x.table, y.table) || KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind) || compareText(x.name, y.name),
  );
}

function diffTables(expected: CatalogTable[], actual: CatalogTable[]): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  for (const [change, { expected: e, actual: a }] of pairUp(expected, actual, (t) => t.name)) {
    const name = (e ?? a)!.name;
    if (change === 'different') out.push(...diffTableSettings(e!, a!), ...diffColumns(name, e!.columns, a!.columns));
    else out.push({ change, kind: 'table', table: name, name, expected: e ? name : null, actual: a ? name : null, message: `${change} table ${quoteIdent(name)}` });
  }
  return out;
}

function diffTableSettings(expected: CatalogTable, actual: CatalogTable): SchemaDifference[] {
  return TABLE_ASPECTS.flatMap((aspect) => {
    const [want, have] = [describeTable(expected, aspect), describeTable(actual, aspect)];
    const table = expected.name;
    return want === have ? []
      : [{ change: 'different' as const, kind: 'table' as const, table, name: table, aspect, expected: want, actual: have, message: `different table ${quoteIdent(table)}: ${have}, expected ${want}` }];
  });
}

function diffColumns(table: string, expected: CatalogColumn[], actual: CatalogColumn[]): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  for (const [change, { expected: e, actual: a }] of pairUp(expected, actual, (c) => c.name)) {
    const name = (e ?? a)!.name;
    const where = `${quoteIdent(table)}.${quoteIdent(name)}`;
    if (change !== 'different') {
      const spec = columnSpec((e ?? a)!);
      out.push({ change, kind: 'column', table, name, expected: e ? spec : null, actual: a ? spec : null, message: `${change} column ${where}: ${spec}` });
      continue;
    }
    for (const aspect of COLUMN_ASPECTS) {
      const [want, have] = [describe(e!, aspect), describe(a!, aspect)];
      if (want !== have) {
        out.push({ change, kind: 'column', table, name, aspect, expected: want, actual: have, message: `different column ${where}: ${have}, expected ${want}` });
      }
    }
    const [want, have] = [e!.comment, a!.comment].map((c) => (c === null ? null : quoteLiteral(c)));
    if (want !== have) {
      const commentChange = have === null ? 'missing' : want === null ? 'extra' : 'different';
      const detail = commentChange === 'different' ? `${have}, expected ${want}` : (want ?? have);
      out.push({ change: commentChange, kind: 'comment', table, name, expected: want, actual: have, message: `${commentChange} comment on column ${where}: ${detail}` });
    }
  }
  return out;
}

/** Constraints, indexes and triggers: matched by table and name, compared by their full definition. */
function diffDefinitions(kind: 'constraint' | 'index' | 'trigger', expected: Named[], actual: Named[]): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  for (const [change, pair] of pairUp(expected, actual, (o) => `${o.table}\u0000${o.name}`)) {
    const [want, have] = [pair.expected?.definition ?? null, pair.actual?.definition ?? null];
    if (want === have) continue;
    const { table, name } = (pair.expected ?? pair.actual)!;
    const detail = change === 'different' ? `${have}, expected ${want}` : (want ?? have);
    out.push({ change, kind, table, name, expected: want, actual: have, message: `${change} ${kind} ${quoteIdent(name)} on ${quoteIdent(table)}: ${detail}` });
  }
  return out;
}

/** Matched by signature; a definition spans many lines, so the message only says that it differs. */
function diffFunctions(expected: CatalogFunction[], actual: CatalogFunction[]): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  for (const [change, pair] of pairUp(expected, actual, (f) => f.name)) {
    const [want, have] = [pair.expected?.definition ?? null, pair.actual?.definition ?? null];
    if (want === have) continue;
    const name = (pair.expected ?? pair.actual)!.name;
    const message = change === 'different' ? `different function ${name}: its definition differs (--json shows both)` : `${change} function ${name}`;
    out.push({ change, kind: 'function', table: '', name, expected: want, actual: have, message });
  }
  return out;
}

const schemaLevel = (objects: CatalogObject[]) => objects.filter((o) => o.table === '');

/**
 * Matched by kind, table and name, compared by their statement; one too long for a line is only said to differ. A
 * comment on an object that is itself missing or extra has no line of its own: the object's stands for it.
 */
function diffObjects(expected: CatalogObject[], actual: CatalogObject[]): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  const pairs = pairUp(expected, actual, (o) => `${o.kind}\u0000${o.table}\u0000${o.name}`);
  const wholeObjects = new Set(pairs.filter(([change, p]) => change !== 'different' && (p.expected ?? p.actual)!.kind !== 'comment')
    .map(([, p]) => `${(p.expected ?? p.actual)!.kind} ${(p.expected ?? p.actual)!.name}`));
  for (const [change, pair] of pairs) {
    const [want, have] = [pair.expected?.definition ?? null, pair.actual?.definition ?? null];
    if (want === have) continue;
    const { kind, table, name } = (pair.expected ?? pair.actual)!;
    if (kind === 'comment' && change !== 'different' && wholeObjects.has(name)) continue;
    const what = kind === 'comment' ? `comment on ${commentTarget(name)}`
      : kind === 'function privilege' ? `privilege on function ${name}`
      : kind === 'row level security' ? `row level security ${name} on ${quoteIdent(table)}`
      : `${kind} ${quoteIdent(name)}${table === '' ? '' : ` on ${quoteIdent(table)}`}`;
    // An enum with a value added, say, reads in a line; a view's whole query does not.
    const fits = change === 'different' && oneLine(want!).length + oneLine(have!).length <= 240;
    const detail = change !== 'different' ? oneLine((want ?? have)!)
      : fits ? `${oneLine(have!)}, expected ${oneLine(want!)}`
      : 'its definition differs (--json shows both)';
    out.push({ change, kind, table, name, expected: want, actual: have, message: `${change} ${what}: ${detail}` });
  }
  return out;
}

/** `table Tickets` as `table "Tickets"`: what a comment is on, its name spelled as in SQL. */
function commentTarget(name: string): string {
  const m = /^(materialized view|table|view|sequence|type|domain|extension) (.*)$/.exec(name);
  return m ? `${m[1]} ${quoteIdent(m[2]!)}` : name;
}

const oneLine = (statement: string) => statement.replace(/\s*\n\s*/g, ' ');

/** Matched by table, column, grantee and grant option; compared by the privileges granted. */
function diffGrants(expected: CatalogGrant[], actual: CatalogGrant[]): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  for (const [change, pair] of pairUp(expected, actual, grantKey)) {
    const [want, have] = [pair.expected?.privileges.join(',') ?? null, pair.actual?.privileges.join(',') ?? null];
    if (want === have) continue;
    const { table, column, grantee, withGrantOption } = (pair.expected ?? pair.actual)!;
    const on = column === undefined ? quoteIdent(table) : `${quoteIdent(table)}.${quoteIdent(column)}`;
    const to = `${grantee === PUBLIC_GRANTEE ? grantee : quoteIdent(grantee)}${withGrantOption ? ' WITH GRANT OPTION' : ''}`;
    const detail = change === 'different' ? `${have}, expected ${want}` : (want ?? have);
    out.push({ change, kind: 'grant', table, ...(column !== undefined ? { column } : {}), name: grantee, expected: want, actual: have, message: `${change} grant on ${on} to ${to}: ${detail}` });
  }
  return out;
}

/** Matches two lists by key: present only in expected (missing), only in actual (extra), or in both. */
function pairUp<T>(expected: readonly T[], actual: readonly T[], key: (item: T) => string): Array<[DifferenceChange, { expected?: T; actual?: T }]> {
  const have = new Map(actual.map((a) => [key(a), a]));
  const want = new Set(expected.map(key));
  return [
    ...expected.map((e): [DifferenceChange, { expected?: T; actual?: T }] =>
      have.has(key(e)) ? ['different', { expected: e, actual: have.get(key(e)) }] : ['missing', { expected: e }]),
    ...actual.filter((a) => !want.has(key(a))).map((a): [DifferenceChange, { actual: T }] => ['extra', { actual: a }]),
  ];
}

function describe(column: CatalogColumn, aspect: ColumnAspect): string {
  switch (aspect) {
    case 'type': return `type ${column.type}`;
    case 'collation': return column.collation ? `COLLATE ${column.collation}` : 'the collation of its type';
    case 'nullability': return column.notNull ? 'NOT NULL' : 'nullable';
    case 'default': return column.generated ? `GENERATED ALWAYS AS (${column.default}) STORED` : column.default === null ? 'no default' : `DEFAULT ${column.default}`;
    case 'identity': return column.identity === undefined ? 'no identity' : `GENERATED ${oneLine(column.identity)}`;
    case 'statistics': return column.statistics === undefined ? 'the default statistics target' : `SET STATISTICS ${column.statistics}`;
    case 'storage': return column.storage === undefined ? 'the storage of its type' : `SET STORAGE ${column.storage}`;
    case 'compression': return column.compression === undefined ? 'the default compression' : `SET COMPRESSION ${column.compression}`;
    case 'options': return column.options === undefined ? 'no attribute options' : `SET (${column.options})`;
  }
}

function describeTable(table: CatalogTable, aspect: TableAspect): string {
  switch (aspect) {
    case 'persistence': return table.unlogged ? 'UNLOGGED' : 'logged';
    case 'inheritance': return table.inherits === undefined ? 'inherits from no table' : `INHERITS (${table.inherits.map(quoteIdent).join(', ')})`;
    case 'partitioning': return table.partitionBy === undefined ? 'not partitioned' : `PARTITION BY ${table.partitionBy}`;
    case 'partition of': return table.partitionOf === undefined ? 'not a partition' : `PARTITION OF ${quoteIdent(table.partitionOf.parent)} ${table.partitionOf.bound}`;
    case 'storage parameters': return table.options === undefined ? 'no storage parameters' : `WITH (${table.options})`;
    case 'replica identity': return `REPLICA IDENTITY ${table.replicaIdentity ?? 'DEFAULT'}`;
    case 'cluster index': return table.clusterOn === undefined ? 'no CLUSTER index' : `CLUSTER ON ${quoteIdent(table.clusterOn)}`;
  }
}

function columnSpec(column: CatalogColumn): string {
  const value = column.generated ? ` GENERATED ALWAYS AS (${column.default}) STORED` : column.default !== null ? ` DEFAULT ${column.default}` : '';
  const identity = column.identity === undefined ? '' : ` GENERATED ${column.identity.split(' (')[0]}`;
  return `${column.type}${value}${column.notNull ? ' NOT NULL' : ''}${identity}${column.collation ? ` COLLATE ${column.collation}` : ''}`;
}
