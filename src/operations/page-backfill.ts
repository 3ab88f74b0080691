/**
 * The engine's backfill: batches over a table by ranges of its heap pages (ctid
 * ranges, a TID range scan, PostgreSQL 14+). It needs no primary key and reads
 * the table in physical order; each batch locks only the rows it changes and is
 * safe to redo (it fills only what is still NULL). The cursor is the next page.
 * A row the application updates moves to a new place, maybe behind the cursor:
 * the sync trigger fills such rows (sync-trigger.ts).
 */
import type { Knex } from 'knex';
import { SKIP_TABLE_TRIGGERS, triggersOnUpdate } from './backfill-triggers';
import { partitionedRefusal } from './partitioned-tables';
import type { BatchFunction } from '../phased/phased-migration';
import type { Fill } from './parts';
import { BACKFILL_SETTING } from './sync-trigger';
import { ident } from './sql-names';

/** Rows per page to assume where neither ANALYZE nor the statistics system counted any rows yet. */
const DEFAULT_ROWS_PER_PAGE = 50;
/** Where a batch's page range goes in the statement. */
export const PAGES = '{pages}';

interface TableSize {
  pages: number;
  rowsPerPage: number;
}

async function tableSize(knex: Knex, table: string): Promise<TableSize> {
  const { rows } = await knex.raw(
    `SELECT c.reltuples::float8 AS tuples, c.relpages AS stat_pages, pg_catalog.pg_stat_get_live_tuples(c.oid)::float8 AS live,
            c.relkind = 'p' OR EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhparent = c.oid) AS partitioned,
            pg_relation_size(c.oid) / current_setting('block_size')::int AS pages
       FROM pg_class c WHERE c.oid = ?::regclass`,
    [ident(table)],
  );
  const { tuples, stat_pages: statPages, live, pages, partitioned } = rows[0] as { tuples: number; stat_pages: number; live: number; pages: string; partitioned: boolean };
  // Its pages are none: walking them would fill nothing, and contract would then drop the old values (partitioned-tables.ts).
  if (partitioned) throw new Error(`the backfill: ${partitionedRefusal([table])}: run \`down\` to revert what stands`);
  return { pages: Number(pages), rowsPerPage: rowsPerPage(tuples, statPages, live, Number(pages)) };
}

/**
 * The density ANALYZE last saw; for a table never analyzed (a bulk load just before the migration), the live rows
 * the statistics system counted over today's pages, not a guess: with 50 a page, progress and the phase line said
 * "52,150 rows" of a freshly loaded table of 100,000 (found by review). Both are free to read.
 */
function rowsPerPage(tuples: number, statPages: number, live: number, pages: number): number {
  if (statPages > 0 && tuples > 0) return tuples / statPages;
  return pages > 0 && live > 0 ? live / pages : DEFAULT_ROWS_PER_PAGE;
}

/** The batch statement, with `{pages}` for the page range: each column set where it is still NULL. */
export function fillStatement(table: string, fills: readonly Fill[]): string {
  const set = fills.map((f) => `${ident(f.column)} = COALESCE(${ident(f.column)}, (${f.expression}))`).join(', ');
  const unfilled = fills.map((f) => `${ident(f.column)} IS NULL`).join(' OR ');
  return `UPDATE ${ident(table)} SET ${set} WHERE ${PAGES} AND (${unfilled})`;
}

/**
 * One pass over a table filling all its columns, whatever operations they come from: a
 * backfill statement updates whole rows, and a column that a NOT VALID CHECK holds NOT NULL
 * (a column swap's new column, an added NOT NULL column) must be filled by the same update as
 * any other column of the row, since the backfill's updates fire no trigger that would fill it.
 * Fills with a condition (Fill.onlyIf: a column one path adds) join the statement where their
 * condition holds, asked at the step's first batch. A table whose fills share one condition keeps
 * the statement it always had (applied migrations' SQL is frozen: frozen-sql.test.ts).
 */
export function tableFill(table: string, fills: readonly Fill[]): PageBatches {
  const conditions = [...new Set(fills.map((f) => f.onlyIf))];
  const statement = fillStatement(table, fills);
  if (conditions.length === 1) return pageBatches(table, statement, { laterWritesFilled: true, onlyIf: conditions[0] });
  const asked = conditions.filter((c): c is string => c !== undefined);
  return pageBatches(table, statement, {
    laterWritesFilled: true,
    choose: async (knex) => {
      const { rows } = await knex.raw(`SELECT ${asked.map((c, i) => `(${c}) AS c${i}`).join(', ')}`);
      const holds = (c: string | undefined) => c === undefined || rows[0][`c${asked.indexOf(c)}`] === true;
      const now = fills.filter((f) => holds(f.onlyIf));
      return now.length ? fillStatement(table, now) : undefined;
    },
  });
}

export interface PageBatches {
  statement: string;
  run: BatchFunction;
  estimateRows(knex: Knex): Promise<number>;
}

/**
 * Batches of `statement` (one SQL statement with `{pages}` where the batch's page range goes, as an AND term).
 * `laterWritesFilled`: a sync trigger fills every row written after the backfill started (the engine's own
 * backfill, which starts after expand committed the trigger). Then the table's size is read once, at the step's
 * first batch in this process, since pages added later hold only rows the trigger filled; a run that starts the
 * step again (cursor null) reads it again. Otherwise (a custom `batch`) it is read before every batch, so rows
 * appended meanwhile are covered too.
 * `onlyIf` (an SQL condition): asked at the step's first batch in this process, and the step is done at once
 * where it is false: for a column that exists on one of an operation's two paths only (column-swap.ts). Only
 * expand and contract add or drop such a column, so the answer holds for the whole step. `choose`, asked
 * likewise, gives the statement to run (undefined: nothing to do) where it depends on several such conditions.
 * `seenBySyncTriggers`: the batch's writes fire the sync triggers as an application's do (a custom `batch`),
 * instead of leaving the new shape to the backfill.
 */
export function pageBatches(
  table: string,
  statement: string,
  o: { laterWritesFilled: boolean; onlyIf?: string; choose?: (knex: Knex) => Promise<string | undefined>; seenBySyncTriggers?: boolean },
): PageBatches {
  let size: TableSize | undefined;
  let now: string | undefined | null = null; // null: not asked yet in this process
  let skipTriggers: string | undefined; // asked with the size: whether the table has triggers to keep out of the backfill
  const choose = o.choose ?? (o.onlyIf === undefined ? undefined
    : async (knex: Knex) => ((await knex.raw(`SELECT (${o.onlyIf}) AS go`)).rows[0].go === true ? statement : undefined));
  return {
    statement,
    run: async (knex, cursor, rows) => {
      if (!choose) now = statement;
      else if (cursor === null || now === null) now = await choose(knex);
      if (now === undefined) return { next: null, rows: 0 };
      const start = cursor === null ? 0 : Number(cursor);
      if (cursor === null || size === undefined || !o.laterWritesFilled) {
        size = await tableSize(knex, table);
        skipTriggers = o.seenBySyncTriggers || (await triggersOnUpdate(knex, table)).length === 0 ? '' : SKIP_TABLE_TRIGGERS;
      }
      const { pages, rowsPerPage } = size;
      const end = start + Math.max(1, Math.round(rows / rowsPerPage));
      // One round trip: the sync trigger, and the table's own (backfill-triggers.ts), stay out of the backfill's way
      // for this transaction only (set_config(..., true) ends with it; nothing after the UPDATE in it writes the table).
      const backfillOnly = o.seenBySyncTriggers ? '' : `SELECT set_config('${BACKFILL_SETTING}', 'on', true); ${skipTriggers}`;
      await knex.raw(backfillOnly + now!.replace(PAGES, `ctid >= '(${start},0)'::tid AND ctid < '(${end},0)'::tid`));
      // Rows covered, from the rows per page: counting would read the range twice. Rounded where the walk stands, so
      // the batches add up to the table's rows, not to a sum of roundings.
      const rowsBefore = (page: number) => Math.round(Math.min(page, pages) * rowsPerPage);
      const covered = Math.max(0, rowsBefore(end) - rowsBefore(start));
      return { next: end < pages ? String(end) : null, rows: covered };
    },
    estimateRows: async (knex) => {
      const { pages, rowsPerPage } = await tableSize(knex, table);
      return Math.round(pages * rowsPerPage);
    },
  };
}
