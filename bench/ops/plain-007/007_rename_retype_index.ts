/**
 * The operations scenario's migration written as a plain migration: the same
 * rename, type changes and index in one transaction (knex's default), as most
 * teams would write it. The `updated_at` change rewrites the table under
 * ACCESS EXCLUSIVE; CREATE INDEX inside the transaction holds SHARE on top of
 * it until the commit.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE portal_users RENAME COLUMN name TO display_name');
  await knex.raw('ALTER TABLE portal_users ALTER COLUMN hashed_password TYPE text');
  await knex.raw("ALTER TABLE portal_users ALTER COLUMN updated_at TYPE timestamp USING updated_at AT TIME ZONE 'UTC'");
  await knex.raw('CREATE INDEX ix_portal_users_created_at ON portal_users (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX ix_portal_users_created_at');
  await knex.raw("ALTER TABLE portal_users ALTER COLUMN updated_at TYPE timestamptz USING updated_at AT TIME ZONE 'UTC'");
  await knex.raw('ALTER TABLE portal_users ALTER COLUMN hashed_password TYPE varchar(255)');
  await knex.raw('ALTER TABLE portal_users RENAME COLUMN display_name TO name');
}
