/**
 * The migration lock: a PostgreSQL *transaction-level* advisory lock, taken on
 * a dedicated connection in a transaction that stays open for the whole run
 * and is rolled back at its end. It is correct on a direct connection and
 * behind a pooler in either mode (docs/connection-poolers.md):
 *   - The open transaction pins one server connection to this run, even under
 *     PgBouncer's transaction pooling; no other client can be lent it, so the
 *     lock cannot be re-entered by another run or unlocked from a different
 *     connection (what went wrong with the session-level lock: issue 14).
 *   - A run killed at any point (SIGKILL included) leaves nothing behind: the
 *     server rolls the transaction back when the connection ends, and a pooler
 *     closes a server connection whose client left it inside a transaction.
 *   - The transaction is READ COMMITTED and assigns no transaction id, so
 *     between statements it holds no snapshot: it holds back neither VACUUM
 *     nor a CREATE INDEX CONCURRENTLY of the run itself. Every statement on
 *     its connection goes by the simple query protocol (no parameters): an
 *     extended-protocol portal keeps its snapshot until the next one, which
 *     would make that CREATE INDEX wait for the lock's transaction forever.
 *   - Its idle_in_transaction_session_timeout is switched off (locally), and a
 *     heartbeat keeps a pooler's idle-transaction timeout from ending it.
 * Session and transaction advisory locks on one key conflict, so runs of older
 * versions (which took the session form) and of this one still exclude each other.
 *
 * It is taken with pg_try_advisory_xact_lock in a loop with jittered backoff
 * rather than a blocking wait: a session blocked inside a statement keeps a
 * snapshot open, and a holder running CREATE INDEX CONCURRENTLY waits for every
 * such snapshot — a deadlock PostgreSQL does not detect. Each try is its own
 * short transaction, rolled back when the lock is not free: between tries a
 * waiter holds nothing, not even a server connection of a pooler.
 *
 * Advisory locks are per database: runs against other databases on the same
 * server never wait for each other.
 */
import os from 'node:os';
import type { Knex } from 'knex';
import type { Client } from 'pg';
import { LockLostError, LockTimeoutError } from '../errors';
import { backoffDelay, sleep } from './backoff';
import { describeSession, formatSeconds, SESSION_COLUMNS, type SessionInfo } from './session-info';

/** (classid, objid) of the lock in pg_locks: 'KMIG' and 1, taken with the two-int4 form (objsubid = 2). */
export const MIGRATION_LOCK_KEY = [0x4b4d4947, 1] as const;
const WAIT_BACKOFF = { initialMs: 50, maxMs: 2_000 };
/** A statement on the lock's connection this often, so no idle-transaction timeout of a pooler ends it. */
const HEARTBEAT_MS = 10_000;
/** While waiting, say again who holds the lock this often. */
const REPORT_EVERY_MS = 10_000;

export interface LockOptions {
  /** How long to wait for another run to finish; 0 tries once. */
  waitSeconds: number;
  /** The command taking the lock, shown to whoever waits for it (e.g. "up"). */
  command: string;
  log: (line: string) => void;
}

/** The session holding the migration lock: a pid alone could be reused by a later session. */
export interface LockHolder {
  pid: number;
  /** backend_start of that session, as BACKEND_START_UTC spells it. */
  backendStart: string;
}

/** backend_start of pg_stat_activity row `a`, spelled the same whatever the session's TimeZone or DateStyle. */
export const BACKEND_START_UTC = `to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`;

export interface MigrationLock {
  /** Backend pid of the session that holds the lock. */
  pid: number;
  /** That session, for work transactions to prove the lock is still held (lock-fence.ts). */
  holder: LockHolder;
  /** Throws if the lock's session has gone (the lock is then free for others): asks the server, one round trip. */
  assertHeld(): Promise<void>;
  /**
   * Throws if this process already knows the session has gone (its connection reported an error, or a heartbeat
   * failed), without asking the server: for work whose COMMIT the fence proves anyway (lock-fence.ts).
   */
  assertNotKnownLost(): void;
  release(): Promise<void>;
}

export async function acquireMigrationLock(knex: Knex, options: LockOptions): Promise<MigrationLock> {
  // A connection of its own, outside the pool: its open transaction is the lock.
  const conn: Client = await knex.client.acquireRawConnection();
  let lost = false;
  conn.on('error', () => (lost = true)); // e.g. terminated by an administrator: reported by assertHeld
  const end = () => knex.client.destroyRawConnection(conn).catch(() => {});
  try {
    const pid = await waitForLock(conn, options);
    const holder = { pid, backendStart: await backendStart(conn) };
    const heartbeat = setInterval(() => void conn.query('SELECT 1').catch(() => (lost = true)), HEARTBEAT_MS);
    heartbeat.unref();
    return {
      pid,
      holder,
      assertHeld: () => assertHeld(conn, lost),
      assertNotKnownLost: () => {
        if (lost) throw new LockLostError({ rolledBack: false });
      },
      release: async () => {
        clearInterval(heartbeat);
        await conn.query('ROLLBACK').catch(() => {});
        await end();
      },
    };
  } catch (error) {
    await end();
    throw error;
  }
}

/**
 * One try, in one round trip: open a transaction and try the lock in it. The
 * session is named for whoever waits behind it, and kept from being ended as
 * idle in transaction; both settings are local to the transaction, so nothing
 * stays on a server connection a pooler lends to others afterwards.
 */
function tryLockStatement(conn: Client, command: string): string {
  return `BEGIN ISOLATION LEVEL READ COMMITTED;
    SELECT set_config('application_name', ${conn.escapeLiteral(lockSessionName(command))}, true),
           set_config('idle_in_transaction_session_timeout', '0', true),
           pg_try_advisory_xact_lock(${MIGRATION_LOCK_KEY.join(', ')}) AS locked, pg_backend_pid() AS pid`;
}

async function waitForLock(conn: Client, options: LockOptions): Promise<number> {
  const deadline = Date.now() + options.waitSeconds * 1000;
  const tryLock = tryLockStatement(conn, options.command);
  let lastReport = -Infinity;
  for (let attempt = 0; ; attempt++) {
    // Several statements, no parameters: sent as one simple query, whose results come back as a list.
    const results = (await conn.query(tryLock)) as unknown as Array<{ rows: Array<{ locked: boolean; pid: number }> }>;
    const { locked, pid } = results[1]!.rows[0]!;
    if (locked) return pid;
    await conn.query('ROLLBACK');

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

/** backend_start of the lock's own session (simple protocol: see the header). */
async function backendStart(conn: Client): Promise<string> {
  const { rows } = await conn.query(`SELECT ${BACKEND_START_UTC} AS started FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()`);
  return rows[0].started;
}

/** The session holding the lock, when PostgreSQL shows it (it may end between two queries). */
async function lockHolder(conn: Client): Promise<SessionInfo | undefined> {
  const { rows } = await conn.query(
    `SELECT ${SESSION_COLUMNS}
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE ${LOCK_ROW}`,
  );
  return rows[0];
}

/**
 * How long the holder has held it: since its transaction began (this version's lock
 * lives in a transaction), else since it went idle (an older version's session lock).
 */
function describeHolder(holder: SessionInfo): string {
  const seconds = holder.transactionSeconds ?? holder.stateSeconds;
  return describeSession(holder, [seconds !== null ? `holding it for ${formatSeconds(seconds)}` : undefined]);
}

/** Asked on the lock's own connection: its transaction still holds the lock (a dead connection does not). */
async function assertHeld(conn: Client, lost: boolean): Promise<void> {
  const held =
    !lost &&
    (await conn
      .query(`SELECT 1 FROM pg_locks l WHERE ${LOCK_ROW} AND l.pid = pg_backend_pid()`)
      .then((r) => r.rows.length > 0, () => false));
  if (!held) throw new LockLostError({ rolledBack: false });
}

/** The granted row of an advisory lock in pg_locks (alias `l`); the keys written in, for the simple query protocol. */
export function advisoryLockRow(key: readonly [number, number]): string {
  return `l.locktype = 'advisory' AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = ${key[0]} AND l.objid = ${key[1]} AND l.objsubid = 2`;
}

/** The migration lock's granted row in pg_locks (alias `l`). */
export const LOCK_ROW = advisoryLockRow(MIGRATION_LOCK_KEY);

/** application_name of the lock session, so a waiter can say which run it waits for (PostgreSQL keeps 63 bytes). */
function lockSessionName(command: string): string {
  return `konstruct-migrate ${command} (pid ${process.pid} on ${os.hostname()})`.slice(0, 63);
}
