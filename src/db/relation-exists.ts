/**
 * Existence checks for tables and columns in the connection's current schema.
 * knex's schema.hasTable/hasColumn query information_schema views, which take
 * 30–45 ms each; every command asks a few of these before doing anything, so
 * they were a large part of the CLI's fixed cost. to_regclass() and
 * pg_attribute answer from the catalog in well under a millisecond, and several
 * checks go in one statement: against a remote server each round trip costs
 * more than the checks themselves.
 */
import type { Knex } from 'knex';

// The same "current schema" knex's checks use: the first schema of the search_path that exists.
const RELATION = `to_regclass(pg_catalog.quote_ident(pg_catalog.current_schema()) || '.' || pg_catalog.quote_ident(?))`;

/** A table, or a column of a table. */
export type Existence = { table: string; column?: string };

/** Answers every check in one round trip, in the order asked. */
export async function whichExist(knex: Knex, checks: Existence[]): Promise<boolean[]> {
  const items = checks.map(({ column }, i) =>
    column === undefined
      ? `${RELATION} IS NOT NULL AS e${i}`
      : `EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = ${RELATION} AND attname = ? AND NOT attisdropped) AS e${i}`,
  );
  const bindings = checks.flatMap(({ table, column }) => (column === undefined ? [table] : [table, column]));
  const { rows } = await knex.raw(`SELECT ${items.join(', ')}`, bindings);
  return checks.map((_, i) => rows[0][`e${i}`] === true);
}

export async function tableExists(knex: Knex, table: string): Promise<boolean> {
  return (await whichExist(knex, [{ table }]))[0]!;
}

export async function columnExists(knex: Knex, table: string, column: string): Promise<boolean> {
  return (await whichExist(knex, [{ table, column }]))[0]!;
}
