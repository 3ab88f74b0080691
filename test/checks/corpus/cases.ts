/**
 * Migrations one might write next for this schema (after 006), each with the
 * verdict `check` must give on a live portal_users/tenants/portal_invitations:
 * the rules that must fire, or none. Written for this project; the benchmark
 * (bench/check-vs-squawk.ts) gives the same SQL to squawk.
 */

export interface CorpusCase {
  name: string;
  /** Dangerous: blocks or breaks a live table; safe: does not. */
  verdict: 'dangerous' | 'safe';
  /** The rules that must fire (empty for a safe case). */
  rules: string[];
  /** The migration's statements, run in order. */
  up: string[];
  /** false: run outside a transaction, statement by statement (knex's `config.transaction = false`). */
  transaction?: false;
}

export const CORPUS: readonly CorpusCase[] = [
  { name: 'index_without_concurrently', verdict: 'dangerous', rules: ['index-build'], up: ['CREATE INDEX ix_portal_users_name ON portal_users (name)'] },
  { name: 'unique_constraint_on_tenants', verdict: 'dangerous', rules: ['index-build'], up: ['ALTER TABLE tenants ADD CONSTRAINT uq_tenants_name UNIQUE (name)'] },
  { name: 'narrow_varchar', verdict: 'dangerous', rules: ['table-rewrite'], up: ['ALTER TABLE portal_users ALTER COLUMN name TYPE varchar(100)'] },
  { name: 'type_change_using', verdict: 'dangerous', rules: ['table-rewrite'], up: ['ALTER TABLE tenants ALTER COLUMN slug TYPE text USING lower(slug)'] },
  { name: 'volatile_default', verdict: 'dangerous', rules: ['table-rewrite'], up: ['ALTER TABLE portal_users ADD COLUMN login_nonce uuid NOT NULL DEFAULT gen_random_uuid()'] },
  { name: 'bigserial_column', verdict: 'dangerous', rules: ['table-rewrite'], up: ['ALTER TABLE portal_users ADD COLUMN legacy_number bigserial'] },
  { name: 'check_validated_under_lock', verdict: 'dangerous', rules: ['constraint-validation'], up: ['ALTER TABLE portal_users ADD CONSTRAINT ck_portal_users_email_lower CHECK (email = lower(email))'] },
  {
    name: 'foreign_key_validated_under_lock', verdict: 'dangerous', rules: ['constraint-validation'],
    up: ['ALTER TABLE portal_invitations ADD CONSTRAINT fk_portal_invitations_inviter FOREIGN KEY (invited_by) REFERENCES portal_users (id) ON DELETE SET NULL'],
  },
  { name: 'set_not_null_without_check', verdict: 'dangerous', rules: ['not-null-scan'], up: ['ALTER TABLE portal_invitations ALTER COLUMN invited_by SET NOT NULL'] },
  { name: 'vacuum_full', verdict: 'dangerous', rules: ['table-rewrite'], up: ['VACUUM FULL portal_users'], transaction: false },
  { name: 'update_every_row', verdict: 'dangerous', rules: ['every-row-update'], up: ["UPDATE portal_users SET role = 'customer_admin'"] },
  // Found by review: an UPDATE in a writable CTE, the statement being a SELECT, was not judged.
  {
    name: 'update_every_row_in_a_cte', verdict: 'dangerous', rules: ['every-row-update'],
    up: ["WITH touched AS (UPDATE portal_users SET name = name || '' RETURNING 1) SELECT count(*) FROM touched"],
  },
  // Found by review: two statements in one string (one knex.raw) were judged as one, and the UPDATE went unseen.
  {
    name: 'update_every_row_in_one_string', verdict: 'dangerous', rules: ['every-row-update'],
    up: ["ALTER TABLE portal_users ADD COLUMN nickname text; /* one string; */ UPDATE portal_users SET nickname = 'it''s; me'"],
  },
  // Found by review: a condition that every row there meets bounded nothing, and was taken to bound the write.
  {
    name: 'backfill_where_new_column_is_null', verdict: 'dangerous', rules: ['every-row-update'],
    up: ['ALTER TABLE portal_users ADD COLUMN nickname text', 'UPDATE portal_users SET nickname = name WHERE nickname IS NULL'],
  },
  {
    name: 'delete_by_the_default_just_added', verdict: 'dangerous', rules: ['every-row-update'],
    up: ["ALTER TABLE tenants ADD COLUMN plan text NOT NULL DEFAULT 'free'", "DELETE FROM tenants WHERE plan = 'free' AND plan IS NOT NULL"],
  },
  {
    // The rows there hold NULL: the default set after the column was added is for later rows (found by review).
    name: 'backfill_where_null_after_a_later_default', verdict: 'dangerous', rules: ['every-row-update'],
    up: ['ALTER TABLE portal_users ADD COLUMN score int', 'ALTER TABLE portal_users ALTER COLUMN score SET DEFAULT 0', 'UPDATE portal_users SET score = 1 WHERE score IS NULL'],
  },
  {
    name: 'new_column_condition_and_an_old_one', verdict: 'safe', rules: [],
    up: ['ALTER TABLE portal_users ADD COLUMN nickname text', "UPDATE portal_users SET nickname = name WHERE nickname IS NULL AND email = 'a@example.com'"],
  },
  {
    name: 'new_column_condition_no_row_meets', verdict: 'safe', rules: [],
    up: ['ALTER TABLE portal_users ADD COLUMN nickname text', "UPDATE portal_users SET nickname = 'x' WHERE nickname IS NOT NULL"],
  },
  // Found by review: the UPDATEs of a routine's BEGIN ATOMIC body (created, never run here) were judged as run.
  {
    name: 'procedure_with_updates_in_its_body', verdict: 'safe', rules: [],
    up: ["CREATE PROCEDURE reset_names() LANGUAGE sql BEGIN ATOMIC UPDATE tenants SET name = 'a' WHERE slug = 'x'; UPDATE tenants SET name = 'b'; END; COMMENT ON PROCEDURE reset_names() IS 'admin tool'"],
  },
  {
    name: 'update_one_row_in_one_string', verdict: 'safe', rules: [],
    up: ["ALTER TABLE tenants ADD COLUMN note text; UPDATE tenants SET note = 'x' WHERE slug = 'acme'"],
  },
  { name: 'drop_column', verdict: 'dangerous', rules: ['breaking-change'], up: ['ALTER TABLE portal_users DROP COLUMN hashed_password'] },
  { name: 'rename_column', verdict: 'dangerous', rules: ['breaking-change'], up: ['ALTER TABLE tenants RENAME COLUMN slug TO handle'] },
  // Found by review: a table moved out of the application's schema was not seen.
  { name: 'table_set_schema', verdict: 'dangerous', rules: ['breaking-change'], up: ['CREATE SCHEMA archive', 'ALTER TABLE tenants SET SCHEMA archive'] },
  {
    // NOT VALID, but validated in the same transaction: the scan runs under the ADD's ACCESS EXCLUSIVE, held until commit.
    name: 'validate_in_same_transaction', verdict: 'dangerous', rules: ['constraint-validation'],
    up: [
      'ALTER TABLE portal_users ADD CONSTRAINT ck_portal_users_email_lower CHECK (email = lower(email)) NOT VALID',
      'ALTER TABLE portal_users VALIDATE CONSTRAINT ck_portal_users_email_lower',
    ],
  },

  { name: 'widen_varchar', verdict: 'safe', rules: [], up: ['ALTER TABLE portal_users ALTER COLUMN name TYPE varchar(300)'] },
  { name: 'varchar_to_text', verdict: 'safe', rules: [], up: ['ALTER TABLE portal_invitations ALTER COLUMN name TYPE text'] },
  { name: 'constant_default', verdict: 'safe', rules: [], up: ["ALTER TABLE portal_users ADD COLUMN locale text NOT NULL DEFAULT 'en'"] },
  {
    name: 'set_not_null_with_validated_check', verdict: 'safe', rules: [],
    up: [
      'ALTER TABLE portal_invitations ADD CONSTRAINT ck_portal_invitations_invited_by CHECK (invited_by IS NOT NULL) NOT VALID',
      'ALTER TABLE portal_invitations VALIDATE CONSTRAINT ck_portal_invitations_invited_by',
      'ALTER TABLE portal_invitations ALTER COLUMN invited_by SET NOT NULL',
    ],
    // Each statement in a transaction of its own: VALIDATE must not run under the ADD's lock.
    transaction: false,
  },
  { name: 'check_not_valid', verdict: 'safe', rules: [], up: ['ALTER TABLE portal_users ADD CONSTRAINT ck_portal_users_email_lower CHECK (email = lower(email)) NOT VALID'] },
  {
    name: 'foreign_key_not_valid', verdict: 'safe', rules: [],
    up: ['ALTER TABLE portal_invitations ADD CONSTRAINT fk_portal_invitations_inviter FOREIGN KEY (invited_by) REFERENCES portal_users (id) ON DELETE SET NULL NOT VALID'],
  },
  { name: 'index_concurrently', verdict: 'safe', rules: [], up: ['CREATE INDEX CONCURRENTLY ix_portal_users_name ON portal_users (name)'], transaction: false },
  {
    name: 'index_on_new_table', verdict: 'safe', rules: [],
    up: [
      'CREATE TABLE portal_sessions (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL REFERENCES portal_users (id) ON DELETE CASCADE, expires_at timestamptz NOT NULL)',
      'CREATE INDEX ix_portal_sessions_user ON portal_sessions (user_id)',
    ],
  },
  {
    name: 'rewrite_of_new_table', verdict: 'safe', rules: [],
    up: [
      'CREATE TABLE tenant_notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id uuid NOT NULL, body varchar(500) NOT NULL)',
      'ALTER TABLE tenant_notes ALTER COLUMN body TYPE varchar(200)',
      'ALTER TABLE tenant_notes ADD COLUMN number bigserial',
    ],
  },
  { name: 'update_one_user', verdict: 'safe', rules: [], up: ["UPDATE portal_users SET role = 'platform_admin' WHERE email = 'ops@konstruct.example'"] },
  {
    name: 'insert_naming_update', verdict: 'safe', rules: [],
    up: ["INSERT INTO tenants (name, slug) VALUES ('update all', 'delete-me') ON CONFLICT (slug) DO UPDATE SET name = excluded.name"],
  },
  { name: 'nullable_column', verdict: 'safe', rules: [], up: ['ALTER TABLE portal_users ADD COLUMN nickname text'] },
];

/** The case as a knex migration (CommonJS), as `check` loads it. */
export function migrationSource(c: CorpusCase): string {
  const statements = JSON.stringify(c.up);
  return `exports.up = async (knex) => { for (const sql of ${statements}) await knex.raw(sql); };
exports.down = async () => {};
${c.transaction === false ? 'exports.config = { transaction: false };\n' : ''}`;
}
