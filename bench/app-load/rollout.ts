/**
 * When the new application version is rolled out. The rolling-deploy recipe
 * (docs/online-migrations.md) deploys it once `up --expand` has returned, that
 * is once expand has committed; the benchmark runs plain `up`, so it stands for
 * that moment by watching the catalog for portal_users.role, which becomes
 * visible to other sessions exactly when expand commits (when the whole
 * migration commits, for a single-transaction contender). Reading the catalog
 * takes no lock on the table, so the watch never queues behind the migration.
 *
 * The "early deploy" scenario skips the wait: the new version sends from the
 * start and fails with 42703 until expand commits (reported separately).
 */
import { connect } from '../databases';
import { startSampling } from '../sampling-loop';

export type Rollout = 'after-expand' | 'early';

export interface ColumnWatch {
  stop(): Promise<void>;
}

const COLUMN_VISIBLE = `
  SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped) AS visible`;

/** Calls `appeared` once, within about one interval of the column becoming visible. */
export async function watchForColumn(url: string, table: string, column: string, intervalMs: number, appeared: () => void): Promise<ColumnWatch> {
  const client = await connect(url, 'kbench rollout watch');
  let seen = false;
  const sampling = startSampling(intervalMs, async () => {
    if (seen) return;
    const { rows } = await client.query({ name: 'column-visible', text: COLUMN_VISIBLE, values: [table, column] });
    if (rows[0].visible) {
      seen = true;
      appeared();
    }
  });
  return {
    stop: async () => {
      try {
        await sampling.stop();
      } finally {
        await client.end();
      }
    },
  };
}
