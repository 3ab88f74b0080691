/**
 * dropIndex of a partial index whose `where` is not the index's predicate. Expand's own check (drop-index.ts) asks
 * only whether the index is partial, and that SQL is frozen; `down` past contract then built the index with the
 * operation's predicate, another index than the one dropped (found by review).
 *
 * Compared as the server prints both: the index's predicate, and the operation's as a NOT VALID CHECK on an empty
 * temporary copy of the table's columns (LIKE: the same names and types, so the same operators and casts), rolled
 * back. The same deparser prints both (pg_get_expr), so equal conditions read alike. Where no temporary table can be
 * made (no TEMP privilege) or the condition does not parse, nothing is said here: expand and down say what is wrong.
 */
import type { Knex } from 'knex';
import { ident } from '../sql-names';
import { operationsOf } from './operations-of';
import type { StartCheck } from './start-check';

interface PartialDrop {
  name: string;
  table: string;
  where: string;
}

export const indexPredicates: StartCheck = (operations) => {
  const drops = operationsOf(operations, 'dropIndex').filter((op): op is typeof op & PartialDrop => op.table !== undefined && op.columns !== undefined && op.where !== undefined);
  return async (knex) => {
    const problems: string[] = [];
    for (const op of drops) {
      const actual = await indexPredicate(knex, op.name);
      if (actual === undefined) continue; // missing or not partial: expand refuses it, saying so
      const described = await conditionAsPrinted(knex, op.table, op.where);
      if (described !== undefined && described !== actual) {
        problems.push(`dropIndex ${op.name}: the index's predicate is ${actual}, but the operation gives where ${op.where}: down would build another index; give its predicate as it is`);
      }
    }
    return problems;
  };
};

async function indexPredicate(knex: Knex, name: string): Promise<string | undefined> {
  const { rows } = await knex.raw(
    `SELECT pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate FROM pg_catalog.pg_index i
      WHERE i.indexrelid = pg_catalog.to_regclass(pg_catalog.quote_ident(?)) AND i.indpred IS NOT NULL`,
    [name],
  );
  return rows[0]?.predicate;
}

/** Rolls back what it made; undefined where it cannot be made. */
async function conditionAsPrinted(knex: Knex, table: string, condition: string): Promise<string | undefined> {
  const rollback = new Error('rolled back on purpose');
  let printed: string | undefined;
  try {
    await knex.transaction(async (trx) => {
      await trx.raw(`CREATE TEMPORARY TABLE konstruct_described_predicate (LIKE ${ident(table)}) ON COMMIT DROP`);
      await trx.raw(`ALTER TABLE konstruct_described_predicate ADD CONSTRAINT described CHECK (${condition}) NOT VALID`);
      const { rows } = await trx.raw(
        `SELECT pg_catalog.pg_get_expr(c.conbin, c.conrelid) AS predicate FROM pg_catalog.pg_constraint c
          WHERE c.conrelid = 'pg_temp.konstruct_described_predicate'::regclass AND c.conname = 'described'`,
      );
      printed = rows[0]?.predicate;
      throw rollback;
    });
  } catch (error) {
    if (error !== rollback) return undefined;
  }
  return printed;
}
