/**
 * Builds the schema/ snapshots: migrates an empty database one migration at a
 * time and records the catalog after each. Used by `npm run snapshots` (which
 * writes them) and by the test that keeps the checked-in files current.
 */
import { up } from '../src/commands/up';
import type { MigrationContext } from '../src/context';
import { readHistory } from '../src/history/history-table';
import { listLocalMigrations } from '../src/history/local-migrations';
import { readCatalog } from '../src/catalog/read-catalog';
import { renderSnapshot } from '../src/catalog/snapshot-files';

export interface Snapshot {
  migration: string;
  text: string;
}

export async function buildSnapshots(ctx: MigrationContext): Promise<Snapshot[]> {
  const before = await readCatalog(ctx.knex);
  if (before.tables.length > 0 || (await readHistory(ctx.knex)).length > 0) {
    throw new Error('snapshots must be built from an empty database: it has tables or migration history');
  }
  const snapshots: Snapshot[] = [];
  for (const { name } of listLocalMigrations(ctx.migrationsDir)) {
    await up(ctx, { to: name });
    snapshots.push({ migration: name, text: renderSnapshot(name, await readCatalog(ctx.knex)) });
  }
  return snapshots;
}
