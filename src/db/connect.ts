/**
 * Opening the database: a knex instance over node-postgres, with a bounded
 * connect timeout (an unreachable host fails in seconds instead of hanging)
 * and connection failures translated into one actionable line.
 */
import knexFactory, { type Knex } from 'knex';
import { ConnectionError } from '../errors';

export const APPLICATION_NAME = 'konstruct-migrate';
const CONNECT_TIMEOUT_MS = 10_000;

/** `url` undefined means: let node-postgres read the libpq variables (PGHOST, ...). */
export function createKnex(url: string | undefined): Knex {
  return knexFactory({
    client: 'pg',
    connection: {
      ...(url ? { connectionString: url } : {}),
      application_name: APPLICATION_NAME,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    },
    // One connection for migrations, one for the session lock, one spare.
    pool: { min: 0, max: 3 },
    acquireConnectionTimeout: CONNECT_TIMEOUT_MS + 5_000,
  });
}

/** Fails with a ConnectionError that says what to do, before any real work starts. */
export async function assertConnectable(knex: Knex): Promise<void> {
  try {
    await knex.raw('select 1');
  } catch (error) {
    throw explainConnectionFailure(error);
  }
}

export function explainConnectionFailure(error: unknown): ConnectionError {
  const e = error as { code?: string; message?: string };
  const message = e?.message ?? String(error);
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
    case 'ETIMEDOUT':
      return new ConnectionError(
        `cannot reach the database server: ${message}`,
        'Check the host and port in DATABASE_URL and that the server is running (see --wait).',
        error,
      );
    default:
      if (/timeout/i.test(message)) {
        return new ConnectionError(
          `cannot reach the database server: connection timed out after ${CONNECT_TIMEOUT_MS / 1000}s`,
          'Check the host and port in DATABASE_URL and that the server is running (see --wait).',
          error,
        );
      }
      return new ConnectionError(`cannot connect to the database: ${message}`, undefined, error);
  }
}
