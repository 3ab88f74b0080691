/**
 * How long a migration holds the AccessExclusiveLock on a table: the time every
 * query of the application on that table waits.
 *
 * A second connection samples pg_locks every few milliseconds for a granted
 * AccessExclusiveLock on the table. Each holding transaction it sees is then
 * measured on the server's clock, never shorter than it was: from the start of
 * the last sample that did not see the lock yet (or the transaction's start,
 * pg_stat_activity.xact_start, if that is later), so early by at most one
 * interval; to its commit (pg_xact_commit_timestamp, exact, when
 * track_commit_timestamp is on), or else to the first sample that no longer sees
 * the lock (late by at most one interval). A transaction that does other work
 * before it takes the lock is not charged for that work.
 * A hold shorter than the interval may go unseen; it is then reported as
 * "under one interval".
 */
import type pg from 'pg';
import { connect } from './databases';

export type HoldEnd = 'commit timestamp' | 'sampled';

export interface LockHold {
  /** The longest single hold; with `observed: false`, the sampling interval (an upper bound). */
  ms: number;
  observed: boolean;
  /** How many separate transactions held the lock. */
  holds: number;
  end: HoldEnd | null;
}

interface Episode {
  pid: number;
  xid: string | null;
  /** Epoch seconds, server clock: no later than the moment the lock was taken. */
  start: number;
  goneAt: number | null;
}

export interface LockWatch {
  /** Stops sampling (after one last sample) and measures what was seen. */
  stop(): Promise<LockHold>;
}

/**
 * Every sample: who holds the lock now. Kept as cheap as it can be (pg_locks alone,
 * a prepared statement): it runs 200 times a second beside the migration it
 * measures, and joining pg_stat_activity each time made a short run ~50 ms slower.
 */
const HOLDERS = `
  SELECT extract(epoch FROM statement_timestamp())::float8 AS began, extract(epoch FROM clock_timestamp())::float8 AS now,
         l.pid, l.virtualtransaction AS vxid
  FROM (SELECT 1) AS one
  LEFT JOIN pg_locks l ON l.locktype = 'relation' AND l.database = $1 AND l.relation = $2
                      AND l.mode = 'AccessExclusiveLock' AND l.granted AND l.pid IS NOT NULL`;

/** Once per holding transaction: when it started, and its xid (for its commit timestamp); no row once it has ended. */
const HOLDER_DETAILS = `
  SELECT extract(epoch FROM a.xact_start)::float8 AS xact_start, a.backend_xid::text AS xid
  FROM pg_stat_activity a
  WHERE a.pid = $1 AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.virtualtransaction = $2)`;

export async function watchExclusiveLock(databaseUrl: string, table: string, intervalMs: number): Promise<LockWatch> {
  const client = await connect(databaseUrl);
  const { rows: [ids] } = await client.query(
    `SELECT (SELECT oid FROM pg_database WHERE datname = current_database()) AS db, $1::regclass::oid AS rel`,
    [table],
  );
  const episodes = new Map<string, Episode>();
  let stopping = false;
  /** When the previous sample started reading pg_locks: a lock it did not see was taken after this. */
  let previousSampleBegan = -Infinity;

  const sample = async () => {
    const { rows } = await client.query({ name: 'lock-holders', text: HOLDERS, values: [ids.db, ids.rel] });
    const seen = new Set<string>();
    for (const row of rows) {
      if (row.pid === null) continue;
      const key = `${row.pid}@${row.vxid}`;
      seen.add(key);
      if (!episodes.has(key)) episodes.set(key, await newEpisode(row.pid, row.vxid));
    }
    for (const [key, episode] of episodes) {
      if (episode.goneAt === null && !seen.has(key)) episode.goneAt = rows[0].now;
    }
    previousSampleBegan = rows[0].began;
  };

  const newEpisode = async (pid: number, vxid: string): Promise<Episode> => {
    const { rows: [details] } = await client.query({ name: 'lock-holder-details', text: HOLDER_DETAILS, values: [pid, vxid] });
    const start = Math.max(details?.xact_start ?? -Infinity, previousSampleBegan);
    if (start === -Infinity) throw new Error(`backend ${pid} already held the lock when sampling started`);
    return { pid, xid: details?.xid ?? null, start, goneAt: null };
  };

  const loop = (async () => {
    while (!stopping) {
      const started = performance.now();
      await sample();
      await sleep(Math.max(0, intervalMs - (performance.now() - started)));
    }
    await sample();
  })();
  // A failed sample surfaces from stop(); until then it must not count as an unhandled rejection.
  loop.catch(() => {});

  return {
    stop: async () => {
      stopping = true;
      try {
        await loop;
        return await measure([...episodes.values()], client, intervalMs);
      } finally {
        await client.end();
      }
    },
  };
}

async function measure(episodes: Episode[], client: pg.Client, intervalMs: number): Promise<LockHold> {
  if (episodes.length === 0) return { ms: intervalMs, observed: false, holds: 0, end: null };
  let longest = { ms: 0, end: 'sampled' as HoldEnd };
  for (const episode of episodes) {
    const committed = episode.xid ? await commitTimestamp(client, episode.xid) : null;
    const end = committed ?? episode.goneAt;
    if (end === null) throw new Error(`the lock held by backend ${episode.pid} was still held when sampling stopped`);
    const ms = (end - episode.start) * 1000;
    if (ms >= longest.ms) longest = { ms, end: committed === null ? 'sampled' : 'commit timestamp' };
  }
  return { ms: longest.ms, observed: true, holds: episodes.length, end: longest.end };
}

/** Epoch seconds of the commit, or null when the server does not track it (track_commit_timestamp off). */
async function commitTimestamp(client: pg.Client, xid: string): Promise<number | null> {
  try {
    const { rows } = await client.query(`SELECT extract(epoch FROM pg_xact_commit_timestamp($1::xid))::float8 AS at`, [xid]);
    return rows[0].at;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
