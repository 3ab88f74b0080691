/**
 * Which locks a migration holds on a table, in which mode, and for how long:
 * what the application's queries on that table may wait for.
 *
 * A second connection samples pg_locks every few milliseconds for locks on the
 * table, leaving out the backends it is told belong to the application, and
 * server processes such as autovacuum workers. Each
 * (transaction, mode) it sees granted is a hold, measured on the server's
 * clock, never shorter than it was: from the start of the last sample that did
 * not see it yet (or the transaction's start, pg_stat_activity.xact_start, if
 * that is later), so early by at most one interval; to its commit
 * (pg_xact_commit_timestamp, exact, when track_commit_timestamp is on and the
 * transaction wrote), or else to the first sample that no longer sees it (late
 * by at most one interval). A transaction that does other work before it takes
 * the lock is not charged for that work. A hold shorter than the interval may
 * go unseen.
 *
 * A request still waiting (not granted) is kept apart: from pg_locks.waitstart
 * to the first sample that no longer sees it waiting. While it waits, the
 * application's conflicting queries queue behind it.
 */
import type pg from 'pg';
import { connect } from './databases';
import { startSampling } from './sampling-loop';

export type HoldEnd = 'commit timestamp' | 'sampled';

/** One transaction's hold of (or wait for) one lock mode; times are epoch seconds on the server's clock. */
export interface LockEpisode {
  pid: number;
  mode: string;
  granted: boolean;
  start: number;
  end: number;
  endedBy: HoldEnd;
}

/** The longest hold of one mode, as the results show it. */
export interface LockHold {
  /** The longest single hold; with `observed: false`, the sampling interval (an upper bound). */
  ms: number;
  observed: boolean;
  /** How many separate transactions held the lock. */
  holds: number;
  end: HoldEnd | null;
}

export interface LockWatch {
  /** Stops sampling (after one last sample) and measures what was seen. */
  stop(): Promise<LockEpisode[]>;
}

interface Open {
  pid: number;
  vxid: string;
  mode: string;
  granted: boolean;
  start: number;
  goneAt: number | null;
}

/**
 * Every sample: who holds or waits for a lock on the table now. Kept as cheap as
 * it can be (pg_locks alone, a prepared statement): it runs 200 times a second
 * beside the migration it measures, and joining pg_stat_activity each time made
 * a short run ~50 ms slower.
 */
const HOLDERS = `
  SELECT extract(epoch FROM statement_timestamp())::float8 AS began, extract(epoch FROM clock_timestamp())::float8 AS now,
         l.pid, l.virtualtransaction AS vxid, l.mode, l.granted, extract(epoch FROM l.waitstart)::float8 AS waitstart
  FROM (SELECT 1) AS one
  LEFT JOIN pg_locks l ON l.locktype = 'relation' AND l.database = $1 AND l.relation = $2
                      AND l.pid IS NOT NULL AND l.pid <> ALL($3::int[])`;

/** Per holding transaction: when it started, its xid (for its commit timestamp) once it has one, and what kind of backend it is. */
const HOLDER_DETAILS = `
  SELECT extract(epoch FROM a.xact_start)::float8 AS xact_start, a.backend_xid::text AS xid, a.backend_type
  FROM pg_stat_activity a
  WHERE a.pid = $1 AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.virtualtransaction = $2)`;

/** `ignoredPids` is read at every sample, so backends that connect later can be added to it. */
export async function watchTableLocks(databaseUrl: string, table: string, intervalMs: number, ignoredPids: () => Iterable<number> = () => []): Promise<LockWatch> {
  const client = await connect(databaseUrl);
  const { rows: [ids] } = await client.query(
    `SELECT (SELECT oid FROM pg_database WHERE datname = current_database()) AS db, $1::regclass::oid AS rel`,
    [table],
  );
  const episodes = new Map<string, Open>();
  /** Per transaction (pid@vxid): its start, and its xid, looked up again while it has none yet. */
  const transactions = new Map<string, { xactStart: number | null; xid: string | null }>();
  /** When the previous sample started reading pg_locks: a lock it did not see was taken after this. */
  let previousSampleBegan = -Infinity;

  /** Transactions (pid@vxid) of server processes that are not client sessions (autovacuum workers): left out. */
  const background = new Set<string>();

  const sample = async () => {
    const { rows } = await client.query({ name: 'lock-holders', text: HOLDERS, values: [ids.db, ids.rel, [...ignoredPids()]] });
    const seen = new Set<string>();
    for (const row of rows) {
      if (row.pid === null) continue;
      const transaction = `${row.pid}@${row.vxid}`;
      if (background.has(transaction)) continue;
      const known = transactions.get(transaction);
      if (!known || (known.xid === null && row.granted)) {
        const { rows: [details] } = await client.query({ name: 'lock-holder-details', text: HOLDER_DETAILS, values: [row.pid, row.vxid] });
        // Autovacuum takes SHARE UPDATE EXCLUSIVE on a table the migration has just rewritten: not the migration's.
        if (details && details.backend_type !== 'client backend') {
          background.add(transaction);
          continue;
        }
        transactions.set(transaction, { xactStart: known?.xactStart ?? details?.xact_start ?? null, xid: details?.xid ?? null });
      }
      const key = `${transaction}/${row.mode}/${row.granted}`;
      seen.add(key);
      if (!episodes.has(key)) episodes.set(key, newEpisode(row, transactions.get(transaction)!.xactStart));
    }
    for (const [key, episode] of episodes) {
      if (episode.goneAt === null && !seen.has(key)) episode.goneAt = rows[0].now;
    }
    previousSampleBegan = rows[0].began;
  };

  const newEpisode = (row: { pid: number; vxid: string; mode: string; granted: boolean; waitstart: number | null }, xactStart: number | null): Open => {
    const start = row.granted ? Math.max(xactStart ?? -Infinity, previousSampleBegan) : (row.waitstart ?? previousSampleBegan);
    if (start === -Infinity) throw new Error(`backend ${row.pid} already held ${row.mode} when sampling started`);
    return { pid: row.pid, vxid: row.vxid, mode: row.mode, granted: row.granted, start, goneAt: null };
  };

  const sampling = startSampling(intervalMs, sample);

  return {
    stop: async () => {
      try {
        await sampling.stop();
        return await measure([...episodes.values()], transactions, client);
      } finally {
        await client.end();
      }
    },
  };
}

async function measure(open: Open[], transactions: Map<string, { xid: string | null }>, client: pg.Client): Promise<LockEpisode[]> {
  const episodes: LockEpisode[] = [];
  for (const episode of open) {
    const xid = episode.granted ? transactions.get(`${episode.pid}@${episode.vxid}`)?.xid : null;
    const committed = xid ? await commitTimestamp(client, xid) : null;
    const end = committed ?? episode.goneAt;
    if (end === null) throw new Error(`the ${episode.mode} of backend ${episode.pid} was still there when sampling stopped`);
    episodes.push({ pid: episode.pid, mode: episode.mode, granted: episode.granted, start: episode.start, end, endedBy: committed === null ? 'sampled' : 'commit timestamp' });
  }
  return episodes.sort((a, b) => a.start - b.start);
}

/** The longest hold of one mode among episodes; with none seen, the sampling interval as an upper bound. */
export function longestHold(episodes: LockEpisode[], mode: string, intervalMs: number): LockHold {
  const holds = episodes.filter((e) => e.granted && e.mode === mode);
  if (holds.length === 0) return { ms: intervalMs, observed: false, holds: 0, end: null };
  const longest = holds.reduce((a, b) => (b.end - b.start >= a.end - a.start ? b : a));
  return { ms: (longest.end - longest.start) * 1000, observed: true, holds: holds.length, end: longest.endedBy };
}

/** Epoch seconds of the commit, or null when the server does not track it or the transaction did not commit. */
async function commitTimestamp(client: pg.Client, xid: string): Promise<number | null> {
  try {
    const { rows } = await client.query(`SELECT extract(epoch FROM pg_xact_commit_timestamp($1::xid))::float8 AS at`, [xid]);
    return rows[0].at;
  } catch {
    return null;
  }
}
