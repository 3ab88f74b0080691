/**
 * Existence checks for tables and columns in the connection's current schema.
 * knex's schema.hasTable/hasColumn query information_schema views, which take
 * 30–45 ms each; every command asks a few of these before doing anything, so
 * they were a large part of the CLI's fixed cost. to_regclass() and
 * pg_attribute answer from the catalog in well under a millisecond.
 */
import type { Knex } from 'knex';

// The same "current schema" knex's checks use: the first schema of the search_path that exists.
const RELATION = `to_regclass(pg_catalog.quote_ident(pg_catalog.current_schema()) || '.' || pg_catalog.quote_ident(?))`;

export async function tableExists(knex: Knex, table: string): Promise<boolean> {
  const { rows } = await knex.raw(`SELECT ${RELATION} IS NOT NULL AS found`, [table]);
  return rows[0].found === true;
}

export async function columnExists(knex: Knex, table: string, column: string): Promise<boolean> {
  const { rows } = await knex.raw(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = ${RELATION} AND attname = ? AND NOT attisdropped) AS found`,
    [table, column],
  );
  return rows[0].found === true;
}
