/**
 * One look at the primary's health for the backfill throttle, in one cheap
 * statement (catalog views and functions only, no table is read): its current
 * WAL position, the physical replicas streaming from it, and, when asked, the
 * archiver. Run between two batches, from a connection that holds nothing.
 */
import type { Knex } from 'knex';
import type { ArchiverState } from './archive-backlog';

export interface ReplicaState {
  pid: number;
  applicationName: string | null;
  clientAddr: string | null;
  /** Null when the role may not see it: then so are the positions. */
  state: string | null;
  replayLsn: string | null;
  /** pg_stat_replication.replay_lag, in seconds (null when idle or hidden). */
  replayLagSeconds: number | null;
}

export interface HealthSample {
  role: string;
  currentLsn: string;
  replicas: ReplicaState[];
  /** Only when asked for and archive_mode is not off. */
  archiver?: ArchiverState;
}

// Logical replication's walsenders are in pg_stat_replication too; the throttle is about standbys replaying WAL,
// and a logical walsender is always the active process of a logical slot.
const REPLICAS = `(SELECT coalesce(json_agg(json_build_object(
      'pid', r.pid, 'applicationName', r.application_name, 'clientAddr', host(r.client_addr), 'state', r.state,
      'replayLsn', r.replay_lsn::text, 'replayLagSeconds', extract(epoch FROM r.replay_lag)) ORDER BY r.pid), '[]'::json)
   FROM pg_stat_replication r
  WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots s WHERE s.active_pid = r.pid AND s.slot_type = 'logical'))`;

const ARCHIVER = `current_setting('archive_mode') AS "archiveMode",
  pg_walfile_name(pg_current_wal_lsn()) AS "currentWal",
  (SELECT last_archived_wal FROM pg_stat_archiver) AS "lastArchived",
  (SELECT last_failed_wal FROM pg_stat_archiver) AS "lastFailed",
  (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size') AS "segmentBytes"`;

export async function readHealthSample(knex: Knex, what: { replicas: boolean; archiver: boolean }): Promise<HealthSample> {
  const { rows } = await knex.raw(
    `SELECT current_user AS role, pg_current_wal_lsn()::text AS "currentLsn",
            ${what.replicas ? REPLICAS : `'[]'::json`} AS replicas${what.archiver ? `, ${ARCHIVER}` : ''}`,
  );
  const row = rows[0];
  return {
    role: row.role,
    currentLsn: row.currentLsn,
    replicas: row.replicas,
    ...(what.archiver && row.archiveMode !== 'off'
      ? { archiver: { currentWal: row.currentWal, lastArchived: row.lastArchived, lastFailed: row.lastFailed, segmentBytes: Number(row.segmentBytes) } }
      : {}),
  };
}
