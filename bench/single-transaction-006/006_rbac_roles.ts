/*
 * FROZEN BENCHMARK CONTENDER — do not edit, do not import from the product.
 * Revision 006 exactly as it stood before it became a phased migration (commit
 * 5c8238c of migrations/006_rbac_roles.ts): everything in one transaction. The
 * benchmark runs it through the same CLI as "today's single-transaction 006", so
 * the phased migration's end-to-end time is compared with what it replaced.
 */
/**
 * Alembic revision 006 (RBAC roles), reproduced exactly: see shared/seed/006_rbac_roles.py
 * and target-catalog-after-006.sql.
 *
 * One deliberate difference in *how*, not in the result: the seed adds `role` as
 * NULL and fills it with a full-table UPDATE, which rewrites every row under an
 * ACCESS EXCLUSIVE lock (1M rows: 9 s, table 186 MB -> 319 MB). Here the column
 * is added NOT NULL with a constant default, which PostgreSQL >= 11 stores in the
 * catalog without touching the rows; only the rows that differ (admins) are
 * updated, and the default is dropped again so the catalog matches the seed.
 * `down` mirrors this for `is_admin`.
 *
 * Frozen history: the role names are spelled out here on purpose instead of
 * importing the application's UserRole, which may change later.
 */
import type { Knex } from 'knex';

const APP_ROLE = 'konstruct_app';
const ROLE_COMMENT = 'customer_admin | customer_operator';

export async function up(knex: Knex): Promise<void> {
  // The new tables come first and reference portal_users only at the end: nothing
  // here locks portal_users before step 3, so the ACCESS EXCLUSIVE lock that
  // altering it takes is held for step 3 and the two foreign keys, not for
  // building the tables too. (Still one transaction: all of it or nothing.)

  // 1. user_tenant_roles: one role per user per tenant.
  await knex.schema.createTable('user_tenant_roles', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable(); // foreign key in step 4
    t.uuid('tenant_id').notNullable()
      .references('id').inTable('tenants').onDelete('CASCADE')
      .withKeyName('user_tenant_roles_tenant_id_fkey');
    t.text('role').notNullable().comment(ROLE_COMMENT);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.raw('now()'));
    t.unique(['user_id', 'tenant_id'], { indexName: 'uq_user_tenant_role' });
    t.index(['user_id'], 'ix_user_tenant_roles_user');
    t.index(['tenant_id'], 'ix_user_tenant_roles_tenant');
  });
  await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON user_tenant_roles TO ${APP_ROLE}`);

  // 2. portal_invitations: invite-only onboarding.
  await knex.schema.createTable('portal_invitations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('email', 255).notNullable();
    t.string('name', 255).notNullable();
    t.uuid('tenant_id').notNullable()
      .references('id').inTable('tenants').onDelete('CASCADE')
      .withKeyName('portal_invitations_tenant_id_fkey');
    t.text('role').notNullable().comment(ROLE_COMMENT);
    t.uuid('invited_by') // foreign key in step 4
      .comment('ID of the user who created the invitation (NULL for system-generated)');
    // The seed makes both a UNIQUE constraint and a unique index on token_hash; kept for parity.
    t.string('token_hash', 255).notNullable()
      .unique({ indexName: 'portal_invitations_token_hash_key' })
      .comment('SHA-256 hex digest of the raw HMAC invite token');
    t.string('status', 20).notNullable().defaultTo('pending').comment('pending | accepted | revoked');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.raw('now()'));
    t.index(['tenant_id'], 'ix_portal_invitations_tenant');
    t.index(['email'], 'ix_portal_invitations_email');
    t.unique(['token_hash'], { indexName: 'ix_portal_invitations_token_hash', useConstraint: false });
  });
  await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON portal_invitations TO ${APP_ROLE}`);

  // 3. portal_users.role replaces is_admin.
  await knex.schema.alterTable('portal_users', (t) => {
    t.text('role').notNullable().defaultTo('customer_admin');
  });
  await knex('portal_users').where('is_admin', true).update({ role: 'platform_admin' });
  await knex.raw('ALTER TABLE portal_users ALTER COLUMN role DROP DEFAULT');
  await knex.raw(`
    ALTER TABLE portal_users ADD CONSTRAINT ck_portal_users_role
      CHECK (role IN ('platform_admin', 'customer_admin', 'customer_operator'))`);
  await knex.schema.alterTable('portal_users', (t) => {
    t.dropColumn('is_admin');
  });

  // 4. The references to portal_users (checked instantly: both tables are empty).
  await knex.schema.alterTable('user_tenant_roles', (t) => {
    t.foreign('user_id', 'user_tenant_roles_user_id_fkey').references('id').inTable('portal_users').onDelete('CASCADE');
  });
  await knex.schema.alterTable('portal_invitations', (t) => {
    t.foreign('invited_by', 'portal_invitations_invited_by_fkey').references('id').inTable('portal_users');
  });
}

/**
 * What down() destroys, counted by `konstruct-migrate down` before it runs (it
 * refuses unless confirmed when any count is above zero): both new tables are
 * dropped, and customer_operator collapses into is_admin = false.
 */
export async function dataLostOnDown(knex: Knex): Promise<Array<{ what: string; count: number }>> {
  const count = async (query: Knex.QueryBuilder) => Number((await query.count({ n: '*' }))[0]!.n);
  return [
    { what: 'rows in user_tenant_roles (dropped)', count: await count(knex('user_tenant_roles')) },
    { what: 'rows in portal_invitations (dropped)', count: await count(knex('portal_invitations')) },
    {
      what: 'portal_users with role customer_operator (become is_admin = false)',
      count: await count(knex('portal_users').where('role', 'customer_operator')),
    },
  ];
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`REVOKE ALL ON portal_invitations FROM ${APP_ROLE}`);
  await knex.schema.alterTable('portal_invitations', (t) => {
    t.dropIndex(['token_hash'], 'ix_portal_invitations_token_hash');
    t.dropIndex(['email'], 'ix_portal_invitations_email');
    t.dropIndex(['tenant_id'], 'ix_portal_invitations_tenant');
  });
  await knex.schema.dropTable('portal_invitations');

  await knex.raw(`REVOKE ALL ON user_tenant_roles FROM ${APP_ROLE}`);
  await knex.schema.alterTable('user_tenant_roles', (t) => {
    t.dropIndex(['tenant_id'], 'ix_user_tenant_roles_tenant');
    t.dropIndex(['user_id'], 'ix_user_tenant_roles_user');
  });
  await knex.schema.dropTable('user_tenant_roles');

  // is_admin comes back as the last column, NOT NULL, no default; metadata-only as in up().
  await knex.raw('ALTER TABLE portal_users DROP CONSTRAINT ck_portal_users_role');
  await knex.schema.alterTable('portal_users', (t) => {
    t.boolean('is_admin').notNullable().defaultTo(false);
  });
  await knex('portal_users').where('role', 'platform_admin').update({ is_admin: true });
  await knex.raw('ALTER TABLE portal_users ALTER COLUMN is_admin DROP DEFAULT');
  await knex.schema.alterTable('portal_users', (t) => {
    t.dropColumn('role');
  });
}
