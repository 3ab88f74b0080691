/**
 * Everything a run could have changed, to prove a run changed nothing: the
 * schema (as pg_dump renders it), the history, knex's lock row, and any
 * migration lock still held.
 */
import type { Knex } from 'knex';
import { dumpCatalog } from '../../src/catalog/dump-catalog';

export interface DatabaseState {
  catalog: string;
  history: Array<{ name: string; batch: number; checksum: string | null }> | 'no history table';
  knexLockRows: number[] | 'no lock table';
  advisoryLocks: number;
}

export async function databaseState(knex: Knex): Promise<DatabaseState> {
  const has = (table: string) => knex.schema.hasTable(table);
  return {
    catalog: await dumpCatalog(knex),
    history: (await has('knex_migrations'))
      ? await knex('knex_migrations').select('name', 'batch', 'checksum').orderBy('id')
      : 'no history table',
    knexLockRows: (await has('knex_migrations_lock')) ? await knex('knex_migrations_lock').pluck('is_locked') : 'no lock table',
    advisoryLocks: await advisoryLockCount(knex),
  };
}

/** Advisory locks held in this database by anyone (a killed run must leave none). */
export async function advisoryLockCount(knex: Knex): Promise<number> {
  const { rows } = await knex.raw(
    `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows[0].n;
}

export async function historyNames(knex: Knex): Promise<string[]> {
  if (!(await knex.schema.hasTable('knex_migrations'))) return [];
  return knex('knex_migrations').orderBy('id').pluck('name');
}
