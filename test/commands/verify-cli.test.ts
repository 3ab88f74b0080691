/**
 * `konstruct-migrate verify` as a spawned process, on a database adopted from
 * Alembic: exit 0 when the schema matches, exit 9 and one line per difference
 * (by object name) when it drifts, the same as data with --json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseline } from '../../src/commands/baseline';
import { createAlembicDatabase } from '../support/alembic-database';
import { runCli } from '../support/cli';
import { testContext } from '../support/context';
import type { TestDatabase } from '../support/test-database';

let db: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createAlembicDatabase('006', 'verify_cli');
  env = { DATABASE_URL: db.url };
  const ctx = await testContext(db.url);
  await baseline(ctx, { fromAlembic: true }).finally(() => ctx.close());
});
afterAll(async () => db?.drop());

const BREAK = `
  ALTER TABLE user_tenant_roles DROP CONSTRAINT user_tenant_roles_tenant_id_fkey;
  ALTER TABLE portal_users DROP CONSTRAINT ck_portal_users_role;
  REVOKE ALL ON user_tenant_roles FROM konstruct_app;
  COMMENT ON COLUMN portal_invitations.invited_by IS NULL;`;
const REPAIR = `
  ALTER TABLE user_tenant_roles ADD CONSTRAINT user_tenant_roles_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE;
  ALTER TABLE portal_users ADD CONSTRAINT ck_portal_users_role CHECK (role IN ('platform_admin', 'customer_admin', 'customer_operator'));
  GRANT SELECT, INSERT, UPDATE, DELETE ON user_tenant_roles TO konstruct_app;
  COMMENT ON COLUMN portal_invitations.invited_by IS 'ID of the user who created the invitation (NULL for system-generated)';`;

describe('konstruct-migrate verify', () => {
  it('exits 0 on the adopted database', async () => {
    const run = await runCli(['verify'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('The schema matches what 006_rbac_roles produces.\n');
  });

  it('exits 9 naming a dropped foreign key, the CHECK constraint, a grant and a comment, one per line', async () => {
    await db.knex.raw(BREAK);
    try {
      const run = await runCli(['verify'], { env });
      expect(run.code).toBe(9);
      expect(run.stdout.split('\n')).toEqual([
        'The schema differs from what 006_rbac_roles produces: 4 difference(s).',
        "  missing comment on column portal_invitations.invited_by: 'ID of the user who created the invitation (NULL for system-generated)'",
        "  missing constraint ck_portal_users_role on portal_users: CHECK ((role = ANY (ARRAY['platform_admin'::text, 'customer_admin'::text, 'customer_operator'::text])))",
        '  missing constraint user_tenant_roles_tenant_id_fkey on user_tenant_roles: FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE',
        '  missing grant on user_tenant_roles to konstruct_app: SELECT,INSERT,DELETE,UPDATE',
        '',
      ]);

      const json = await runCli(['verify', '--json'], { env });
      expect(json.code).toBe(9);
      const { result, ...envelope } = JSON.parse(json.stdout);
      expect(envelope).toEqual({ command: 'verify', ok: true, exitCode: 9, error: null });
      expect(result).toMatchObject({ ok: false, migration: '006_rbac_roles' });
      expect(result.snapshot).toMatch(/schema\/after-006_rbac_roles\.sql$/);
      expect(result.differences.map((d: { change: string; kind: string; table: string; name: string }) => [d.change, d.kind, d.table, d.name])).toEqual([
        ['missing', 'comment', 'portal_invitations', 'invited_by'],
        ['missing', 'constraint', 'portal_users', 'ck_portal_users_role'],
        ['missing', 'constraint', 'user_tenant_roles', 'user_tenant_roles_tenant_id_fkey'],
        ['missing', 'grant', 'user_tenant_roles', 'konstruct_app'],
      ]);
    } finally {
      await db.knex.raw(REPAIR);
    }
    expect((await runCli(['verify'], { env })).code).toBe(0);
  });

  it('--against compares with a named migration; an unknown one is a usage error (2)', async () => {
    const against = await runCli(['verify', '--against', '005'], { env });
    expect(against.code).toBe(9);
    expect(against.stdout).toMatch(/^The schema differs from what 005_baseline produces/);
    const unknown = await runCli(['verify', '--against', '042'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown migration "042"/);
  });
});
