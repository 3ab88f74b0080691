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
 *   full-table UPDATEs and volatile defaults such as gen_random_uuid() on existing
 *   tables (now() is stable: catalog-only too).
 * - Add constraints as NOT VALID, then VALIDATE CONSTRAINT in a later statement.
 * - CREATE INDEX CONCURRENTLY cannot run in a transaction: give it a migration
 *   of its own and uncomment \`config\` below. Without a transaction nothing is
 *   rolled back, so write each statement to be safe to run again.
 *
 * A change on a live, large table: \`konstruct-migrate new <name> --operations\`
 * (declarative online operations; see docs/online-migrations.md).
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

/**
 * `new --phased`: a migration in phases (docs/online-migrations.md), for a
 * change on a live, large table that old and new application versions share
 * during a rolling deploy. Every step does nothing yet, so it runs as written.
 */
export function phasedMigrationTemplate(name: string): string {
  return `/**
 * ${name} — a phased (online) migration; see docs/online-migrations.md.
 *
 * Each step runs in its own short transaction; each batch of a batched step
 * too, with its cursor saved in that transaction. \`konstruct-migrate up --expand\`
 * stops after the expand and backfill steps (old and new application versions
 * both work); \`konstruct-migrate complete\` runs the contract steps once the new
 * version is everywhere. A plain \`up\` runs them all.
 *
 * Rules that keep it safe:
 * - expand: additive only (new columns NOT NULL DEFAULT <constant>, new tables,
 *   triggers that keep old and new columns in step); touch the big table only
 *   in catalog-only statements, at the end of the step.
 * - backfill: each batch takes row locks only, returns where the next one
 *   starts (null when done), and is safe to run again (a crash redoes it).
 * - contract: add constraints NOT VALID, VALIDATE them in a step of their own,
 *   then drop what only the old version used.
 * - down mirrors every step; it may run from any point.
 *
 * Frozen history: never import application code here (types only, below).
 */
import type { Knex } from 'knex';
import type { PhasedStep } from '../src/phased/phased-migration';

export const phases: PhasedStep[] = [
  {
    phase: 'expand',
    name: 'add the new column',
    up: async (knex: Knex) => {
      // await knex.raw("ALTER TABLE portal_users ADD COLUMN display_name text NOT NULL DEFAULT ''");
    },
    down: async (knex: Knex) => {
      // await knex.raw('ALTER TABLE portal_users DROP COLUMN display_name');
    },
  },
  {
    phase: 'backfill',
    name: 'fill the new column',
    batch: {
      // Keyset by primary key: \`size\` rows after \`cursor\`, then the last key as the next cursor.
      up: async (knex: Knex, cursor: string | null, size: number) => {
        // const { rows } = await knex.raw(
        //   \`WITH batch AS (SELECT id FROM portal_users WHERE id > coalesce(?::uuid, '00000000-0000-0000-0000-000000000000')
        //                   ORDER BY id LIMIT ?),
        //         changed AS (UPDATE portal_users p SET display_name = p.name FROM batch b
        //                      WHERE p.id = b.id AND p.display_name = '')
        //    SELECT max(id::text) AS last, count(*)::int AS rows FROM batch\`,
        //   [cursor, size],
        // );
        // return { next: rows[0].rows < size ? null : rows[0].last, rows: rows[0].rows };
        return { next: null, rows: 0 };
      },
    },
  },
  {
    phase: 'contract',
    name: 'drop the old column',
    up: async (knex: Knex) => {
      // await knex.raw('ALTER TABLE portal_users DROP COLUMN name');
    },
    down: async (knex: Knex) => {
      // await knex.raw("ALTER TABLE portal_users ADD COLUMN name text NOT NULL DEFAULT ''");
    },
  },
];
`;
}

/**
 * `new --operations`: a migration as a list of declarative online operations
 * (docs/online-migrations.md), compiled by konstruct-migrate into expand,
 * backfill and contract steps. It runs as written (one placeholder `sql`).
 */
export function operationsMigrationTemplate(name: string): string {
  return `/**
 * ${name} — declarative online operations; see docs/online-migrations.md.
 *
 * konstruct-migrate turns the list into short steps: expand (catalog-only
 * changes, triggers keeping the old and the new shape in step), a backfill in
 * batches by heap pages, then contract. \`up --expand\` stops once both
 * application versions are served; \`complete\` contracts once the new version
 * runs everywhere; \`down\` reverts from any point. Operations on one table
 * share one expand, one backfill pass and one contract.
 *
 * Frozen history: never import application code here (types only, below).
 */
import type { Operation } from '../src/operations';

export const operations: Operation[] = [
  // Replace the placeholder below with what the change needs, for example:
  // { addColumn: { table: 'portal_users', column: { name: 'nickname', type: 'text' } } },
  // { addColumn: { table: 'portal_users', column: { name: 'login', type: 'text', nullable: false }, up: "split_part(email, '@', 1)" } },
  // { renameColumn: { table: 'portal_users', from: 'name', to: 'display_name' } },
  // { alterColumn: { table: 'portal_invitations', column: 'status', type: 'text', fromType: 'varchar(20)', down: 'left(status, 20)' } },
  // { alterColumn: { table: 'portal_users', column: 'nickname', nullable: false, unique: { name: 'uq_portal_users_nickname' } } },
  // { alterColumn: { table: 'orders', column: 'quantity', type: 'bigint', fromType: 'integer' } }, // would rewrite: through a new column
  // { createIndex: { table: 'portal_users', name: 'ix_portal_users_created_at', columns: ['created_at'] } },
  // { dropIndex: { name: 'ix_portal_users_created_at', table: 'portal_users', columns: ['created_at'] } },
  // { dropColumn: { table: 'portal_users', column: 'nickname', type: 'text' } },
  // { createTable: { table: 'audit_events', columns: [{ name: 'id', type: 'bigint', nullable: false }], primaryKey: ['id'] } },
  // { dropTable: { table: 'audit_events', down: 'CREATE TABLE audit_events (id bigint PRIMARY KEY)' } },
  // { batch: { table: 'portal_users', name: 'trim names', up: 'UPDATE portal_users SET name = trim(name) WHERE {pages} AND name <> trim(name)' } },
  { sql: { up: 'SELECT 1', down: 'SELECT 1' } },
];
`;
}
