/**
 * Quoting for the SQL that operations generate. Names are always quoted, so a
 * column called "user" or "Order" works as written in the migration; values
 * (comments, defaults given as text) go through `literal`.
 */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** PostgreSQL cuts names at 63 bytes; generated names are cut here first, so the catalog shows what we asked for. */
export function generatedName(...parts: string[]): string {
  return parts.join('_').slice(0, 63);
}
