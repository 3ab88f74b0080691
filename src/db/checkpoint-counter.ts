/**
 * How many checkpoints the server ran on request, and where its WAL stands:
 * read when a backfill step starts and when it ends, to tell the operator
 * that the backfill's WAL forced checkpoints (docs/production-safety.md#a-big-backfill-and-max_wal_size).
 *
 * A checkpoint is requested when the WAL written since the last one nears
 * max_wal_size, and also by CHECKPOINT, CREATE DATABASE ... STRATEGY FILE_COPY
 * or a base backup, which the counter does not tell apart: so the WAL is
 * forcing them only when more was written than the distance at which
 * PostgreSQL starts one, max_wal_size / (1 + checkpoint_completion_target).
 * Statistics functions and settings only; PostgreSQL 17 moved the counter from
 * pg_stat_bgwriter to pg_stat_checkpointer.
 */
import type { Knex } from 'knex';

export interface CheckpointReading {
  requested: number;
  /** pg_current_wal_lsn() as bytes from 0/0. */
  walBytes: number;
  /** max_wal_size as the server shows it (e.g. `1GB`). */
  maxWalSize: string;
  /** WAL after which PostgreSQL requests a checkpoint, in bytes. */
  distanceBytes: number;
}

export async function readCheckpoints(knex: Knex): Promise<CheckpointReading> {
  const { rows: [v] } = await knex.raw(`SELECT current_setting('server_version_num')::int AS v`);
  const requested = v.v >= 170000 ? 'pg_stat_get_checkpointer_num_requested()' : 'pg_stat_get_bgwriter_requested_checkpoints()';
  const { rows: [r] } = await knex.raw(
    `SELECT ${requested} AS requested, pg_current_wal_lsn() - '0/0'::pg_lsn AS wal, current_setting('max_wal_size') AS max_wal_size,
            pg_size_bytes(current_setting('max_wal_size')) / (1 + current_setting('checkpoint_completion_target')::float8) AS distance`,
  );
  return { requested: Number(r.requested), walBytes: Number(r.wal), maxWalSize: r.max_wal_size, distanceBytes: Number(r.distance) };
}

export interface ForcedCheckpoints {
  /** Checkpoints requested between the two readings. */
  requested: number;
  /** WAL the server wrote meanwhile (every session's), in bytes: past the distance that starts a checkpoint. */
  walBytes: number;
  maxWalSize: string;
}

/**
 * Checkpoints the WAL forced between two readings: requested ones, while more WAL was written than starts
 * one. Undefined otherwise: none requested (or the statistics were reset), or too little WAL to have asked
 * for one (a CHECKPOINT or a base backup did).
 */
export function checkpointsBetween(start: CheckpointReading, end: CheckpointReading): ForcedCheckpoints | undefined {
  const requested = end.requested - start.requested;
  const walBytes = end.walBytes - start.walBytes;
  if (requested <= 0 || walBytes <= end.distanceBytes) return undefined;
  return { requested, walBytes, maxWalSize: end.maxWalSize };
}
