/**
 * Alembic revision 006 (RBAC roles), reproduced exactly: see shared/seed/006_rbac_roles.py
 * and target-catalog-after-006.sql — as phases, so that it runs on a live, large
 * portal_users without long locks while the old application version (reads and
 * writes is_admin) and the new one (reads and writes role) run side by side.
 *
 *   expand    new tables; portal_users.role NOT NULL DEFAULT 'customer_admin' (catalog-only);
 *             triggers keeping role and is_admin in step, both ways; one transaction.
 *   backfill  admins get 'platform_admin', in batches of short transactions (row locks only).
 *   contract  ck_portal_users_role NOT VALID, then VALIDATE (reads and writes go on);
 *             then the triggers, is_admin and role's default go.
 *
 * The end state is the seed's exactly (the catalog, and every row's role by its
 * mapping). The seed fills role with a full-table UPDATE under ACCESS EXCLUSIVE;
 * here no statement holding a lock that blocks the application does work that
 * grows with the table. `down` mirrors every step and ends exactly at 005.
 *
 * Frozen history: the role names are spelled out here on purpose instead of
 * importing the application's UserRole, which may change later.
 *
 * Revised once (2026-12-07, issue #25 item 4), with the same end state both ways:
 * two column-list triggers so that a write of a column's default value on a row
 * the backfill (or, going down, the restore) has not reached yet is not undone,
 * and pinned search_paths. Databases that applied the earlier text keep it as
 * theirs: migrations/superseded-checksums.json, docs/production-safety.md.
 */
import type { Knex } from 'knex';
// Types only (erased when compiled): the migration needs nothing from the engine at run time.
import type { BatchFunction, PhasedStep } from '../src/phased/phased-migration';

const APP_ROLE = 'konstruct_app';
const ROLE_COMMENT = 'customer_admin | customer_operator';
const SYNC = 'portal_users_sync_role_is_admin';
/**
 * Fire before SYNC (BEFORE triggers of a table fire in name order): 1 before 2 before "r".
 * Absent from a database expanded by the earlier revision of this file: dropped IF EXISTS.
 */
const ROLE_WRITTEN = 'portal_users_sync_1_role_written';
const IS_ADMIN_WRITTEN = 'portal_users_sync_2_is_admin_written';
/** The functions reference no table: only pg_catalog's operators, whoever calls them. */
const PINNED = 'SET search_path = pg_catalog, pg_temp';

/**
 * Keeps role and is_admin in step while both exist (issue #11's mapping):
 * - INSERT without is_admin (new version): is_admin := role = 'platform_admin';
 * - INSERT with is_admin (old version; role got its default): role := platform_admin / customer_admin;
 * - UPDATE of role: is_admin := role = 'platform_admin';
 * - UPDATE of is_admin only: true -> platform_admin; false -> customer_admin, but a customer_operator stays one;
 * - UPDATE of neither, on a row the backfill (up) or the is_admin restore (down) has
 *   not reached yet — the only rows where the two disagree: either says admin, so
 *   both do. A row can move (a new tuple) behind the batches' cursor only by being
 *   updated, so every row is either reached by the batches or fixed here.
 * NOT NULL on is_admin is checked after BEFORE triggers, so the new version may leave it out.
 *
 * Comparing NEW with OLD cannot see a write of the value the row already holds: on a row
 * not reached yet (is_admin true, role still its default customer_admin), the new version's
 * demotion `SET role = 'customer_admin'` looks like a write of neither column, and would be
 * promoted back. Only a column list (`UPDATE OF role`) sees that the column was written: the
 * two triggers below do, and fire first; once they have made the columns agree, this one's
 * WHEN no longer calls it.
 */
const SYNC_FUNCTION = `
  CREATE FUNCTION ${SYNC}() RETURNS trigger LANGUAGE plpgsql ${PINNED} AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      IF NEW.is_admin IS NULL THEN
        NEW.is_admin := NEW.role = 'platform_admin';
      ELSE
        NEW.role := CASE WHEN NEW.is_admin THEN 'platform_admin' ELSE 'customer_admin' END;
      END IF;
    ELSIF NEW.role IS DISTINCT FROM OLD.role THEN
      NEW.is_admin := NEW.role = 'platform_admin';
    ELSIF NEW.is_admin IS DISTINCT FROM OLD.is_admin THEN
      NEW.role := CASE WHEN NEW.is_admin THEN 'platform_admin'
                       WHEN OLD.role = 'customer_operator' THEN 'customer_operator'
                       ELSE 'customer_admin' END;
    ELSIF NEW.is_admin OR NEW.role = 'platform_admin' THEN
      NEW.is_admin := true;
      NEW.role := 'platform_admin';
    END IF;
    RETURN NEW;
  END
  $$`;

/**
 * UPDATEs naming a column, whatever its value: the other column follows it. Role first
 * (the new version's column), so that role wins when an UPDATE names both.
 */
const COLUMN_WRITTEN = [
  { trigger: ROLE_WRITTEN, column: 'role', follow: `NEW.is_admin := NEW.role = 'platform_admin';` },
  {
    trigger: IS_ADMIN_WRITTEN,
    column: 'is_admin',
    // As in SYNC: a customer_operator stays one.
    follow: `NEW.role := CASE WHEN NEW.is_admin THEN 'platform_admin'
                     WHEN OLD.role = 'customer_operator' THEN 'customer_operator'
                     ELSE 'customer_admin' END;`,
  },
];

/** Only rows whose two columns would disagree call a function: where they agree, every rule leaves the row as written. */
const DISAGREE = `WHEN (NEW.is_admin IS DISTINCT FROM (NEW.role = 'platform_admin'))`;

async function addSync(knex: Knex): Promise<void> {
  for (const { trigger, column, follow } of COLUMN_WRITTEN) {
    await knex.raw(`CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql ${PINNED} AS $$ BEGIN ${follow} RETURN NEW; END $$`);
    await knex.raw(`CREATE TRIGGER ${trigger} BEFORE UPDATE OF ${column} ON portal_users FOR EACH ROW ${DISAGREE} EXECUTE FUNCTION ${trigger}()`);
  }
  await knex.raw(SYNC_FUNCTION);
  // The backfill's own rows (and the restore's) agree once written: they do not call it.
  await knex.raw(`CREATE TRIGGER ${SYNC} BEFORE INSERT OR UPDATE ON portal_users FOR EACH ROW ${DISAGREE} EXECUTE FUNCTION ${SYNC}()`);
}

async function dropSync(knex: Knex): Promise<void> {
  await knex.raw(`DROP TRIGGER ${SYNC} ON portal_users`);
  await knex.raw(`DROP FUNCTION ${SYNC}()`);
  // IF EXISTS: a database expanded by the earlier revision of this file has only the trigger above.
  for (const { trigger } of COLUMN_WRITTEN) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${trigger} ON portal_users`);
    await knex.raw(`DROP FUNCTION IF EXISTS ${trigger}()`);
  }
}

async function createTables(knex: Knex): Promise<void> {
  // user_tenant_roles: one role per user per tenant.
  await knex.schema.createTable('user_tenant_roles', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable(); // foreign key at the end of expand
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

  // portal_invitations: invite-only onboarding.
  await knex.schema.createTable('portal_invitations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('email', 255).notNullable();
    t.string('name', 255).notNullable();
    t.uuid('tenant_id').notNullable()
      .references('id').inTable('tenants').onDelete('CASCADE')
      .withKeyName('portal_invitations_tenant_id_fkey');
    t.text('role').notNullable().comment(ROLE_COMMENT);
    t.uuid('invited_by') // foreign key at the end of expand
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
}

async function dropTables(knex: Knex): Promise<void> {
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
}

/**
 * Batches over portal_users by ranges of its heap pages (ctid ranges): each
 * batch reads only its pages — a TID range scan, PostgreSQL 14+ — in the
 * table's physical order (id is a random uuid: walking it by key would read the
 * table in random order), and locks only the rows it changes. Safe to run
 * again. A row updated by the application moves to a new place, maybe behind
 * the cursor: the trigger keeps such rows right. The cursor is the next page.
 */
/** Rows per page to assume before the table was ever analyzed. */
const DEFAULT_ROWS_PER_PAGE = 50;

interface TableSize {
  /** Pages now. */
  pages: number;
  /** Rows per page by the planner's statistics, or the default. */
  rowsPerPage: number;
}

async function tableSize(knex: Knex, table: string): Promise<TableSize> {
  const { rows } = await knex.raw(
    `SELECT c.reltuples::float8 AS tuples, c.relpages AS stat_pages,
            pg_relation_size(c.oid) / current_setting('block_size')::int AS pages
       FROM pg_class c WHERE c.oid = ?::regclass`,
    [table],
  );
  const { tuples, stat_pages: statPages, pages } = rows[0] as { tuples: number; stat_pages: number; pages: string };
  return { pages: Number(pages), rowsPerPage: statPages > 0 && tuples > 0 ? tuples / statPages : DEFAULT_ROWS_PER_PAGE };
}

interface PageBatches {
  run: BatchFunction;
  estimateRows(knex: Knex): Promise<number>;
}

/** `statement` is one SQL statement with `{pages}` where the batch's page range condition goes (an AND term). */
function pageBatches(table: string, statement: string): PageBatches {
  return {
    run: async (knex, cursor, size) => {
      const start = cursor === null ? 0 : Number(cursor);
      const { pages, rowsPerPage } = await tableSize(knex, table);
      const end = start + Math.max(1, Math.round(size / rowsPerPage));
      await knex.raw(statement.replace('{pages}', `ctid >= '(${start},0)'::tid AND ctid < '(${end},0)'::tid`));
      // The rows covered, for progress, from the planner's rows per page: counting them
      // would read the range a second time (at 10M rows, seconds of the backfill).
      const covered = Math.round(Math.max(0, Math.min(end, pages) - start) * rowsPerPage);
      return { next: end < pages ? String(end) : null, rows: covered };
    },
    estimateRows: async (knex) => {
      const { pages, rowsPerPage } = await tableSize(knex, table);
      return Math.round(pages * rowsPerPage);
    },
  };
}

/** Admins of the old version become platform_admin (everyone else reads the column's default, customer_admin). */
const backfillRoles = pageBatches(
  'portal_users',
  `UPDATE portal_users SET role = 'platform_admin' WHERE {pages} AND is_admin AND role <> 'platform_admin'`,
);

/** Going down: platform admins get is_admin back (everyone else reads the column's default, false). */
const restoreIsAdmin = pageBatches(
  'portal_users',
  `UPDATE portal_users SET is_admin = true WHERE {pages} AND role = 'platform_admin' AND NOT is_admin`,
);

export const phases: PhasedStep[] = [
  {
    phase: 'expand',
    name: 'new tables, portal_users.role and the triggers keeping it in step with is_admin',
    // One transaction: a kill leaves 005 or expanded. portal_users is locked only by the
    // last statements, which touch the catalog only (the new tables are still empty).
    up: async (knex) => {
      await createTables(knex);
      await knex.schema.alterTable('portal_users', (t) => {
        t.text('role').notNullable().defaultTo('customer_admin');
      });
      await addSync(knex);
      await knex.schema.alterTable('user_tenant_roles', (t) => {
        t.foreign('user_id', 'user_tenant_roles_user_id_fkey').references('id').inTable('portal_users').onDelete('CASCADE');
      });
      await knex.schema.alterTable('portal_invitations', (t) => {
        t.foreign('invited_by', 'portal_invitations_invited_by_fkey').references('id').inTable('portal_users');
      });
    },
    down: async (knex) => {
      await dropTables(knex);
      await dropSync(knex);
      await knex.schema.alterTable('portal_users', (t) => {
        t.dropColumn('role');
      });
    },
  },
  {
    phase: 'backfill',
    name: 'admins get role platform_admin',
    batch: { up: backfillRoles.run, estimateRows: backfillRoles.estimateRows },
  },
  {
    phase: 'contract',
    name: 'add ck_portal_users_role NOT VALID',
    up: async (knex) => {
      await knex.raw(`
        ALTER TABLE portal_users ADD CONSTRAINT ck_portal_users_role
          CHECK (role IN ('platform_admin', 'customer_admin', 'customer_operator')) NOT VALID`);
    },
    down: async (knex) => {
      await knex.raw('ALTER TABLE portal_users DROP CONSTRAINT ck_portal_users_role');
    },
  },
  {
    phase: 'contract',
    name: 'validate ck_portal_users_role',
    // Its own transaction: VALIDATE scans the table under SHARE UPDATE EXCLUSIVE only.
    up: async (knex) => {
      await knex.raw('ALTER TABLE portal_users VALIDATE CONSTRAINT ck_portal_users_role');
    },
    down: async () => {},
  },
  {
    phase: 'contract',
    name: 'platform admins get is_admin back (going down)',
    batch: { down: restoreIsAdmin.run, estimateRows: restoreIsAdmin.estimateRows },
  },
  {
    phase: 'contract',
    name: 'drop the triggers, is_admin and the default of role',
    up: async (knex) => {
      await dropSync(knex);
      await knex.schema.alterTable('portal_users', (t) => {
        t.dropColumn('is_admin');
      });
      await knex.raw('ALTER TABLE portal_users ALTER COLUMN role DROP DEFAULT');
    },
    down: async (knex) => {
      // is_admin comes back as the last column, NOT NULL without a default, and catalog-only:
      // every row reads false until the next step restores the platform admins.
      await knex.schema.alterTable('portal_users', (t) => {
        t.boolean('is_admin').notNullable().defaultTo(false);
      });
      await knex.raw('ALTER TABLE portal_users ALTER COLUMN is_admin DROP DEFAULT');
      await knex.raw(`ALTER TABLE portal_users ALTER COLUMN role SET DEFAULT 'customer_admin'`);
      await addSync(knex);
    },
  },
];

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
