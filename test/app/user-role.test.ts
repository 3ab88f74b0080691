/**
 * The application's role and status lists against the migrated database: the
 * migrations spell them out (frozen history), so only this test keeps them equal.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvitationStatus, TenantRole, UserRole, tenantRoleSchema, userRoleSchema } from '../../src/index';
import { createMigratedDatabase } from '../support/migrated-database';
import type { TestDatabase } from '../support/test-database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createMigratedDatabase('user_role');
});
afterAll(async () => {
  await db?.drop();
});

/** The string literals of a CHECK constraint, as PostgreSQL itself renders it. */
async function checkConstraintValues(knex: Knex, table: string, constraint: string): Promise<string[]> {
  const { rows } = await knex.raw(
    `SELECT pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c
      WHERE c.conrelid = ?::regclass AND c.conname = ? AND c.contype = 'c'`,
    [table, constraint],
  );
  expect(rows, `${constraint} exists on ${table}`).toHaveLength(1);
  return [...(rows[0].def as string).matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1].replace(/''/g, "'"));
}

async function columnComment(knex: Knex, table: string, column: string): Promise<string> {
  const { rows } = await knex.raw(
    `SELECT col_description(?::regclass, attnum) AS comment FROM pg_attribute WHERE attrelid = ?::regclass AND attname = ?`,
    [table, table, column],
  );
  return rows[0].comment;
}

describe('UserRole', () => {
  it('holds exactly the values of ck_portal_users_role, in order', async () => {
    const values = await checkConstraintValues(db.knex, 'portal_users', 'ck_portal_users_role');
    expect(values).toEqual(['platform_admin', 'customer_admin', 'customer_operator']);
    expect(Object.values(UserRole)).toEqual(values);
    expect(userRoleSchema.options).toEqual(values);
  });

  it('names each value after its constant', () => {
    expect(UserRole).toEqual({
      PLATFORM_ADMIN: 'platform_admin',
      CUSTOMER_ADMIN: 'customer_admin',
      CUSTOMER_OPERATOR: 'customer_operator',
    });
  });

  it('the database rejects what the schema rejects', async () => {
    expect(userRoleSchema.safeParse('superuser').success).toBe(false);
    await expect(
      db.knex('portal_users').insert({ email: 'x@example.com', hashed_password: 'x', name: 'X', role: 'superuser' }),
    ).rejects.toThrow(/ck_portal_users_role/);
  });
});

describe('per-tenant roles and invitation statuses (documented in column comments, not enforced by CHECK)', () => {
  it('TenantRole is the UserRole subset named by the role comments', async () => {
    expect(Object.values(TenantRole)).toEqual([UserRole.CUSTOMER_ADMIN, UserRole.CUSTOMER_OPERATOR]);
    expect(tenantRoleSchema.safeParse(UserRole.PLATFORM_ADMIN).success).toBe(false);
    for (const table of ['user_tenant_roles', 'portal_invitations']) {
      expect(await columnComment(db.knex, table, 'role')).toBe(Object.values(TenantRole).join(' | '));
    }
  });

  it('InvitationStatus is the list in the status comment, and the column default is pending', async () => {
    expect(await columnComment(db.knex, 'portal_invitations', 'status')).toBe(Object.values(InvitationStatus).join(' | '));
    const { rows } = await db.knex.raw(
      `SELECT column_default FROM information_schema.columns WHERE table_name = 'portal_invitations' AND column_name = 'status'`,
    );
    expect(rows[0].column_default).toBe(`'${InvitationStatus.PENDING}'::character varying`);
  });
});
