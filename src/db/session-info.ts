/**
 * Who another database session is, as far as PostgreSQL will say: used to tell
 * the user which session holds the migration lock or blocks a table. Never the
 * session's query text: it may hold data or secrets that are not ours to print.
 * For sessions of other users without pg_read_all_stats, PostgreSQL hides most
 * columns; whatever is null is simply left out.
 */
export interface SessionInfo {
  pid: number;
  applicationName: string | null;
  user: string | null;
  clientAddr: string | null;
  state: string | null;
  /** Seconds since its current transaction started (null when idle or hidden). */
  transactionSeconds: number | null;
  /** Seconds since its state last changed (e.g. since it went idle holding the lock). */
  stateSeconds: number | null;
}

/** Columns of pg_stat_activity, aliased `a`, that SessionInfo is read from. */
export const SESSION_COLUMNS = `
  a.pid,
  a.application_name AS "applicationName",
  a.usename AS "user",
  host(a.client_addr) AS "clientAddr",
  a.state,
  extract(epoch FROM now() - a.xact_start)::float8 AS "transactionSeconds",
  extract(epoch FROM now() - a.state_change)::float8 AS "stateSeconds"`;

/**
 * `pid 123 ("psql", user app, from 10.0.0.7, <details>)`: who the session is,
 * followed by whatever the caller knows about what it is doing.
 */
export function describeSession(s: SessionInfo, details: Array<string | undefined> = []): string {
  const parts = [
    s.applicationName ? `"${s.applicationName}"` : undefined,
    s.user ? `user ${s.user}` : undefined,
    s.clientAddr ? `from ${s.clientAddr}` : undefined,
    ...details,
  ].filter(Boolean);
  return parts.length ? `pid ${s.pid} (${parts.join(', ')})` : `pid ${s.pid}`;
}

export function formatSeconds(seconds: number): string {
  if (seconds > 0 && seconds < 10 && Math.round(seconds * 10) % 10 !== 0) return `${seconds.toFixed(1)} s`;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
