/**
 * The lock fence: no work commits unless its run still holds the migration lock.
 *
 * The migration lock lives in a transaction on a connection of its own
 * (advisory-lock.ts), while the work runs on other connections. If the lock's
 * session ends mid-step (pg_terminate_backend, a cut connection, a pooler
 * reset), the lock is free at once and another run may take it while the first
 * one's work is still in flight. Two rules close that race completely:
 *
 *   1. Every work transaction, right before its COMMIT and in that same
 *      transaction, takes the *fence* key (FENCE_KEY) in SHARED mode, then
 *      proves that its run's lock holder — identified by pid and backend_start,
 *      so a reused pid does not count — still holds the migration lock
 *      (pg_locks, which is server-wide, so this works through PgBouncer in
 *      transaction mode too). If not, it raises LOCK_LOST_SQLSTATE and the
 *      transaction rolls back (the caller reports LockLostError).
 *   2. A run that has just taken the migration lock takes the fence key
 *      EXCLUSIVELY once (waitOutLostRuns), before it reads the history and the
 *      phase state. That is granted only when no transaction holds the fence
 *      shared: it waits out any work transaction of a run that lost the lock.
 *
 * Why no interleaving lets both runs commit the same work: say run A lost its
 * lock and run B took it. B's exclusive fence comes after A lost the lock.
 *   - If A's work transaction took the fence before B did, B waits until that
 *     transaction ends; B then reads the history and sees A's commit.
 *   - If B's fence came first, A's shared fence (and so its check) comes after
 *     A lost the lock: the check fails, and A's transaction rolls back.
 * The check must come after the shared fence is granted; the fence must be held
 * until COMMIT, which a transaction-level advisory lock is.
 *
 * A migration that runs outside a transaction (CREATE INDEX CONCURRENTLY) cannot
 * be fenced, only its history row is; such statements must be safe to redo.
 */
import type { Knex } from 'knex';
import { LockTimeoutError } from '../errors';
import { backoffDelay, sleep } from './backoff';
import { advisoryLockRow, BACKEND_START_UTC, LOCK_ROW, MIGRATION_LOCK_KEY, type LockHolder } from './advisory-lock';
import { formatSeconds } from './session-info';

/** (classid, objid) of the fence: the migration lock's classid, objid 2 (two-int4 form). */
export const FENCE_KEY = [MIGRATION_LOCK_KEY[0], 2] as const;
const WAIT_BACKOFF = { initialMs: 20, maxMs: 1_000 };

/** SQLSTATE the fence raises when its run lost the lock ('KM': konstruct-migrate's own class). */
export const LOCK_LOST_SQLSTATE = 'KM001';

/**
 * The fence as one statement, run last in a work transaction and sent in the
 * same round trip as its COMMIT (work-transaction.ts): the check raises
 * LOCK_LOST_SQLSTATE inside the server, so the COMMIT after it in that
 * query string never runs and the transaction rolls back. One round trip
 * instead of four, while the step's locks are held. Only literals: the
 * holder's pid (a number) and backend_start (quoted), so it can go out as a
 * simple query with the COMMIT.
 */
export function lockHeldCheck(holder: LockHolder): string {
  const started = `'${holder.backendStart.replace(/'/g, "''")}'`;
  // pg_stat_get_activity(pid) reads one session, where the pg_stat_activity view reads them all.
  return `DO $fence$ BEGIN
    PERFORM pg_advisory_xact_lock_shared(${FENCE_KEY.join(', ')});
    -- pg_stat_activity is read once per transaction and kept: a read earlier in this one would be stale.
    PERFORM pg_stat_clear_snapshot();
    IF NOT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_get_activity(${Number(holder.pid)}) a ON a.pid = l.pid
                    WHERE ${LOCK_ROW} AND ${BACKEND_START_UTC} = ${started}) THEN
      RAISE EXCEPTION 'konstruct-migrate: this run no longer holds the migration lock' USING ERRCODE = '${LOCK_LOST_SQLSTATE}';
    END IF;
  END $fence$`;
}

/**
 * Right after taking the migration lock: waits until no work transaction of a
 * run that lost the lock can still commit. Tried, never waited for inside a
 * statement (a blocked statement holds a snapshot, see advisory-lock.ts); each
 * try is one statement, so the exclusive fence is released as soon as it is granted.
 */
export async function waitOutLostRuns(knex: Knex, options: { waitSeconds: number; log: (line: string) => void }): Promise<void> {
  const deadline = Date.now() + options.waitSeconds * 1000;
  for (let attempt = 0; ; attempt++) {
    const { rows } = await knex.raw(`SELECT pg_try_advisory_xact_lock(${FENCE_KEY.join(', ')}) AS free`);
    if (rows[0].free) return;
    const pids = await fenceHolders(knex);
    if (Date.now() >= deadline) {
      throw new LockTimeoutError(
        `a transaction of a run that lost the migration lock is still committing (pid ${pids.join(', ')}); gave up after ${formatSeconds(options.waitSeconds)}`,
        `Nothing was run. If it hangs, end it: SELECT pg_terminate_backend(${pids[0] ?? '<pid>'}); then run the command again.`,
      );
    }
    if (attempt === 0) options.log(`waiting for pid ${pids.join(', ')}, a transaction of a run that lost the migration lock, to end`);
    await sleep(Math.min(backoffDelay(attempt, WAIT_BACKOFF), Math.max(0, deadline - Date.now())));
  }
}

async function fenceHolders(knex: Knex): Promise<number[]> {
  const { rows } = await knex.raw(
    `SELECT l.pid FROM pg_locks l WHERE ${advisoryLockRow(FENCE_KEY)} ORDER BY l.pid`,
  );
  return rows.map((r: { pid: number }) => r.pid);
}
