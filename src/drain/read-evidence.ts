/**
 * Reads (and writes) of what the contract drops, seen by pg_stat_statements:
 * statements that name a dropped column or table, and how many calls each
 * gained since the last look. pg_stat_statements counts calls but keeps no
 * time per call, so a call is dated by the look that first sees it: looks are
 * taken when the migration reaches its expanded point (the baseline, after the
 * engine's own backfill statements have run), by `complete` and by every
 * round of `complete --wait`.
 *
 * Left out: DDL (the migration's own contract), and statements about the tool's
 * own tables. Without the extension (or with it not preloaded), reads are not
 * seen, and the gate says so.
 */
import type { Knex } from 'knex';
import { droppedNames, isEmpty, type ContractDrops } from './contract-drops';
import { DRAIN_TABLE, ensureDrainTable } from './evidence-table';

export interface StatementCalls {
  queryid: string;
  query: string;
  calls: number;
  /** The dropped name the statement uses. */
  object: string;
}

/**
 * The schema holding pg_stat_statements when it is installed and loaded; null otherwise. Whether it is loaded is
 * asked of the view itself, in a savepoint (it refuses to be read when not preloaded): shared_preload_libraries may
 * be read by superusers only, and a database owner's run of 006 failed on it (found by review).
 */
export async function statementStatsSchema(knex: Knex): Promise<string | null> {
  const { rows } = await knex.raw(`
    SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_stat_statements'`);
  const schema: string | undefined = rows[0]?.nspname;
  if (schema === undefined) return null;
  const loaded = await knex
    .transaction(async (trx) => trx.raw(`SELECT 1 FROM ${knex.raw('??', [schema]).toQuery()}.pg_stat_statements LIMIT 0`))
    .then(() => true, () => false);
  return loaded ? schema : null;
}

const escapeRegex = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Statements of this database that name a dropped column or table, with their calls so far. */
export async function statementsUsing(knex: Knex, drops: ContractDrops): Promise<StatementCalls[] | null> {
  const schema = await statementStatsSchema(knex);
  if (schema === null) return null;
  const names = droppedNames(drops);
  if (names.length === 0) return [];
  const { rows } = await knex.raw(
    `SELECT queryid::text AS queryid, query, calls,
            substring(query from ?) AS object
     FROM "${schema.replace(/"/g, '""')}".pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
       AND query ~ ?
       AND query !~* '^\\s*(alter|create|drop|comment|grant|revoke)\\M'
       AND query !~ 'konstruct_(migration|drain)'`,
    [`\\m(${names.map(escapeRegex).join('|')})\\M`, `\\m(${names.map(escapeRegex).join('|')})\\M`],
  );
  return rows.map((r: { queryid: string; query: string; calls: string; object: string }) => ({ ...r, calls: Number(r.calls) }));
}

/**
 * One look: each statement's calls since the last look are added to its
 * evidence row and dated now. The baseline look (at the expanded point) only
 * records the calls so far; after it, a statement never seen before counts all
 * its calls, since it first ran after the baseline. Returns false when
 * pg_stat_statements cannot be read.
 */
export async function lookAtReads(knex: Knex, migration: string, drops: ContractDrops, { baseline = false } = {}): Promise<boolean> {
  if (isEmpty(drops)) return true;
  const statements = await statementsUsing(knex, drops);
  if (statements === null) return false;
  if (statements.length === 0) return true;
  await ensureDrainTable(knex);
  const now: Date = (await knex.raw('SELECT now() AS now')).rows[0].now;
  for (const s of statements) {
    await knex.raw(
      `INSERT INTO ${DRAIN_TABLE} AS d (migration, source, object, detail, application_name, usename, client_addr, count, baseline, first_seen, last_seen)
       VALUES (?, 'read', ?, ?, '', '', '', ?, ?, ?, ?)
       ON CONFLICT (migration, source, object, detail, application_name, usename, client_addr) DO UPDATE SET
         count = d.count + GREATEST(excluded.baseline - d.baseline, 0),
         first_seen = CASE WHEN excluded.baseline > d.baseline THEN coalesce(d.first_seen, excluded.last_seen, now()) ELSE d.first_seen END,
         last_seen = CASE WHEN excluded.baseline > d.baseline THEN coalesce(excluded.last_seen, now()) ELSE d.last_seen END,
         baseline = excluded.baseline`,
      [migration, s.object, s.queryid, baseline ? 0 : s.calls, s.calls, ...(baseline ? [null, null] : [now, now])],
    );
  }
  return true;
}
