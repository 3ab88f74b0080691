/**
 * Baseline: the schema that Alembic revisions 001–005 left behind, reduced to
 * what revision 006 builds on. Databases that Alembic already manages are not
 * re-created from this file; `konstruct-migrate baseline` records it as applied.
 *
 * Frozen history: this file must never import application code.
 */
import type { Knex } from 'knex';

const APP_ROLE = 'konstruct_app';

export async function up(knex: Knex): Promise<void> {
  // Roles are cluster-wide: another database on the same server may have made it already.
  await knex.raw(`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${APP_ROLE}') THEN
        CREATE ROLE ${APP_ROLE} NOLOGIN;
      END IF;
    END
    $$`);

  await knex.schema.createTable('tenants', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('name', 255).notNullable();
    t.string('slug', 100).notNullable().unique({ indexName: 'tenants_slug_key' });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.raw('now()'));
  });

  await knex.schema.createTable('portal_users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('email', 255).notNullable().unique({ indexName: 'portal_users_email_key' });
    t.string('hashed_password', 255).notNullable();
    t.string('name', 255).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.raw('now()'));
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.raw('now()'));
    // No server default: the application always decides, and 006 relies on that.
    t.boolean('is_admin').notNullable();
  });

  await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, portal_users TO ${APP_ROLE}`);
}

/** What down() destroys (both tables are dropped), counted by `konstruct-migrate down` before it runs. */
export async function dataLostOnDown(knex: Knex): Promise<Array<{ what: string; count: number }>> {
  const count = async (table: string) => Number((await knex(table).count({ n: '*' }))[0]!.n);
  return [
    { what: 'rows in portal_users (dropped)', count: await count('portal_users') },
    { what: 'rows in tenants (dropped)', count: await count('tenants') },
  ];
}

export async function down(knex: Knex): Promise<void> {
  // The role stays: it is cluster-wide and other databases may still use it.
  await knex.raw(`REVOKE ALL ON portal_users, tenants FROM ${APP_ROLE}`);
  await knex.schema.dropTable('portal_users');
  await knex.schema.dropTable('tenants');
}
