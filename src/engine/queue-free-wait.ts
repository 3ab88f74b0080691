/**
 * Waiting for a table OUTSIDE PostgreSQL's lock queue. A lock request queues
 * behind every session that holds a conflicting lock, and every later request
 * that conflicts with it queues behind *it*: a migration that asks for
 * ACCESS EXCLUSIVE while a long transaction reads the table stalls the whole
 * application until lock_timeout withdraws it. So, before a retry, the engine
 * does not ask: it looks, from a connection that holds nothing, for sessions
 * that hold or wait for a lock on the relation that conflicts with the mode it
 * needs, and polls until there are none (or --lock-budget is spent). Only then
 * does it ask again, with the short lock_timeout: that stays the backstop for
 * the race between looking and asking.
 *
 * Which relation and mode: learned, not declared. The first attempt of a step
 * asks directly (most of the time nothing is in the way, and a step's tables
 * are often only known to its own code: knex builders, raw SQL, a batch
 * function); when it times out, the lock-wait watcher (lock-wait-watcher.ts)
 * has seen what it waited for, and every retry of that step first waits here.
 * Declaring tables per step would need every hand-written step to list them
 * correctly, and a wrong list would silently queue; learning needs nothing
 * from the author and is exact. Its cost, the first encounter with a long
 * transaction, is bounded by making a step's first attempt a short probe
 * (first-attempt-probe.ts): it queues for at most 50 ms, not one lock_timeout.
 *
 * Not counted as "in the way": transactions younger than SHORT_MS (the
 * application's own short queries come and go all the time; waiting until none
 * is running would never end, and the lock_timeout covers them), and
 * autovacuum workers (a lock request cancels them; waiting would not).
 */
import type { Knex } from 'knex';
import { describeSession, formatSeconds, SESSION_COLUMNS, type SessionInfo } from '../db/session-info';
import { sleep } from '../db/backoff';

/** Lock modes that conflict with each mode (PostgreSQL manual, "Table-Level Locks"). */
const CONFLICTS: Record<string, readonly string[]> = {
  AccessShareLock: ['AccessExclusiveLock'],
  RowShareLock: ['ExclusiveLock', 'AccessExclusiveLock'],
  RowExclusiveLock: ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareUpdateExclusiveLock: ['ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareRowExclusiveLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ExclusiveLock: ['RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  AccessExclusiveLock: [
    'AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock',
  ],
};

export function conflictingModes(mode: string): readonly string[] {
  return CONFLICTS[mode] ?? CONFLICTS.AccessExclusiveLock!;
}

/** A transaction younger than this is the application's ordinary traffic, not "in the way" (see above). */
const SHORT_MS = 100;
const POLL_MS = 200;
/** While waiting, a line this often (and whenever who is in the way changes). */
const REPORT_EVERY_MS = 5_000;

export interface InTheWay extends SessionInfo {
  mode: string;
  granted: boolean;
}

/** Sessions other than ours that hold or wait for a lock on `relation` conflicting with `mode`, oldest transaction first. */
export async function sessionsInTheWay(knex: Knex, relation: string, mode: string): Promise<InTheWay[]> {
  const { rows } = await knex.raw(
    `SELECT DISTINCT ON (a.xact_start, a.pid) ${SESSION_COLUMNS}, l.mode, l.granted
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.relation = to_regclass(?) AND l.mode = ANY(?) AND l.pid <> pg_backend_pid()
        AND a.backend_type IS DISTINCT FROM 'autovacuum worker'
        AND now() - coalesce(a.xact_start, a.query_start, now()) >= make_interval(secs => ?)
      ORDER BY a.xact_start NULLS LAST, a.pid`,
    [relation, [...conflictingModes(mode)], SHORT_MS / 1000],
  );
  return rows as InTheWay[];
}

/** `pid 4242 ("billing-worker", holds AccessShareLock, transaction open for 8 s)` */
export function describeInTheWay(sessions: InTheWay[]): string {
  return sessions
    .slice(0, 3)
    .map((s) =>
      describeSession(s, [
        `${s.granted ? 'holds' : 'waits for'} ${s.mode}`,
        s.transactionSeconds !== null ? `transaction open for ${formatSeconds(s.transactionSeconds)}` : undefined,
      ]),
    )
    .join('; ') + (sessions.length > 3 ? `; and ${sessions.length - 3} more` : '');
}

/**
 * Polls until no session is in the way of `mode` on `relation`; resolves to true then,
 * or to false when `deadline` (Date.now() ms) passes first. Holds no lock while it waits.
 */
export async function waitOutsideLockQueue(
  knex: Knex,
  target: { relation: string; mode: string; what: string; deadline: number },
  log: (line: string) => void,
): Promise<boolean> {
  const started = Date.now();
  let reported = '';
  let reportedAt = 0;
  for (;;) {
    const inTheWay = await sessionsInTheWay(knex, target.relation, target.mode);
    if (inTheWay.length === 0) {
      if (reported) log(`${target.what}: nothing is in the way of ${target.mode} on ${target.relation} any more (waited ${formatSeconds((Date.now() - started) / 1000)}); asking for it`);
      return true;
    }
    const who = inTheWay.map((s) => s.pid).join(',');
    if (who !== reported || Date.now() - reportedAt >= REPORT_EVERY_MS) {
      log(
        `${target.what}: waiting outside the lock queue for ${target.mode} on ${target.relation} ` +
          `(${formatSeconds((Date.now() - started) / 1000)} so far), in the way: ${describeInTheWay(inTheWay)}`,
      );
      reported = who;
      reportedAt = Date.now();
    }
    if (Date.now() + POLL_MS > target.deadline) return false;
    await sleep(POLL_MS);
  }
}
