/** What the sessions of a test database are doing, seen from another session (pg_stat_activity). */
import type { Knex } from 'knex';

/** True while another session of this database runs a statement whose text contains `text`. */
export async function statementRunning(knex: Knex, text: string): Promise<boolean> {
  const { rows } = await knex.raw(
    `SELECT 1 FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() AND strpos(query, ?) > 0`,
    [text],
  );
  return rows.length > 0;
}
