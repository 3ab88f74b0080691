/**
 * While a migration runs, watches from a second connection whether its backend
 * is waiting for a lock, and on what, behind whom. PostgreSQL's lock_timeout
 * error (55P03) names neither the table nor the blocker, and once it is raised
 * the wait is gone; so we look while the wait is happening.
 */
import type { Knex } from 'knex';
import { describeSession, formatSeconds, SESSION_COLUMNS, type SessionInfo } from '../db/session-info';

export interface LockWait {
  /** The table (or other relation) waited for; null for a wait on a row or transaction. */
  relation: string | null;
  locktype: string;
  mode: string;
  blockers: SessionInfo[];
}

const POLL_MS = 200;
/** The first look: after this long, not at once (see watchLockWaits). */
const FIRST_LOOK_MS = 100;

export interface LockWaitWatcher {
  /** Stops watching; resolves to the last wait seen, if any. */
  stop(): Promise<LockWait | undefined>;
}

/** When the watcher first looks and how often after that; a probe attempt (first-attempt-probe.ts) looks sooner and more often. */
export interface WatchTiming {
  firstLookMs: number;
  pollMs: number;
}

export function watchLockWaits(
  knex: Knex,
  pid: number,
  onFirstWait: (wait: LockWait) => void,
  timing: WatchTiming = { firstLookMs: FIRST_LOOK_MS, pollMs: POLL_MS },
): LockWaitWatcher {
  let latest: LockWait | undefined;
  let stopped = false;
  let wake = () => {};
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    // The first look comes a moment later, not at once: a wait shorter than that is not worth
    // reporting, and a step that finishes sooner never opens the watching connection (whose
    // log-in would compete for the CPU with the step itself).
    await pause(timing.firstLookMs);
    while (!stopped) {
      const wait = await observeLockWait(knex, pid).catch(() => undefined);
      if (wait && !stopped) {
        if (!latest) onFirstWait(wait);
        if (!latest || namesMore(wait, latest)) latest = wait;
      }
      await pause(timing.pollMs);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      wake();
      await loop;
      return latest;
    },
  };
}

/**
 * Whether a later look replaces an earlier one. pg_locks is read first and pg_blocking_pids after it, so a look
 * that lands as the wait ends (lock_timeout, or the lock granted) sees the wait but no one blocking it: that look
 * must not erase the blockers an earlier look named (seen under load: a probe reported "a session PostgreSQL did
 * not name" for a wait whose blocker had been named 15 ms before).
 */
export function namesMore(later: LockWait, earlier: LockWait): boolean {
  return later.blockers.length > 0 || earlier.blockers.length === 0;
}

async function observeLockWait(knex: Knex, pid: number): Promise<LockWait | undefined> {
  const { rows } = await knex.raw(
    `SELECT l.relation::regclass::text AS relation, l.locktype, l.mode, pg_blocking_pids(l.pid) AS blockers
       FROM pg_locks l WHERE l.pid = ? AND NOT l.granted LIMIT 1`,
    [pid],
  );
  if (rows.length === 0) return undefined;
  const { relation, locktype, mode, blockers } = rows[0] as { relation: string | null; locktype: string; mode: string; blockers: number[] };
  const sessions = blockers.length
    ? (await knex.raw(`SELECT ${SESSION_COLUMNS} FROM pg_stat_activity a WHERE a.pid = ANY(?) ORDER BY a.xact_start NULLS LAST`, [blockers])).rows
    : [];
  return { relation, locktype, mode, blockers: sessions };
}

/** `AccessExclusiveLock on portal_users` */
export function describeWaitTarget(wait: LockWait): string {
  if (wait.relation) return `${wait.mode} on ${wait.relation}`;
  // CREATE/DROP INDEX CONCURRENTLY waits for every older transaction to end, by its virtual transaction id.
  if (wait.locktype === 'virtualxid') return 'the end of a transaction older than it (CONCURRENTLY waits for those)';
  return `${wait.mode} on a ${wait.locktype} (a row another transaction holds)`;
}

/** `pid 4242 ("psql", user app, idle in transaction, transaction open for 3 min 2 s)`, for each blocker. */
export function describeBlockers(wait: LockWait): string {
  if (wait.blockers.length === 0) return 'a session PostgreSQL did not name';
  return wait.blockers
    .slice(0, 3)
    .map((b) =>
      describeSession(b, [
        b.state ?? undefined,
        b.transactionSeconds !== null ? `transaction open for ${formatSeconds(b.transactionSeconds)}` : undefined,
      ]),
    )
    .join('; ') + (wait.blockers.length > 3 ? `; and ${wait.blockers.length - 3} more` : '');
}
