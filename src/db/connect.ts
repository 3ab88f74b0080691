/**
 * Opening the database: a knex instance over node-postgres, with a bounded
 * connect timeout (an unreachable host fails in seconds instead of hanging),
 * libpq's TLS modes (ssl-mode.ts) and connection failures translated into one
 * actionable line.
 */
import type { Knex } from 'knex';
import { ConnectionError } from '../errors';
import { ownWords } from './redact';
import { explainTlsFailure, isPlainRefused, isTlsRefused, type ConnectionSettings, type TlsAttempt } from './ssl-mode';
import { createKnex } from './create-knex';

export const APPLICATION_NAME = 'konstruct-migrate';

/** How long one connection attempt may take unless the configuration says otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface KnexOptions {
  /** --schema: unqualified names (the migrations' tables, knex_migrations) resolve there, and only there. */
  schema?: string;
  applicationName?: string;
  /** Give up one connection attempt after this long (--connect-timeout; default 10 s). */
  connectTimeoutMs?: number;
}

/** The knex configuration for one TLS attempt; without a URL, the libpq variables (PGHOST, ...) as the configuration read them. */
export function knexConfig(settings: ConnectionSettings, tls: TlsAttempt, options: KnexOptions = {}): Knex.Config {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return {
    client: 'pg',
    connection: {
      ...(settings.connectionString ? { connectionString: settings.connectionString } : settings.libpq),
      ssl: tls,
      application_name: options.applicationName ?? APPLICATION_NAME,
      connectionTimeoutMillis: connectTimeoutMs,
    },
    ...(options.schema ? { searchPath: [options.schema] } : {}),
    // knex prints each failed connection attempt with its stack; connectKnex reports it once, in one line.
    log: { warn: (message: string) => void (message.startsWith('Acquire connection error') || console.warn(message)) },
    // One connection for a migration's transaction, one to watch what it waits for, one spare.
    // (The migration lock has a connection of its own, outside the pool.)
    pool: { min: 0, max: 3 },
    acquireConnectionTimeout: connectTimeoutMs + 5_000,
  };
}

/**
 * A knex instance that has connected once, so a wrong URL fails here, before
 * any work, with a ConnectionError that says what to do. sslmode prefer/allow
 * go on to their second attempt only when the server refused the first one's
 * (lack of) encryption, as libpq does.
 */
export async function connectKnex(settings: ConnectionSettings, options: KnexOptions = {}): Promise<Knex> {
  let failure: unknown;
  let attemptMs = 0;
  for (const [i, tls] of settings.attempts.entries()) {
    const knex = await createKnex(knexConfig(settings, tls, options));
    const started = Date.now();
    try {
      await knex.raw('select 1');
      return knex;
    } catch (error) {
      await knex.destroy();
      failure = error;
      attemptMs = Date.now() - started;
      const canFallBack = tls ? isTlsRefused(error) : isPlainRefused(error);
      if (!canFallBack || i === settings.attempts.length - 1) break;
    }
  }
  throw explainTlsFailure(failure, settings) ?? explainConnectionFailure(failure, settings.where, options.connectTimeoutMs, attemptMs);
}

/** A connection failure as one actionable line; `where` names the source of the settings (--url, DATABASE_URL, ...). */
export function explainConnectionFailure(
  error: unknown,
  where: string,
  connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
  /** How long the failed attempt took: node-postgres reports its own connect timeout only as "Connection terminated unexpectedly". */
  attemptMs = 0,
): ConnectionError {
  const e = error as { code?: string; message?: string };
  const message = e?.message ?? String(error);
  const timedOut = /timeout/i.test(message) || (attemptMs >= connectTimeoutMs * 0.9 && /terminated/i.test(message));
  const checkHostAndPort = ownWords`Check the host and port in ${where} and that the server is running (see --wait).`;
  // One case per failure users cause, each with its own line and hint: alike in shape only.
  switch (e?.code) {
    case '28P01':
    case '28000':
      return new ConnectionError(ownWords`the database refused the login: ${message}`, ownWords`Check the user name and password in ${where}.`, error);
    case '3D000':
      return new ConnectionError(message, ownWords`Create the database first (createdb), or fix its name in ${where}.`, error);
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new ConnectionError(ownWords`cannot reach the database server: ${message}`, checkHostAndPort, error);
    default:
      if (timedOut) {
        return new ConnectionError(
          ownWords`cannot reach the database server: connection timed out after ${connectTimeoutMs / 1000} s (--connect-timeout)`,
          checkHostAndPort,
          error,
        );
      }
      if (/^[0-9A-Z]{5}$/.test(e?.code ?? '')) {
        return new ConnectionError(
          ownWords`the database refused the connection: ${message} [SQLSTATE ${e.code}]`,
          ownWords`PostgreSQL's message says why; nothing was changed. Run again once that is resolved (see --wait for a server that is starting).`,
          error,
        );
      }
      // A server that speaks another protocol, or closes the connection before login (e.g. a TLS-only proxy).
      return new ConnectionError(
        ownWords`cannot connect to the database: ${message}`,
        ownWords`The server did not answer as PostgreSQL does: check that the host and port in ${where} are a PostgreSQL server's, and its TLS settings (sslmode, PGSSLMODE).`,
        error,
      );
  }
}
