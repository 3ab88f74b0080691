/**
 * The migration lock: a PostgreSQL *session* advisory lock, held on a dedicated
 * connection for the whole run. The server frees it the moment that connection
 * ends, so a run killed at any point (SIGKILL included) leaves nothing behind —
 * unlike knex's lock table, which a killed run leaves "already locked".
 *
 * It is taken with pg_try_advisory_lock in a loop with jittered backoff rather
 * than a blocking pg_advisory_lock: a session blocked inside a statement keeps a
 * snapshot open, and a holder running CREATE INDEX CONCURRENTLY waits for every
 * such snapshot — a deadlock PostgreSQL does not detect. Between tries the
 * waiter holds nothing.
 *
 * Advisory locks are per database: runs against other databases on the same
 * server never wait for each other.
 */
import os from 'node:os';
import type { Knex } from 'knex';
import type { Client } from 'pg';
import { LockTimeoutError } from '../errors';
import { backoffDelay, sleep } from '../engine/backoff';
import { describeSession, formatSeconds, SESSION_COLUMNS, type SessionInfo } from './session-info';

/** (classid, objid) of the lock in pg_locks: 'KMIG' and 1, taken with the two-int4 form (objsubid = 2). */
export const MIGRATION_LOCK_KEY = [0x4b4d4947, 1] as const;
const WAIT_BACKOFF = { initialMs: 50, maxMs: 2_000 };
/** While waiting, say again who holds the lock this often. */
const REPORT_EVERY_MS = 10_000;

export interface LockOptions {
  /** How long to wait for another run to finish; 0 tries once. */
  waitSeconds: number;
  /** The command taking the lock, shown to whoever waits for it (e.g. "up"). */
  command: string;
  log: (line: string) => void;
}

export interface MigrationLock {
  /** Backend pid of the session that holds the lock. */
  pid: number;
  /** Throws if the lock's session has gone (the lock is then free for others). */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

export async function acquireMigrationLock(knex: Knex, options: LockOptions): Promise<MigrationLock> {
  // A connection of its own, outside the pool: its lifetime is the lock's lifetime.
  const conn: Client = await knex.client.acquireRawConnection();
  const end = () => knex.client.destroyRawConnection(conn).catch(() => {});
  try {
    const pid = await waitForLock(conn, options);
    return {
      pid,
      assertHeld: () => assertHeld(knex, pid),
      release: async () => {
        await conn.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK_KEY]).catch(() => {});
        await end();
      },
    };
  } catch (error) {
    await end();
    throw error;
  }
}

async function waitForLock(conn: Client, options: LockOptions): Promise<number> {
  const deadline = Date.now() + options.waitSeconds * 1000;
  let lastReport = -Infinity;
  for (let attempt = 0; ; attempt++) {
    // Named for whoever waits behind it (set_config first: select items are evaluated in order).
    const { rows } = await conn.query(
      `SELECT set_config('application_name', $3, false), pg_try_advisory_lock($1, $2) AS locked, pg_backend_pid() AS pid`,
      [...MIGRATION_LOCK_KEY, lockSessionName(options.command)],
    );
    if (rows[0].locked) return rows[0].pid;

    const holder = await lockHolder(conn);
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new LockTimeoutError(
        `another migration run holds the lock on this database${holder ? `: ${describeHolder(holder)}` : ''}; gave up after ${formatSeconds(options.waitSeconds)}`,
        'Let it finish, or wait longer with --lock-wait <seconds>. If it hangs, end that session: ' +
          (holder ? `SELECT pg_terminate_backend(${holder.pid})` : 'see pg_locks where locktype = \'advisory\''),
      );
    }
    if (Date.now() - lastReport >= REPORT_EVERY_MS) {
      lastReport = Date.now();
      options.log(
        `waiting for the migration lock${holder ? `, held by ${describeHolder(holder)}` : ''} (up to ${formatSeconds(remaining / 1000)} more; --lock-wait)`,
      );
    }
    await sleep(Math.min(backoffDelay(attempt, WAIT_BACKOFF), remaining));
  }
}

/** The session holding the lock, when PostgreSQL shows it (it may end between two queries). */
async function lockHolder(conn: Client): Promise<SessionInfo | undefined> {
  const { rows } = await conn.query(
    `SELECT ${SESSION_COLUMNS}
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE ${lockRow('$1', '$2')}`,
    [...MIGRATION_LOCK_KEY],
  );
  return rows[0];
}

/** The holder's session idles after taking the lock, so the time since its last state change is how long it has held it. */
function describeHolder(holder: SessionInfo): string {
  return describeSession(holder, [holder.stateSeconds !== null ? `holding it for ${formatSeconds(holder.stateSeconds)}` : undefined]);
}

async function assertHeld(knex: Knex, pid: number): Promise<void> {
  const { rows } = await knex.raw(`SELECT 1 FROM pg_locks l WHERE ${lockRow('?', '?')} AND l.pid = ?`, [...MIGRATION_LOCK_KEY, pid]);
  if (rows.length === 0) {
    throw new LockTimeoutError(
      'lost the migration lock: its database session ended (terminated, or the connection dropped)',
      'Nothing more was run. Check `konstruct-migrate status`, then run the command again.',
    );
  }
}

/** The granted row of the lock in pg_locks (alias `l`), given placeholders for the two keys. */
function lockRow(classid: string, objid: string): string {
  return `l.locktype = 'advisory' AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = ${classid} AND l.objid = ${objid} AND l.objsubid = 2`;
}

/** application_name of the lock session, so a waiter can say which run it waits for (PostgreSQL keeps 63 bytes). */
function lockSessionName(command: string): string {
  return `konstruct-migrate ${command} (pid ${process.pid} on ${os.hostname()})`.slice(0, 63);
}
