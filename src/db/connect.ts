/**
 * Opening the database: a knex instance over node-postgres, with a bounded
 * connect timeout (an unreachable host fails in seconds instead of hanging)
 * and connection failures translated into one actionable line.
 */
import knexFactory, { type Knex } from 'knex';
import { ConnectionError } from '../errors';
import { keepStatementApart } from './statement-errors';

export const APPLICATION_NAME = 'konstruct-migrate';
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const silent = () => {};

/** `url` undefined means: let node-postgres read the libpq variables (PGHOST, ...). */
export function createKnex(url: string | undefined, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Knex {
  const knex = knexFactory({
    client: 'pg',
    connection: {
      ...(url ? { connectionString: url } : {}),
      application_name: APPLICATION_NAME,
      connectionTimeoutMillis: connectTimeoutMs,
    },
    // One connection for a migration's transaction, one to watch what it waits for, one spare.
    // (The migration lock has a connection of its own, outside the pool.)
    pool: { min: 0, max: 3 },
    acquireConnectionTimeout: connectTimeoutMs + 5_000,
    // Failing SQL is reported with placeholders, never with the values bound to it.
    compileSqlOnError: false,
    // knex would print connection errors with stack traces straight to the console, past the
    // redacting output; every failure reaches the user as an error we explain instead.
    log: { warn: silent, error: silent, deprecate: silent, debug: silent },
  });
  keepStatementApart(knex);
  return knex;
}

/** A connection failure as one actionable line (see wait-for-database.ts, which calls it). */
export function explainConnectionFailure(
  error: unknown,
  connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
  /** How long the failed attempt took: node-postgres reports its own connect timeout only as "Connection terminated unexpectedly". */
  attemptMs = 0,
): ConnectionError {
  const e = error as { code?: string; message?: string };
  const message = e?.message ?? String(error);
  const timedOut = /timeout/i.test(message) || (attemptMs >= connectTimeoutMs * 0.9 && /terminated/i.test(message));
  switch (e?.code) {
    case '28P01':
    case '28000':
      return new ConnectionError(
        `the database refused the login: ${message}`,
        'Check the user name and password in DATABASE_URL.',
        error,
      );
    case '3D000':
      return new ConnectionError(message, 'Create the database first (createdb), or fix its name in DATABASE_URL.', error);
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new ConnectionError(
        `cannot reach the database server: ${message}`,
        'Check the host and port in DATABASE_URL and that the server is running (see --wait).',
        error,
      );
    default:
      if (timedOut) {
        return new ConnectionError(
          `cannot reach the database server: connection timed out after ${connectTimeoutMs / 1000} s (--connect-timeout)`,
          'Check the host and port in DATABASE_URL and that the server is running (see --wait).',
          error,
        );
      }
      return new ConnectionError(
        `cannot connect to the database: ${message}`,
        /terminated/i.test(message)
          ? 'The server closed the connection before login: check that host and port are a PostgreSQL server, and the SSL settings (sslmode).'
          : undefined,
        error,
      );
  }
}
