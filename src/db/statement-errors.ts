/**
 * knex prepends the failing SQL to a PostgreSQL error's message ("<sql> - <message>"),
 * by default with the bound values written in. We keep PostgreSQL's own message
 * as the message, and the statement — with placeholders, never the values, which
 * may be data or secrets — apart in `statement`, for --verbose and --json.
 * Needs `compileSqlOnError: false` (create-knex.ts, which every knex of the tool comes from), so knex prefixes exactly `obj.sql`.
 */
import type { Knex } from 'knex';

export function keepStatementApart(knex: Knex): void {
  knex.on('query-error', (error: unknown, query: { sql?: string }) => {
    if (!(error instanceof Error) || typeof query?.sql !== 'string') return;
    const prefix = `${query.sql} - `;
    if (!error.message.startsWith(prefix)) return;
    error.message = error.message.slice(prefix.length);
    (error as Error & { statement?: string }).statement = query.sql;
  });
}

export function statementOf(error: unknown): string | undefined {
  const statement = (error as { statement?: unknown } | null)?.statement;
  return typeof statement === 'string' ? statement : undefined;
}
