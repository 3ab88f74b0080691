/**
 * Sessions of the old application version: connected now, with an
 * application_name that matches the pattern the operator gives
 * (`--old-version 'portal-v1*'`). A glob: `*` is any run of characters, `?` one.
 */
import type { Knex } from 'knex';

export interface OldSession {
  pid: number;
  applicationName: string;
  user: string;
  clientAddr: string;
  /** When its current or last statement began: the last sign of life the server knows. */
  lastActive: Date | null;
  connectedAt: Date;
}

/** The glob as an anchored regular expression, for PostgreSQL's `~`. */
export function globToRegex(glob: string): string {
  const body = [...glob].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return `^${body}$`;
}

export async function oldVersionSessions(knex: Knex, pattern: string): Promise<OldSession[]> {
  const { rows } = await knex.raw(
    `SELECT pid, application_name, usename, coalesce(host(client_addr), 'local') AS client_addr, query_start, backend_start
     FROM pg_catalog.pg_stat_activity
     WHERE datname = pg_catalog.current_database() AND pid <> pg_catalog.pg_backend_pid() AND backend_type = 'client backend'
       AND application_name ~ ?
     ORDER BY backend_start`,
    [globToRegex(pattern)],
  );
  return rows.map((r: Record<string, unknown>) => ({
    pid: r.pid as number,
    applicationName: r.application_name as string,
    user: (r.usename as string | null) ?? '',
    clientAddr: r.client_addr as string,
    lastActive: (r.query_start as Date | null) ?? null,
    connectedAt: r.backend_start as Date,
  }));
}
