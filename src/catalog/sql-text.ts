/**
 * How names and string literals are spelled in the SQL that pg_dump prints, and
 * back: the renderer quotes, the snapshot parser unquotes, with the same rules.
 */

/** PostgreSQL's identifier quoting: bare when it is a plain lower-case name, else double-quoted. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
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
