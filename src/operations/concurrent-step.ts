/**
 * Running an operation's work outside a transaction (parts.ts: ConcurrentSql).
 * Safe to run again: an index a killed build left INVALID is dropped first,
 * and the statements themselves say IF [NOT] EXISTS.
 */
import type { Knex } from 'knex';
import type { ConcurrentSql } from './parts';
import { ident } from './sql-names';

export async function isInvalidIndex(knex: Knex, name: string): Promise<boolean> {
  const { rows } = await knex.raw(
    `SELECT NOT i.indisvalid AS invalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.oid = to_regclass(?)`,
    [ident(name)],
  );
  return rows[0]?.invalid === true;
}

export async function runConcurrent(knex: Knex, work: ConcurrentSql): Promise<void> {
  // Inside a transaction (stock knex CLI, --dry-run) CONCURRENTLY is refused: the plain form, as a plain migration.
  const inTransaction = (knex as Knex.Transaction).isTransaction === true;
  if (work.generate) {
    const { rows } = await knex.raw(inTransaction ? work.inTransaction : work.sql);
    for (const { statement } of rows as Array<{ statement: string }>) await knex.raw(statement);
    return;
  }
  if (work.dropInvalidIndex && (await isInvalidIndex(knex, work.dropInvalidIndex))) {
    await knex.raw(`DROP INDEX ${inTransaction ? '' : 'CONCURRENTLY '}${ident(work.dropInvalidIndex)}`);
  }
  await knex.raw(inTransaction ? work.inTransaction : work.sql);
}
