/**
 * The file `konstruct-migrate new` writes: a typed, empty migration whose
 * comments carry the conventions that keep a live database available.
 * An empty `up`/`down` pair is a valid migration, so the file runs as written.
 */
export function migrationTemplate(name: string): string {
  return `/**
 * ${name}
 *
 * Runs in its own transaction: the statements below and the row in
 * knex_migrations commit together or not at all. konstruct-migrate sets a short
 * lock_timeout on that transaction (see \`konstruct-migrate up --help\`), so a
 * statement that has to wait behind the live application gives up and is
 * retried instead of making the application's queries queue behind it.
 *
 * Keeping large tables online (see docs/writing-migrations.md):
 * - ADD COLUMN ... NOT NULL DEFAULT <constant> is a catalog-only change; avoid
 *   full-table UPDATEs and volatile defaults such as now() on existing tables.
 * - Add constraints as NOT VALID, then VALIDATE CONSTRAINT in a later statement.
 * - CREATE INDEX CONCURRENTLY cannot run in a transaction: give it a migration
 *   of its own and uncomment \`config\` below. Without a transaction nothing is
 *   rolled back, so write each statement to be safe to run again.
 *
 * Frozen history: never import application code (enums, models) here.
 */
import type { Knex } from 'knex';

// export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  // await knex.schema.alterTable('portal_users', (t) => { t.text('nickname'); });
}

export async function down(knex: Knex): Promise<void> {
  // Undo exactly what up() did, in reverse order.
  // await knex.schema.alterTable('portal_users', (t) => { t.dropColumn('nickname'); });
}

// If down() destroys data, say how much, so \`konstruct-migrate down\` refuses it
// unless confirmed (--yes, or a yes on a terminal):
// export async function dataLostOnDown(knex: Knex): Promise<Array<{ what: string; count: number }>> {
//   const [{ n }] = await knex('portal_users').whereNotNull('nickname').count({ n: '*' });
//   return [{ what: 'portal_users nicknames (dropped)', count: Number(n) }];
// }
`;
}
