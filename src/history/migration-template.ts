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
