/**
 * The limits every migration runs under, so the live application never queues
 * for long behind a migration that is itself waiting:
 *   lock_timeout      — give up a lock wait after this long (then retry later);
 *   statement_timeout — cancel any one statement that runs longer (0 = off).
 * Transactional steps get them with set_config(..., is_local = true), scoped to
 * their transaction; a non-transactional step (CREATE INDEX CONCURRENTLY) runs
 * on a one-connection session that sets them first, for the session. That
 * needs a session of its own: on a direct connection or through a pooler in
 * session mode, never through transaction pooling (db/pooler.ts refuses it there).
 * They are set with a statement, not as startup parameters, because PgBouncer
 * refuses a login that sends those ("unsupported startup parameter").
 *
 * Also client_connection_check_interval (PostgreSQL >= 14): without it, the
 * backend of a run killed mid-statement (or while queued for a lock) carries on
 * until that statement ends, holding its locks, before it notices its client is
 * gone. Where the server does not support it, it is quietly left unset.
 */
import type { Knex } from 'knex';
import { createKnex } from '../db/create-knex';
import { ConfigError } from '../errors';
import { MAX_TIMEOUT_SECONDS } from './run-defaults';

export interface SessionTimeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

export { MAX_TIMEOUT_SECONDS };

/**
 * The limits in PostgreSQL's milliseconds, from --lock-timeout and --statement-timeout in seconds.
 * 0 means "wait forever" to PostgreSQL, so a limit above 0 never rounds down to it: 0.0001 s is 1 ms.
 * A value PostgreSQL would refuse is refused here, before connecting.
 */
export function sessionTimeouts(seconds: { lockTimeout: number; statementTimeout: number }): SessionTimeouts {
  return {
    lockTimeoutMs: milliseconds('--lock-timeout', seconds.lockTimeout),
    statementTimeoutMs: milliseconds('--statement-timeout', seconds.statementTimeout),
  };
}

function milliseconds(option: string, seconds: number): number {
  if (!(seconds >= 0 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new ConfigError(
      `${option} is ${seconds}, outside what PostgreSQL accepts (0 to ${MAX_TIMEOUT_SECONDS} seconds).`,
      'Give a number of seconds in that range; 0 waits indefinitely.',
    );
  }
  return seconds === 0 ? 0 : Math.max(1, Math.round(seconds * 1000));
}

/** Sets the limits for the rest of `trx`, and returns its backend pid. */
export async function applyLocalTimeouts(trx: Knex.Transaction, t: SessionTimeouts): Promise<number> {
  const { rows } = await trx.raw(
    `SELECT pg_backend_pid() AS pid, set_config('lock_timeout', ?, true), set_config('statement_timeout', ?, true), ${CHECK_FOR_DEAD_CLIENT(true)}, ${MARK_AS_MIGRATION(true)}`,
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

/** Marks the engine's own writes, which the drain triggers (src/drain/write-recorder.ts) must not count as the old application's. */
const MARK_AS_MIGRATION = (local: boolean) => `set_config('konstruct_migrate.run', 'on', ${local})`;

/** Runs `work` on a dedicated one-connection knex whose session has the limits set. */
export async function withTimeoutSession<T>(knex: Knex, t: SessionTimeouts, work: (session: Knex, pid: number) => Promise<T>): Promise<T> {
  const session = await createKnex({ ...(knex.client.config as Knex.Config), pool: { min: 0, max: 1 } });
  try {
    const { rows } = await session.raw(
      `SELECT pg_backend_pid() AS pid, set_config('lock_timeout', ?, false), set_config('statement_timeout', ?, false), ${CHECK_FOR_DEAD_CLIENT(false)}, ${MARK_AS_MIGRATION(false)}`,
      [`${t.lockTimeoutMs}ms`, `${t.statementTimeoutMs}ms`],
    );
    return await work(session, rows[0].pid);
  } finally {
    await session.destroy();
  }
}
