/**
 * What the differences look like, on the two real expected schemas: the drift a
 * database at 005 shows against what 006 produces is exactly what 006 changes.
 */
import { describe, expect, it } from 'vitest';
import type { CatalogObject } from '../../src/catalog/catalog';
import { diffCatalogs } from '../../src/catalog/diff-catalog';
import { loadSnapshot } from '../../src/catalog/snapshot-files';
import { REPO_ROOT } from '../support/spec-files';
import path from 'node:path';

const snapshot = (migration: string) => loadSnapshot(path.join(REPO_ROOT, 'schema'), migration).catalog;

describe('diffCatalogs', () => {
  it('finds nothing between a catalog and itself', () => {
    expect(diffCatalogs(snapshot('006_rbac_roles'), snapshot('006_rbac_roles'))).toEqual([]);
  });

  it('lists what 006 changes, one line per object, a missing table once', () => {
    const messages = diffCatalogs(snapshot('006_rbac_roles'), snapshot('005_baseline')).map((d) => d.message);
    expect(messages).toEqual([
      'missing table portal_invitations',
      'extra column portal_users.is_admin: boolean NOT NULL',
      'missing column portal_users.role: text NOT NULL',
      "missing constraint ck_portal_users_role on portal_users: CHECK ((role = ANY (ARRAY['platform_admin'::text, 'customer_admin'::text, 'customer_operator'::text])))",
      'missing table user_tenant_roles',
    ]);
  });

  it('reports column aspects, comments and grants separately, with what was expected', () => {
    const expected = snapshot('006_rbac_roles');
    const actual = structuredClone(expected);
    const status = actual.tables.find((t) => t.name === 'portal_invitations')!.columns.find((c) => c.name === 'status')!;
    Object.assign(status, { type: 'text', notNull: false, default: null, comment: 'changed' });
    actual.grants.find((g) => g.table === 'tenants')!.privileges = ['SELECT'];
    actual.tables[0]!.owner = 'someone_else';

    const differences = diffCatalogs(expected, actual);
    expect(differences.map((d) => d.message)).toEqual([
      'different column portal_invitations.status: type text, expected type character varying(20)',
      'different column portal_invitations.status: nullable, expected NOT NULL',
      "different column portal_invitations.status: no default, expected DEFAULT 'pending'::character varying",
      "different comment on column portal_invitations.status: 'changed', expected 'pending | accepted | revoked'",
      'different grant on tenants to konstruct_app: SELECT, expected SELECT,INSERT,DELETE,UPDATE',
    ]);
    expect(differences[1]).toMatchObject({ change: 'different', kind: 'column', table: 'portal_invitations', name: 'status', aspect: 'nullability', expected: 'NOT NULL', actual: 'nullable' });
  });
});

describe('diffCatalogs on what a table is and what fills a column (found by an operator\'s review)', () => {
  it('a partition detached, a table no longer partitioned, an identity dropped, a generated column made plain', () => {
    const expected = snapshot('006_rbac_roles');
    const tenants = expected.tables.find((t) => t.name === 'tenants')!;
    const users = expected.tables.find((t) => t.name === 'portal_users')!;
    Object.assign(tenants, { partitionOf: { parent: 'portal_users', bound: 'DEFAULT' } });
    Object.assign(users, { partitionBy: 'LIST (role)', inherits: ['tenants'] });
    Object.assign(tenants.columns.find((c) => c.name === 'name')!, { default: 'upper((slug)::text)', generated: true });
    Object.assign(users.columns.find((c) => c.name === 'id')!, { identity: 'ALWAYS AS IDENTITY (\n    SEQUENCE NAME public.x\n    CACHE 1\n)' });
    const messages = diffCatalogs(expected, snapshot('006_rbac_roles')).map((d) => d.message);
    expect(messages).toEqual([
      'different table portal_users: inherits from no table, expected INHERITS (tenants)',
      'different table portal_users: not partitioned, expected PARTITION BY LIST (role)',
      'different column portal_users.id: no identity, expected GENERATED ALWAYS AS IDENTITY ( SEQUENCE NAME public.x CACHE 1 )',
      'different table tenants: not a partition, expected PARTITION OF portal_users DEFAULT',
      'different column tenants.name: no default, expected GENERATED ALWAYS AS (upper((slug)::text)) STORED',
    ]);
  });
});

describe('diffCatalogs on objects (found by an operator\'s review)', () => {
  const view = { kind: 'view' as const, table: '', name: 'Admin View', definition: 'CREATE VIEW public."Admin View" AS\n SELECT 1 AS one', owner: null };
  const comment = { kind: 'comment' as const, table: '', name: 'view Admin View', definition: `COMMENT ON VIEW public."Admin View" IS 'x'`, owner: null };
  const mood = (values: string[]) => ({ kind: 'type' as const, table: '', name: 'mood', definition: `CREATE TYPE public.mood AS ENUM (\n    ${values.join(',\n    ')}\n)`, owner: null });
  const withObjects = (...objects: CatalogObject[]) => ({ ...snapshot('006_rbac_roles'), objects });

  it('names what a comment is on as in SQL, and says an enum\'s values in a line', () => {
    const messages = diffCatalogs(withObjects(view, comment, mood(["'calm'"])), withObjects(view, mood(["'calm'", "'archived'"]))).map((d) => d.message);
    expect(messages).toEqual([
      `different type mood: CREATE TYPE public.mood AS ENUM ( 'calm', 'archived' ), expected CREATE TYPE public.mood AS ENUM ( 'calm' )`,
      `missing comment on view "Admin View": COMMENT ON VIEW public."Admin View" IS 'x'`,
    ]);
  });

  it('a view missing with its comment is one line', () => {
    expect(diffCatalogs(withObjects(view, comment), withObjects()).map((d) => d.message)).toEqual([
      'missing view "Admin View": CREATE VIEW public."Admin View" AS SELECT 1 AS one',
    ]);
  });
});
