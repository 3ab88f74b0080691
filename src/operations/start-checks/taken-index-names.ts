/** createIndex where its name is another relation's. */
import type { Knex } from 'knex';
import type { CreateIndex } from '../create-index';
import { operationsOf } from './operations-of';
import type { StartCheck } from './start-check';

export const takenIndexNames: StartCheck = (operations) => {
  const creates = operationsOf(operations, 'createIndex');
  return async (knex) => (await namesTaken(knex, creates)).map((name) =>
    `createIndex ${name}: another relation of that name is already there; name the index otherwise, or drop that one in a migration before`);
};

/**
 * Which of `creates` name a relation that is there already, other than a valid index as described: that one may be
 * this list's own, built by a run killed before it could record the step (then it is kept, as IF NOT EXISTS does); an
 * INVALID index is dropped and built again by the step.
 */
async function namesTaken(knex: Knex, creates: readonly CreateIndex[]): Promise<string[]> {
  const taken: string[] = [];
  for (const op of creates) {
    const { rows } = await knex.raw(
      `SELECT i.indexrelid IS NOT NULL AS is_index, i.indisvalid AS valid, t.relname AS on_table, i.indisunique AS is_unique,
              am.amname AS method, i.indpred IS NOT NULL AS partial,
              i.indexprs IS NOT NULL OR i.indnatts <> i.indnkeyatts OR EXISTS (SELECT 1 FROM unnest(i.indoption) AS o WHERE o <> 0) AS shaped,
              ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
         FROM pg_catalog.pg_class r
         LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = r.oid
         LEFT JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
         LEFT JOIN pg_catalog.pg_am am ON am.oid = r.relam
        WHERE r.oid = pg_catalog.to_regclass(pg_catalog.quote_ident(?))`,
      [op.name],
    );
    const found = rows[0];
    if (!found || (found.is_index && !found.valid)) continue;
    // An expression, INCLUDE, or DESC / NULLS FIRST: more than createIndex says (found by review: a DESC index passed).
    const asDescribed = found.is_index && !found.shaped && found.on_table === op.table && found.is_unique === (op.unique === true)
      && found.method === (op.method ?? 'btree') && found.partial === (op.where !== undefined)
      && JSON.stringify(found.columns) === JSON.stringify(op.columns);
    if (!asDescribed) taken.push(op.name);
  }
  return taken;
}
