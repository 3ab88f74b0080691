/**
 * The limits every migration runs under, so the live application never queues
 * for long behind a migration that is itself waiting:
 *   lock_timeout      — give up a lock wait after this long (then retry later);
 *   statement_timeout — cancel any one statement that runs longer (0 = off).
 * Transactional steps get them with set_config(..., is_local = true), scoped to
 * their transaction; a non-transactional step (CREATE INDEX CONCURRENTLY) runs
 * on a one-connection session that starts with them.
 *
 * Also client_connection_check_interval (PostgreSQL >= 14): without it, the
 * backend of a run killed mid-statement (or while queued for a lock) carries on
 * until that statement ends, holding its locks, before it notices its client is
 * gone. Where the server does not support it, it is quietly left unset.
 */
import type { Knex } from 'knex';
import { keepStatementApart } from '../db/statement-errors';

export interface SessionTimeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/** Sets the limits for the rest of `trx`, and returns its backend pid. */
export async function applyLocalTimeouts(trx: Knex.Transaction, t: SessionTimeouts): Promise<number> {
  const { rows } = await trx.raw(
    `SELECT pg_backend_pid() AS pid, set_config('lock_timeout', ?, true), set_config('statement_timeout', ?, true), ${CHECK_FOR_DEAD_CLIENT(true)}`,
    [`${t.lockTimeoutMs}ms`, `${t.statementTimeoutMs}ms`],
  );
  return rows[0].pid;
}

const DEAD_CLIENT_CHECK_MS = 1_000;

/**
 * A select-list item setting client_connection_check_interval where the server has it;
 * CASE evaluates set_config only then, so older servers never see the unknown name.
 */
const CHECK_FOR_DEAD_CLIENT = (local: boolean) =>
  `CASE WHEN current_setting('server_version_num')::int >= 140000
     THEN set_config('client_connection_check_interval', '${DEAD_CLIENT_CHECK_MS}', ${local}) END`;

/** Runs `work` on a dedicated one-connection knex whose session starts with the limits set. */
export async function withTimeoutSession<T>(knex: Knex, t: SessionTimeouts, work: (session: Knex, pid: number) => Promise<T>): Promise<T> {
  const { default: knexFactory } = await import('knex'); // loaded lazily, as in db/connect.ts
  const config = knex.client.config as Knex.Config;
  const session = knexFactory({
    ...config,
    connection: {
      ...(config.connection as Knex.PgConnectionConfig),
      // node-postgres sends these as startup parameters (only when non-zero; 0 keeps the server default of "off").
      lock_timeout: t.lockTimeoutMs,
      statement_timeout: t.statementTimeoutMs,
    } as Knex.PgConnectionConfig,
    pool: { min: 0, max: 1 },
  });
  keepStatementApart(session);
  try {
    const { rows } = await session.raw(`SELECT pg_backend_pid() AS pid, ${CHECK_FOR_DEAD_CLIENT(false)}`);
    return await work(session, rows[0].pid);
  } finally {
    await session.destroy();
  }
}
