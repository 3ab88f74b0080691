/**
 * How names and string literals are spelled in the SQL that pg_dump prints, and
 * back: the renderer quotes, the snapshot parser unquotes, with the same rules.
 */

/**
 * The keywords quote_ident() quotes (all but the unreserved ones): a column named `order` or `user` is spelled
 * `"order"`, or the statement would not parse. PostgreSQL 18's list, which holds 15's and adds a few (json, json_*,
 * merge_action, system_user); quoting one of those on 15 is still valid SQL. Kept in step with the server by
 * test/catalog/sql-text.test.ts (pg_get_keywords()).
 */
export const QUOTED_KEYWORDS: ReadonlySet<string> = new Set(`
  all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case
  cast char character check coalesce collate collation column concurrently constraint create cross
  current_catalog current_date current_role current_schema current_time current_timestamp current_user dec
  decimal default deferrable desc distinct do else end except exists extract false fetch float for foreign
  freeze from full grant greatest group grouping having ilike in initially inner inout int integer intersect
  interval into is isnull join json json_array json_arrayagg json_exists json_object json_objectagg json_query
  json_scalar json_serialize json_table json_value lateral leading least left like limit localtime
  localtimestamp merge_action national natural nchar none normalize not notnull null nullif numeric offset on
  only or order out outer overlaps overlay placing position precision primary real references returning right
  row select session_user setof similar smallint some substring symmetric system_user table tablesample then
  time timestamp to trailing treat trim true union unique user using values varchar variadic verbose when where
  window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot
  xmlserialize xmltable
`.trim().split(/\s+/));

/** PostgreSQL's identifier quoting (quote_ident): bare when it is a plain lower-case name and no keyword, else double-quoted. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !QUOTED_KEYWORDS.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A regular-expression source matching one identifier, bare or quoted. */
export const IDENT = String.raw`(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)`;

/** A regular-expression source matching one string literal. */
export const LITERAL = String.raw`'(?:[^']|'')*'`;

export function unquoteIdent(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text;
}

export function unquoteLiteral(text: string): string {
  return text.slice(1, -1).replace(/''/g, "'");
}
