/**
 * `verify` against a real database: equal after `up`, and each kind of drift is
 * found and named — one foreign key, the CHECK constraint, a grant, a comment,
 * a column's type, nullability or default, an index, a table.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffCatalogs } from '../../src/catalog/diff-catalog';
import { readCatalog } from '../../src/catalog/read-catalog';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import { verify } from '../../src/commands/verify';
import type { MigrationContext } from '../../src/context';
import { ExitCode } from '../../src/exit-codes';
import { testContext } from '../support/context';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let ctx: MigrationContext;

beforeAll(async () => {
  db = await createTestDatabase('verify');
  ctx = await testContext(db.url);
  await up(ctx);
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

describe('verify', () => {
  it('agrees with a database migrated by the project, at 006 and at 005', async () => {
    expect(await verify(ctx)).toMatchObject({ ok: true, migration: '006_rbac_roles', differences: [] });
    await down(ctx);
    expect(await verify(ctx)).toMatchObject({ ok: true, migration: '005_baseline', differences: [] });
    await up(ctx);
  });

  it('--against compares with another migration than the newest applied', async () => {
    const result = await verify(ctx, { against: '005' });
    expect(result.ok).toBe(false);
    expect(result.differences.map((d) => d.message)).toContain('missing column portal_users.is_admin: boolean NOT NULL');
  });

  it('ignores table owners', async () => {
    const owner = `verify_owner_${randomBytes(4).toString('hex')}`;
    await db.knex.raw(`CREATE ROLE ${owner}; ALTER TABLE tenants OWNER TO ${owner}`);
    try {
      expect((await verify(ctx)).ok).toBe(true);
    } finally {
      await db.knex.raw(`ALTER TABLE tenants OWNER TO CURRENT_USER; DROP ROLE ${owner}`);
    }
  });

  const drifts: Array<[string, string, string, string]> = [
    ['a dropped foreign key',
      'ALTER TABLE user_tenant_roles DROP CONSTRAINT user_tenant_roles_user_id_fkey',
      'ALTER TABLE user_tenant_roles ADD CONSTRAINT user_tenant_roles_user_id_fkey FOREIGN KEY (user_id) REFERENCES portal_users(id) ON DELETE CASCADE',
      'missing constraint user_tenant_roles_user_id_fkey on user_tenant_roles: FOREIGN KEY (user_id) REFERENCES public.portal_users(id) ON DELETE CASCADE'],
    ['a foreign key with another ON DELETE',
      'ALTER TABLE portal_invitations DROP CONSTRAINT portal_invitations_tenant_id_fkey, ADD CONSTRAINT portal_invitations_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id)',
      'ALTER TABLE portal_invitations DROP CONSTRAINT portal_invitations_tenant_id_fkey, ADD CONSTRAINT portal_invitations_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE',
      'different constraint portal_invitations_tenant_id_fkey on portal_invitations: FOREIGN KEY (tenant_id) REFERENCES public.tenants(id), expected FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE'],
    ['the dropped CHECK constraint',
      'ALTER TABLE portal_users DROP CONSTRAINT ck_portal_users_role',
      `ALTER TABLE portal_users ADD CONSTRAINT ck_portal_users_role CHECK (role IN ('platform_admin', 'customer_admin', 'customer_operator'))`,
      "missing constraint ck_portal_users_role on portal_users: CHECK ((role = ANY (ARRAY['platform_admin'::text, 'customer_admin'::text, 'customer_operator'::text])))"],
    ['a widened CHECK constraint',
      `ALTER TABLE portal_users DROP CONSTRAINT ck_portal_users_role, ADD CONSTRAINT ck_portal_users_role CHECK (role IN ('platform_admin', 'customer_admin', 'customer_operator', 'auditor'))`,
      `ALTER TABLE portal_users DROP CONSTRAINT ck_portal_users_role, ADD CONSTRAINT ck_portal_users_role CHECK (role IN ('platform_admin', 'customer_admin', 'customer_operator'))`,
      "different constraint ck_portal_users_role on portal_users: CHECK ((role = ANY (ARRAY['platform_admin'::text, 'customer_admin'::text, 'customer_operator'::text, 'auditor'::text]))), expected CHECK ((role = ANY (ARRAY['platform_admin'::text, 'customer_admin'::text, 'customer_operator'::text])))"],
    ['a revoked grant',
      'REVOKE ALL ON portal_invitations FROM konstruct_app',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON portal_invitations TO konstruct_app',
      'missing grant on portal_invitations to konstruct_app: SELECT,INSERT,DELETE,UPDATE'],
    ['one privilege less',
      'REVOKE DELETE ON tenants FROM konstruct_app',
      'GRANT DELETE ON tenants TO konstruct_app',
      'different grant on tenants to konstruct_app: SELECT,INSERT,UPDATE, expected SELECT,INSERT,DELETE,UPDATE'],
    ['a dropped column comment',
      'COMMENT ON COLUMN portal_invitations.token_hash IS NULL',
      `COMMENT ON COLUMN portal_invitations.token_hash IS 'SHA-256 hex digest of the raw HMAC invite token'`,
      "missing comment on column portal_invitations.token_hash: 'SHA-256 hex digest of the raw HMAC invite token'"],
    ['a column type',
      'ALTER TABLE tenants ALTER COLUMN slug TYPE text',
      'ALTER TABLE tenants ALTER COLUMN slug TYPE varchar(100)',
      'different column tenants.slug: type text, expected type character varying(100)'],
    ['a column nullability',
      'ALTER TABLE portal_invitations ALTER COLUMN expires_at DROP NOT NULL',
      'ALTER TABLE portal_invitations ALTER COLUMN expires_at SET NOT NULL',
      'different column portal_invitations.expires_at: nullable, expected NOT NULL'],
    ['a column default',
      `ALTER TABLE portal_users ALTER COLUMN role SET DEFAULT 'customer_admin'`,
      'ALTER TABLE portal_users ALTER COLUMN role DROP DEFAULT',
      "different column portal_users.role: DEFAULT 'customer_admin'::text, expected no default"],
    ['an extra column',
      'ALTER TABLE portal_users ADD COLUMN is_admin boolean',
      'ALTER TABLE portal_users DROP COLUMN is_admin',
      'extra column portal_users.is_admin: boolean'],
    ['a dropped index',
      'DROP INDEX ix_user_tenant_roles_tenant',
      'CREATE INDEX ix_user_tenant_roles_tenant ON user_tenant_roles (tenant_id)',
      'missing index ix_user_tenant_roles_tenant on user_tenant_roles: CREATE INDEX ix_user_tenant_roles_tenant ON public.user_tenant_roles USING btree (tenant_id)'],
    ['an extra index',
      'CREATE INDEX ix_extra ON portal_users (name)',
      'DROP INDEX ix_extra',
      'extra index ix_extra on portal_users: CREATE INDEX ix_extra ON public.portal_users USING btree (name)'],
    ['an extra table', 'CREATE TABLE audit_log (id int)', 'DROP TABLE audit_log', 'extra table audit_log'],
    // Found by review: a knex_ prefix was taken for bookkeeping, and an INVALID index (a failed CREATE INDEX
    // CONCURRENTLY, made so here by hand) for the index.
    ['an extra table whose name starts with knex_', 'CREATE TABLE knex_custom (id int)', 'DROP TABLE knex_custom', 'extra table knex_custom'],
    // ALTER TABLE ... DISABLE TRIGGER ALL does this to every foreign key of the table; one here, to name one.
    ['a foreign key whose triggers are disabled (found by review: the cascade stopped, verify matched)',
      `UPDATE pg_trigger SET tgenabled = 'D' WHERE tgconstraint = (SELECT oid FROM pg_constraint WHERE conname = 'user_tenant_roles_tenant_id_fkey')`,
      `UPDATE pg_trigger SET tgenabled = 'O' WHERE tgconstraint = (SELECT oid FROM pg_constraint WHERE conname = 'user_tenant_roles_tenant_id_fkey')`,
      'different constraint user_tenant_roles_tenant_id_fkey on user_tenant_roles: FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE /* not enforced: its triggers are disabled */, expected FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE'],
    ['a rule (found by review: one that swallowed every DELETE went unseen)',
      'CREATE RULE keep_tenants AS ON DELETE TO tenants DO INSTEAD NOTHING', 'DROP RULE keep_tenants ON tenants',
      'extra rule keep_tenants on tenants: CREATE RULE keep_tenants AS ON DELETE TO public.tenants DO INSTEAD NOTHING'],
    ['an index left INVALID',
      `UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ix_user_tenant_roles_tenant'::regclass`,
      `UPDATE pg_index SET indisvalid = true WHERE indexrelid = 'ix_user_tenant_roles_tenant'::regclass`,
      'missing index ix_user_tenant_roles_tenant on user_tenant_roles: CREATE INDEX ix_user_tenant_roles_tenant ON public.user_tenant_roles USING btree (tenant_id)'],
  ];

  it.each(drifts)('finds and names %s, and agrees again once it is undone', async (_label, breakIt, repair, message) => {
    await db.knex.raw(breakIt);
    let result;
    try {
      result = await verify(ctx);
    } finally {
      await db.knex.raw(repair);
    }
    expect(result.ok).toBe(false);
    expect(result.differences.map((d) => d.message)).toEqual([message]);
    expect((await verify(ctx)).ok).toBe(true);
  });

  it("compares a view's grants (found by review: the application's role losing SELECT on a view went unseen)", async () => {
    await db.knex.raw('CREATE VIEW admins_v AS SELECT id FROM portal_users; GRANT SELECT ON admins_v TO konstruct_app');
    try {
      const granted = await readCatalog(db.knex);
      await db.knex.raw('REVOKE SELECT ON admins_v FROM konstruct_app');
      expect(diffCatalogs(granted, await readCatalog(db.knex)).map((d) => d.message)).toEqual(['missing grant on admins_v to konstruct_app: SELECT']);
    } finally {
      await db.knex.raw('DROP VIEW admins_v');
    }
  });

  it('with no migration applied expects an empty schema, and names what is there', async () => {
    const empty = await createTestDatabase('verify_empty');
    const emptyCtx = await testContext(empty.url);
    try {
      expect(await verify(emptyCtx)).toEqual({ ok: true, migration: null, snapshot: null, differences: [] });
      await empty.knex.raw('CREATE TABLE tenants (id uuid)');
      expect((await verify(emptyCtx)).differences.map((d) => d.message)).toEqual(['extra table tenants']);
    } finally {
      await emptyCtx.close();
      await empty.drop();
    }
  });

  it('refuses to guess the expected schema from a history with a gap (exit 8)', async () => {
    await db.knex('knex_migrations').where({ name: '005_baseline' }).delete();
    try {
      const error = await verify(ctx).catch((e) => e);
      expect(error.exitCode).toBe(ExitCode.HistoryMismatch);
      expect(error.message).toMatch(/006_rbac_roles is applied but 005_baseline is not/);
    } finally {
      await db.knex('knex_migrations').insert({ name: '005_baseline', batch: 1, migration_time: new Date() });
    }
  });
});
