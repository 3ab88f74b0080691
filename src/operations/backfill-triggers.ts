/**
 * The backfill writes every row of the table, and an UPDATE fires the table's own triggers: a BEFORE UPDATE that
 * stamps updated_at stamped every row with the migration's time, an audit trigger logged a row per row (found by
 * review). The backfill only moves data the application already wrote into its new shape, so it runs with
 * session_replication_role = replica for its transaction alone: triggers enabled the ordinary way (and foreign key
 * checks: a new constraint is validated in a step of its own) do not fire. The tool's sync triggers are out of the
 * backfill's way already (sync-trigger.ts).
 *
 * Setting it needs a superuser or, from PostgreSQL 15, GRANT SET ON PARAMETER session_replication_role. Where the
 * table has such triggers and the user may not, or has triggers that fire in replica mode too (ENABLE ALWAYS,
 * ENABLE REPLICA), `up` refuses before anything runs (commands/up.ts).
 */
import type { Knex } from 'knex';
import { ident } from './sql-names';

/** Prefixed to a batch's statement, in its round trip: for this transaction only. */
export const SKIP_TABLE_TRIGGERS = `SELECT set_config('session_replication_role', 'replica', true); `;

interface TableTrigger { name: string; enabled: 'O' | 'A' | 'R' }

/** The table's own enabled triggers an UPDATE fires (row or statement level); not the tool's, nor a constraint's. */
export async function triggersOnUpdate(knex: Knex, table: string): Promise<TableTrigger[]> {
  const { rows } = await knex.raw(
    `SELECT t.tgname AS name, t.tgenabled AS enabled FROM pg_catalog.pg_trigger t
      WHERE t.tgrelid = pg_catalog.to_regclass(?) AND NOT t.tgisinternal AND t.tgenabled <> 'D'
        AND (t.tgtype & 16) <> 0 AND t.tgname NOT LIKE 'konstruct\\_%'
      ORDER BY t.tgname`,
    [ident(table)],
  );
  return rows;
}

/** Why the backfill of `tables` could not keep their triggers out of it here; none when it can. */
export async function backfillTriggerProblems(knex: Knex, tables: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  let maySet: boolean | undefined;
  for (const table of tables) {
    const triggers = await triggersOnUpdate(knex, table);
    if (triggers.length === 0) continue;
    const always = triggers.filter((t) => t.enabled !== 'O').map((t) => t.name);
    if (always.length > 0) {
      problems.push(`the backfill of ${table} would fire ${always.join(', ')} (ENABLE ALWAYS or REPLICA triggers fire even with session_replication_role = replica)`);
      continue;
    }
    maySet ??= (await knex.raw(`SELECT pg_catalog.has_parameter_privilege('session_replication_role', 'SET') AS may`)).rows[0].may === true;
    if (!maySet) {
      problems.push(`the backfill of ${table} would fire its triggers ${triggers.map((t) => t.name).join(', ')}, and this user may not set session_replication_role to keep them out: GRANT SET ON PARAMETER session_replication_role TO ${(await knex.raw('SELECT current_user AS u')).rows[0].u}, or run as a superuser`);
    }
  }
  return problems;
}
