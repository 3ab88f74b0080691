/** `status`: every migration, applied or pending, when it was applied, and whether its file changed since. */
import { changedSinceApplied, unknownApplied } from '../engine/plan';
import { readHistory } from '../history/history-table';
import { listLocalMigrations } from '../history/local-migrations';
import type { MigrationContext } from '../context';

export type MigrationState = 'applied' | 'pending' | 'unknown';

export interface MigrationStatus {
  name: string;
  state: MigrationState;
  appliedAt: Date | null;
  batch: number | null;
  /** Applied, and its file differs from what was applied (by checksum). */
  changed: boolean;
}

export interface StatusResult {
  migrations: MigrationStatus[];
  applied: number;
  pending: number;
  /** Applied migrations whose file changed since. */
  changed: string[];
  /** Applied in the database but absent from this code. */
  unknown: string[];
}

export async function status(ctx: MigrationContext): Promise<StatusResult> {
  const local = listLocalMigrations(ctx.migrationsDir);
  const history = await readHistory(ctx.knex);
  const byName = new Map(history.map((h) => [h.name, h]));
  const unknown = unknownApplied(local, history);
  const changed = changedSinceApplied(local, history);

  const migrations: MigrationStatus[] = local.map((m) => {
    const h = byName.get(m.name);
    return {
      name: m.name,
      state: h ? 'applied' : 'pending',
      appliedAt: h?.appliedAt ?? null,
      batch: h?.batch ?? null,
      changed: changed.includes(m.name),
    };
  });
  for (const name of unknown) {
    const h = byName.get(name)!;
    migrations.push({ name, state: 'unknown', appliedAt: h.appliedAt, batch: h.batch, changed: false });
  }
  const count = (s: MigrationState) => migrations.filter((m) => m.state === s).length;
  return { migrations, applied: count('applied'), pending: count('pending'), changed, unknown };
}
