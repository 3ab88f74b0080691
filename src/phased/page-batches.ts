/**
 * A batched step over a table by ranges of its heap pages (ctid ranges): each
 * batch reads only its pages — a TID range scan, PostgreSQL 14+ — in the
 * table's physical order, however its keys are spread (portal_users.id is a
 * random uuid: walking it by key would read the table in random order), and
 * locks only the rows it changes.
 *
 * The statement must be safe to run again and must not rely on seeing every
 * row exactly once: a row updated by anyone moves to a new place, maybe behind
 * the cursor, so the rows the application writes during the batches must be
 * kept right by other means (006 uses a trigger). The cursor is the next page.
 */
import type { Knex } from 'knex';
import type { BatchFunction } from './phased-migration';

/** Rows per page to assume before the table was ever analyzed. */
const DEFAULT_ROWS_PER_PAGE = 50;

interface TableSize {
  /** Pages now. */
  pages: number;
  /** Rows per page by the planner's statistics, or the default. */
  rowsPerPage: number;
}

async function tableSize(knex: Knex, table: string): Promise<TableSize> {
  const { rows } = await knex.raw(
    `SELECT c.reltuples::float8 AS tuples, c.relpages AS stat_pages,
            pg_relation_size(c.oid) / current_setting('block_size')::int AS pages
       FROM pg_class c WHERE c.oid = ?::regclass`,
    [table],
  );
  const { tuples, stat_pages: statPages, pages } = rows[0] as { tuples: number; stat_pages: number; pages: string };
  return { pages: Number(pages), rowsPerPage: statPages > 0 && tuples > 0 ? tuples / statPages : DEFAULT_ROWS_PER_PAGE };
}

export interface PageBatches {
  run: BatchFunction;
  estimateRows(knex: Knex): Promise<number>;
}

/** `statement` is one SQL statement with `{pages}` where the batch's page range condition goes (an AND term). */
export function pageBatches(table: string, statement: string): PageBatches {
  return {
    run: async (knex, cursor, size) => {
      const start = cursor === null ? 0 : Number(cursor);
      const { pages, rowsPerPage } = await tableSize(knex, table);
      const end = start + Math.max(1, Math.round(size / rowsPerPage));
      const range = `ctid >= '(${start},0)'::tid AND ctid < '(${end},0)'::tid`;
      // The count sees the rows as they were before this statement: the rows this batch covered.
      const { rows } = await knex.raw(
        `WITH changed AS (${statement.replace('{pages}', range)} RETURNING 1)
         SELECT (SELECT count(*) FROM ${table} WHERE ${range})::int AS covered, (SELECT count(*) FROM changed)::int AS changed`,
      );
      return { next: end < pages ? String(end) : null, rows: rows[0].covered };
    },
    estimateRows: async (knex) => {
      const { pages, rowsPerPage } = await tableSize(knex, table);
      return Math.round(pages * rowsPerPage);
    },
  };
}
