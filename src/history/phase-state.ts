/**
 * Where a phased migration stands, kept in the database beside knex_migrations:
 * table `konstruct_migration_phases`, one row per migration that stands
 * part-way. The stock knex CLI never reads it (it knows only knex_migrations*),
 * and a part-way migration has no knex_migrations row, so knex sees it as
 * pending. Every row is written in the same transaction as the step or batch
 * whose progress it records: after a crash it says exactly what is done.
 *
 *   steps_done  the first `steps_done` steps are applied;
 *   direction   which way the run was going;
 *   cursor      inside a batched step: where its next batch starts (null: between steps).
 *               Going up it belongs to step steps_done, going down to step steps_done - 1;
 *   rows_done   rows the batches of that step covered so far (for progress);
 *   held        `up --expand` stopped here on purpose: plain `up` leaves it to `complete`;
 *   checksum    of the migration file when the first step ran;
 *   plan        what each step number meant when the first step ran (model/plan-fingerprint.ts).
 *               Null in a row written before it was recorded: the next run that carries it on writes it.
 */
import type { Knex } from 'knex';
import { tableExists, whichExist } from '../db/relation-exists';

export const PHASE_TABLE = 'konstruct_migration_phases';

export interface PhaseState {
  name: string;
  stepsDone: number;
  direction: 'up' | 'down';
  cursor: string | null;
  rowsDone: number;
  held: boolean;
  checksum: string | null;
  plan: string | null;
  startedAt: Date;
  updatedAt: Date;
}

/** Part-way migrations, oldest name first; none when the table does not exist. */
export async function readPhaseStates(knex: Knex): Promise<PhaseState[]> {
  if (!(await tableExists(knex, PHASE_TABLE))) return [];
  const rows = await knex(PHASE_TABLE).select('*').orderBy('name');
  return rows.map((r) => ({
    name: r.name,
    stepsDone: r.steps_done,
    direction: r.direction,
    cursor: r.cursor,
    rowsDone: Number(r.rows_done),
    held: r.held,
    checksum: r.checksum,
    plan: r.plan ?? null,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
  }));
}

/**
 * Creates the table if missing; run it in the transaction that writes the first row, under the migration lock.
 * A table made by an earlier version (a migration part-way since) gets the `plan` column: catalog-only.
 */
export async function ensurePhaseTable(knex: Knex): Promise<void> {
  const [table, plan] = await whichExist(knex, [{ table: PHASE_TABLE }, { table: PHASE_TABLE, column: 'plan' }]);
  if (table && !plan) await knex.raw(`ALTER TABLE ${PHASE_TABLE} ADD COLUMN plan text`);
  if (table) return;
  await knex.schema.createTable(PHASE_TABLE, (t) => {
    t.text('name').primary();
    t.integer('steps_done').notNullable();
    t.text('direction').notNullable();
    t.text('cursor');
    t.bigInteger('rows_done').notNullable().defaultTo(0);
    t.boolean('held').notNullable().defaultTo(false);
    t.text('checksum');
    t.text('plan');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export type PhaseRow = Pick<PhaseState, 'name' | 'stepsDone' | 'direction' | 'cursor' | 'rowsDone' | 'held' | 'checksum' | 'plan'>;

/**
 * `tableStands`: the caller knows the table exists with every column (a committed row of this version says so),
 * and saves the round trip of looking. `plan` is merged: a row of an earlier version gets it from the run that
 * carries it on, once that run has compared (engine/plan.ts).
 */
export async function savePhaseState(knex: Knex, state: PhaseRow, tableStands = false): Promise<void> {
  if (!tableStands) await ensurePhaseTable(knex);
  const row = {
    name: state.name,
    steps_done: state.stepsDone,
    direction: state.direction,
    cursor: state.cursor,
    rows_done: state.rowsDone,
    held: state.held,
    checksum: state.checksum,
    plan: state.plan,
    updated_at: knex.fn.now(),
  };
  await knex(PHASE_TABLE).insert(row).onConflict('name').merge(['steps_done', 'direction', 'cursor', 'rows_done', 'held', 'plan', 'updated_at']);
}

/**
 * Deletes the row; the table goes with its last row, so it exists only while a migration stands part-way.
 * One statement: at a migration's end it runs while the last step's locks are held.
 */
export async function deletePhaseState(knex: Knex, name: string): Promise<void> {
  await knex.raw(`DO $phase$ BEGIN
    IF pg_catalog.to_regclass(pg_catalog.quote_ident(pg_catalog.current_schema()) || '.${PHASE_TABLE}') IS NULL THEN RETURN; END IF;
    DELETE FROM ${PHASE_TABLE} WHERE name = '${name.replace(/'/g, "''").replace(/\?/g, '\\?')}';
    IF NOT EXISTS (SELECT FROM ${PHASE_TABLE}) THEN DROP TABLE ${PHASE_TABLE}; END IF;
  END $phase$`);
}

/** For the knex-facing up/down of a phased migration: is any migration part-way? */
export async function anyPartWay(knex: Knex): Promise<string[]> {
  return (await readPhaseStates(knex)).map((s) => s.name);
}
