/**
 * The drain evidence kept in the database: table `konstruct_migration_drain`,
 * beside `konstruct_migration_phases` (and, like it, left out of the catalog,
 * `verify` and the snapshots). One row per migration, source, object and
 * writer: counters and times, never a row per write, so it cannot grow with
 * the application's traffic.
 *
 *   source      'write' (recorded by the drain triggers) or 'read' (pg_stat_statements);
 *   object      what was used: `portal_users.is_admin`, or a dropped table's name;
 *   detail      INSERT / UPDATE / DELETE, or the statement's queryid;
 *   writer      application_name, user and client address of the session;
 *   count       writes recorded (a lower bound under concurrency, see write-recorder.ts),
 *               or calls counted since the first look;
 *   baseline    reads only: pg_stat_statements' calls at the last look.
 */
import type { Knex } from 'knex';
import { tableExists } from '../db/relation-exists';

export const DRAIN_TABLE = 'konstruct_migration_drain';

export interface EvidenceRow {
  migration: string;
  source: 'write' | 'read';
  object: string;
  detail: string;
  applicationName: string;
  user: string;
  clientAddr: string;
  count: number;
  firstSeen: Date | null;
  lastSeen: Date | null;
}

export async function ensureDrainTable(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE IF NOT EXISTS ${DRAIN_TABLE} (
    migration text NOT NULL,
    source text NOT NULL,
    object text NOT NULL,
    detail text NOT NULL,
    application_name text NOT NULL,
    usename text NOT NULL,
    client_addr text NOT NULL,
    count bigint NOT NULL DEFAULT 0,
    baseline bigint,
    first_seen timestamptz,
    last_seen timestamptz,
    PRIMARY KEY (migration, source, object, detail, application_name, usename, client_addr))`);
}

/** The evidence rows of `migration`; none when the table does not exist. */
export async function readEvidence(knex: Knex, migration: string): Promise<EvidenceRow[]> {
  if (!(await tableExists(knex, DRAIN_TABLE))) return [];
  const rows = await knex(DRAIN_TABLE).where({ migration }).orderBy([{ column: 'last_seen', order: 'desc' }, 'object']);
  return rows.map((r) => ({
    migration: r.migration,
    source: r.source,
    object: r.object,
    detail: r.detail,
    applicationName: r.application_name,
    user: r.usename,
    clientAddr: r.client_addr,
    count: Number(r.count),
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
  }));
}

/**
 * SQL that forgets `migration`'s evidence and drops the table once it holds none (nothing when
 * there is no table): one statement, so it can go in the same round trip as the drops before it.
 */
export function forgetEvidenceSql(migration: string): string {
  return `DO $forget$ BEGIN
    IF pg_catalog.to_regclass(${DRAIN_TABLE_LITERAL}) IS NULL THEN RETURN; END IF;
    DELETE FROM ${DRAIN_TABLE} WHERE migration = '${migration.replace(/'/g, "''")}';
    IF NOT EXISTS (SELECT FROM ${DRAIN_TABLE}) THEN DROP TABLE ${DRAIN_TABLE}; END IF;
  END $forget$`;
}

/** The table's name in the current schema, as to_regclass reads it (the first schema of the search_path, as tableExists). */
const DRAIN_TABLE_LITERAL = `pg_catalog.quote_ident(pg_catalog.current_schema()) || '.${DRAIN_TABLE}'`;
