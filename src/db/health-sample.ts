/**
 * One look at the primary's health for the backfill throttle, in one cheap
 * statement (statistics functions only, no table is read): its current
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

/*
 * Why the functions under the views (issue #22 item 5): while a replica is attached the throttle
 * looks before every batch, so the look's server time is paid once per batch. Over the views
 * (pg_stat_replication, pg_replication_slots, pg_stat_archiver, pg_settings) a look took 4.1 ms
 * of the backend's CPU time (SELECT 1: 0.05 ms), and the server logged 1.6-1.7 ms per look at 1M
 * rows with a standby attached, against 17-25 ms for the batch's UPDATE; over the functions,
 * 0.34 ms of CPU and 0.5-0.95 ms logged. Of the 4.1 ms, pg_stat_replication with
 * pg_replication_slots took 2.6 (planning the views' joins) and pg_settings 0.8 (it builds a row
 * for every setting to find one). What the views would show is unchanged:
 * the same functions and rows, and a role without pg_read_all_stats still gets the positions
 * hidden, by pg_stat_get_wal_senders() itself.
 *
 * Logical replication's walsenders are there too; the throttle is about standbys replaying WAL,
 * and a logical walsender is always the active process of a logical slot.
 */
const REPLICAS = `(SELECT coalesce(json_agg(json_build_object(
      'pid', w.pid, 'applicationName', a.application_name, 'clientAddr', host(a.client_addr), 'state', w.state,
      'replayLsn', w.replay_lsn::text, 'replayLagSeconds', extract(epoch FROM w.replay_lag)) ORDER BY w.pid), '[]'::json)
   FROM pg_stat_get_wal_senders() w LEFT JOIN LATERAL pg_stat_get_activity(w.pid) a ON true
  WHERE NOT EXISTS (SELECT 1 FROM pg_get_replication_slots() s WHERE s.active_pid = w.pid AND s.slot_type = 'logical'))`;

// wal_segment_size is fixed when the cluster is made; current_setting reads it without building pg_settings.
const ARCHIVER = `current_setting('archive_mode') AS "archiveMode",
  pg_walfile_name(pg_current_wal_lsn()) AS "currentWal",
  archiver.last_archived_wal AS "lastArchived", archiver.last_failed_wal AS "lastFailed",
  pg_size_bytes(current_setting('wal_segment_size')) AS "segmentBytes"
  FROM pg_stat_get_archiver() archiver`;

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
