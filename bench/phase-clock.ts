/**
 * When each step of a phased migration committed, read from the server. The
 * migration's row in konstruct_migration_phases is rewritten in the same
 * transaction as every step and every batch, so the commit timestamp of each
 * version of the row (pg_xact_commit_timestamp of its xmin, exact when the
 * server runs with track_commit_timestamp) is the moment that step or batch
 * committed. The row is sampled every few milliseconds; a version replaced
 * between two samples is missed (phase-timeline.ts says what follows from that).
 * The table exists only while a migration stands part-way.
 */
import { PHASE_TABLE } from '../src/history/phase-state';
import { connect } from './databases';
import { startSampling } from './sampling-loop';


/** One version of the migration's phase row. Times are epoch seconds on the server's clock. */
export interface PhaseRowVersion {
  stepsDone: number;
  /** Non-null while a batched step is part-way. */
  cursor: string | null;
  /** When the transaction that wrote it committed; the sample that first saw it when the server does not say. */
  committedAt: number;
  exact: boolean;
}

export interface PhaseClock {
  /** Stops sampling (after one last sample) and returns the versions seen, oldest first. */
  stop(): Promise<PhaseRowVersion[]>;
}

const UNDEFINED_TABLE = '42P01';
const TABLE_EXISTS = `SELECT to_regclass($1) IS NOT NULL AS present`;
const TRACKS_COMMITS = `SELECT current_setting('track_commit_timestamp')::bool AS on`;
/** Without track_commit_timestamp the server cannot say (it raises an error), so the query does not ask. */
const row = (commitTimestamps: boolean) => `
  SELECT steps_done, cursor, xmin::text AS xmin, extract(epoch FROM clock_timestamp())::float8 AS now,
         ${commitTimestamps ? 'extract(epoch FROM pg_xact_commit_timestamp(xmin))::float8' : 'NULL::float8'} AS committed
  FROM ${PHASE_TABLE} WHERE name = $1`;

export async function watchPhaseRow(databaseUrl: string, migration: string, intervalMs: number): Promise<PhaseClock> {
  const client = await connect(databaseUrl);
  const { rows: [tracking] } = await client.query(TRACKS_COMMITS);
  const ROW = row(tracking.on);
  const versions = new Map<string, PhaseRowVersion>();
  let tableSeen = false;

  const sample = async () => {
    if (!tableSeen) {
      const { rows: [t] } = await client.query({ name: 'phase-table', text: TABLE_EXISTS, values: [PHASE_TABLE] });
      tableSeen = t.present;
      if (!tableSeen) return;
    }
    let rows;
    try {
      ({ rows } = await client.query({ name: 'phase-row', text: ROW, values: [migration] }));
    } catch (error) {
      // The engine drops the table with its last row, when the migration is no longer part-way.
      if ((error as { code?: string }).code !== UNDEFINED_TABLE) throw error;
      tableSeen = false;
      return;
    }
    const row = rows[0];
    if (row && !versions.has(row.xmin)) {
      versions.set(row.xmin, {
        stepsDone: row.steps_done,
        cursor: row.cursor,
        committedAt: row.committed ?? row.now,
        exact: row.committed !== null,
      });
    }
  };

  const sampling = startSampling(intervalMs, sample);

  return {
    stop: async () => {
      try {
        await sampling.stop();
        return [...versions.values()].sort((a, b) => a.committedAt - b.committedAt);
      } finally {
        await client.end();
      }
    },
  };
}
