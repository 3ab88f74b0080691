/**
 * The applied-migration history, kept in knex's own bookkeeping tables so the
 * stock knex CLI reads the same history: `knex_migrations(id, name, batch,
 * migration_time)` and `knex_migrations_lock(index, is_locked)`, created with
 * the exact layout knex creates, plus one nullable column of our own, `note`
 * (where a row came from, e.g. adopted from Alembic), which knex ignores.
 */
import type { Knex } from 'knex';

export const HISTORY_TABLE = 'knex_migrations';
export const KNEX_LOCK_TABLE = 'knex_migrations_lock';

export interface AppliedMigration {
  id: number;
  name: string;
  batch: number;
  appliedAt: Date;
}

export async function ensureHistoryTables(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable(HISTORY_TABLE))) {
    await knex.schema.createTable(HISTORY_TABLE, (t) => {
      t.increments();
      t.string('name');
      t.integer('batch');
      t.timestamp('migration_time');
      t.text('note');
    });
  }
  if (!(await knex.schema.hasTable(KNEX_LOCK_TABLE))) {
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
  if (!(await knex.schema.hasTable(HISTORY_TABLE))) return [];
  const rows = await knex(HISTORY_TABLE).select('id', 'name', 'batch', 'migration_time').orderBy('id');
  return rows.map((r) => ({ id: r.id, name: r.name, batch: r.batch, appliedAt: r.migration_time }));
}

/** `note` needs the note column: history tables made by the stock knex CLI or older versions lack it. */
export async function recordApplied(knex: Knex, name: string, batch: number, note?: string): Promise<void> {
  await knex(HISTORY_TABLE).insert({ name, batch, migration_time: knex.fn.now(), ...(note ? { note } : {}) });
}

export async function historyHasNoteColumn(knex: Knex): Promise<boolean> {
  return knex.schema.hasColumn(HISTORY_TABLE, 'note');
}

export async function removeApplied(knex: Knex, name: string): Promise<void> {
  await knex(HISTORY_TABLE).where({ name }).delete();
}

export function nextBatch(history: AppliedMigration[]): number {
  return history.reduce((max, m) => Math.max(max, m.batch), 0) + 1;
}
