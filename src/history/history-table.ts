/**
 * The applied-migration history, kept in knex's own bookkeeping tables so the
 * stock knex CLI reads the same history: `knex_migrations(id, name, batch,
 * migration_time)` and `knex_migrations_lock(index, is_locked)`, created with
 * the exact layout knex creates, plus two nullable columns of our own, which
 * the stock knex CLI never names (it inserts name, batch and migration_time):
 *   `note`     — where a row came from (e.g. adopted from Alembic);
 *   `checksum` — of the migration when it was applied (migration-checksums.ts).
 *                NULL: written by a tool that does not record one. It goes with
 *                its row when either tool reverts the migration; a side table
 *                would be left behind by `knex migrate:down`.
 */
import type { Knex } from 'knex';
import { columnExists, whichExist } from '../db/relation-exists';

export const HISTORY_TABLE = 'knex_migrations';
export const KNEX_LOCK_TABLE = 'knex_migrations_lock';

export interface AppliedMigration {
  id: number;
  name: string;
  batch: number;
  appliedAt: Date;
  /** Checksum of the migration when it was applied; null if the writer did not record one. */
  checksum: string | null;
}

/** Creates what is missing. Run it under the migration lock, in a transaction, so concurrent first runs cannot race. */
export async function ensureHistoryTables(knex: Knex): Promise<void> {
  const [history, checksum, lockTable] = await whichExist(knex, [
    { table: HISTORY_TABLE },
    { table: HISTORY_TABLE, column: 'checksum' },
    { table: KNEX_LOCK_TABLE },
  ]);
  if (!history) {
    await knex.schema.createTable(HISTORY_TABLE, (t) => {
      t.increments();
      t.string('name');
      t.integer('batch');
      t.timestamp('migration_time');
      t.text('note');
    });
  }
  if (!checksum) {
    await knex.schema.alterTable(HISTORY_TABLE, (t) => {
      t.string('checksum', 64).nullable();
    });
  }
  if (!lockTable) {
    await knex.schema.createTable(KNEX_LOCK_TABLE, (t) => {
      t.increments('index').primary();
      t.integer('is_locked');
    });
  }
  const [{ count }] = await knex(KNEX_LOCK_TABLE).count({ count: '*' });
  if (Number(count) === 0) await knex(KNEX_LOCK_TABLE).insert({ is_locked: 0 });
}

/** Applied migrations in the order they were applied; empty when there is no history yet. */
export async function readHistory(knex: Knex): Promise<AppliedMigration[]> {
  const [hasTable, hasChecksum] = await whichExist(knex, [{ table: HISTORY_TABLE }, { table: HISTORY_TABLE, column: 'checksum' }]);
  if (!hasTable) return [];
  const rows = await knex(HISTORY_TABLE)
    .select('id', 'name', 'batch', 'migration_time', ...(hasChecksum ? ['checksum'] : []))
    .orderBy('id');
  return rows.map((r) => ({ id: r.id, name: r.name, batch: r.batch, appliedAt: r.migration_time, checksum: r.checksum ?? null }));
}

/** Needs the checksum column (ensureHistoryTables); `note` needs the note column, which older history tables lack. */
export async function recordApplied(knex: Knex, migration: { name: string; checksum: string }, batch: number, note?: string): Promise<void> {
  await knex(HISTORY_TABLE).insert({
    name: migration.name,
    batch,
    migration_time: knex.fn.now(),
    checksum: migration.checksum,
    ...(note ? { note } : {}),
  });
}

export async function historyHasNoteColumn(knex: Knex): Promise<boolean> {
  return columnExists(knex, HISTORY_TABLE, 'note');
}

export async function removeApplied(knex: Knex, name: string): Promise<void> {
  await knex(HISTORY_TABLE).where({ name }).delete();
}

/** Records the checksum of rows that have none (applied by the stock knex CLI, or before checksums existed). */
export async function recordMissingChecksums(knex: Knex, migrations: Array<{ name: string; checksum: string }>): Promise<void> {
  for (const m of migrations) {
    await knex(HISTORY_TABLE).where({ name: m.name }).whereNull('checksum').update({ checksum: m.checksum });
  }
}

export function nextBatch(history: AppliedMigration[]): number {
  return history.reduce((max, m) => Math.max(max, m.batch), 0) + 1;
}
