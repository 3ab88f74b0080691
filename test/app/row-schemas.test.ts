/**
 * The row schemas against the migrated database: same columns, same nullability,
 * same lengths, the types pg returns; real rows parse, rows breaking the contract do not.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  newPortalUserSchema,
  portalInvitationSchema,
  portalUserSchema,
  UserRole,
  userTenantRoleSchema,
} from '../../src/index';
import { createMigratedDatabase } from '../support/migrated-database';
import type { TestDatabase } from '../support/test-database';

type RowSchema = z.ZodObject<Record<string, z.ZodType>>;
const TABLES: Record<string, RowSchema> = {
  portal_users: portalUserSchema as unknown as RowSchema,
  user_tenant_roles: userTenantRoleSchema as unknown as RowSchema,
  portal_invitations: portalInvitationSchema as unknown as RowSchema,
};

interface Column {
  column_name: string;
  is_nullable: 'YES' | 'NO';
  data_type: string;
  character_maximum_length: number | null;
}

let db: TestDatabase;
let tenantId: string;
let userId: string;

beforeAll(async () => {
  db = await createMigratedDatabase('row_schemas');
  [{ id: tenantId }] = await db.knex('tenants').insert({ name: 'Acme', slug: 'acme' }).returning('id');
  const user = newPortalUserSchema.parse({ email: 'ada@example.com', hashed_password: '$argon2id$x', name: 'Ada' });
  [{ id: userId }] = await db.knex('portal_users').insert(user).returning('id');
  await db.knex('user_tenant_roles').insert({ user_id: userId, tenant_id: tenantId, role: 'customer_operator' });
  await db.knex('portal_invitations').insert([
    { email: 'bob@example.com', name: 'Bob', tenant_id: tenantId, role: 'customer_admin', invited_by: userId, token_hash: 'a'.repeat(64), expires_at: new Date() },
    { email: 'cy@example.com', name: 'Cy', tenant_id: tenantId, role: 'customer_operator', invited_by: null, token_hash: 'b'.repeat(64), expires_at: new Date(), status: 'revoked' },
  ]);
});
afterAll(async () => {
  await db?.drop();
});

const columnsOf = async (table: string): Promise<Column[]> =>
  db.knex('information_schema.columns')
    .where({ table_schema: 'public', table_name: table })
    .orderBy('ordinal_position')
    .select('column_name', 'is_nullable', 'data_type', 'character_maximum_length');

const rowsOf = async (table: string): Promise<Record<string, unknown>[]> => db.knex(table).select('*');

describe.each(Object.entries(TABLES))('%s', (table, schema) => {
  it('has exactly one schema field per column, in column order', async () => {
    const columns = await columnsOf(table);
    expect(columns.length).toBeGreaterThan(0);
    expect(Object.keys(schema.shape)).toEqual(columns.map((c) => c.column_name));
  });

  it('allows null exactly where the column is nullable', async () => {
    for (const column of await columnsOf(table)) {
      expect(schema.shape[column.column_name].safeParse(null).success, column.column_name).toBe(column.is_nullable === 'YES');
    }
  });

  it('takes the JavaScript type pg returns for each column type', async () => {
    const expected: Record<string, 'string' | 'date'> = {
      uuid: 'string',
      text: 'string',
      'character varying': 'string',
      'timestamp with time zone': 'date',
    };
    for (const column of await columnsOf(table)) {
      const field = schema.shape[column.column_name];
      const kind = expected[column.data_type];
      expect(kind, `${column.column_name}: ${column.data_type} is mapped`).toBeDefined();
      // The other kind is always refused; the right kind is accepted on the real rows below.
      expect(field.safeParse(kind === 'date' ? '2026-01-01T00:00:00Z' : new Date()).success, column.column_name).toBe(false);
    }
  });

  it('refuses strings longer than a varchar column holds', async () => {
    for (const column of await columnsOf(table)) {
      if (column.character_maximum_length === null) continue;
      const field = schema.shape[column.column_name];
      expect(field.safeParse('x'.repeat(column.character_maximum_length + 1)).success, column.column_name).toBe(false);
    }
  });

  it('parses every row read from the table, values and types unchanged', async () => {
    const rows = await rowsOf(table);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(schema.parse(row)).toEqual(row);
    }
  });

  it('rejects a row with a field missing, a null in a NOT NULL column, or a timestamp as text', async () => {
    const [row] = await rowsOf(table);
    const { id: _missing, ...withoutId } = row;
    expect(schema.safeParse(withoutId).success).toBe(false);
    expect(schema.safeParse({ ...row, created_at: null }).success).toBe(false);
    expect(schema.safeParse({ ...row, created_at: (row.created_at as Date).toISOString() }).success).toBe(false);
  });
});

describe('rows breaking the contract the database does not enforce', () => {
  it('portal_users: a role outside UserRole is refused', async () => {
    const [row] = await rowsOf('portal_users');
    expect(portalUserSchema.safeParse({ ...row, role: 'superuser' }).success).toBe(false);
  });

  it('user_tenant_roles: platform_admin is stored without complaint but is no tenant role', async () => {
    const [other] = await db.knex('portal_users').insert({ email: 'root@example.com', hashed_password: 'x', name: 'Root', role: 'platform_admin' }).returning('id');
    await db.knex('user_tenant_roles').insert({ user_id: other.id, tenant_id: tenantId, role: UserRole.PLATFORM_ADMIN });
    const row = await db.knex('user_tenant_roles').where({ user_id: other.id }).first();
    const result = userTenantRoleSchema.safeParse(row);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['role']);
  });

  it('portal_invitations: a status outside pending | accepted | revoked is refused', async () => {
    const id = randomUUID();
    await db.knex('portal_invitations').insert({ id, email: 'd@example.com', name: 'D', tenant_id: tenantId, role: 'customer_admin', token_hash: 'c'.repeat(64), expires_at: new Date(), status: 'expired' });
    const row = await db.knex('portal_invitations').where({ id }).first();
    const result = portalInvitationSchema.safeParse(row);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['status']);
  });
});

describe('creating a portal user', () => {
  it('defaults role to customer_admin, and the database stores what the schema produced', async () => {
    const input = newPortalUserSchema.parse({ email: 'eve@example.com', hashed_password: 'h', name: 'Eve' });
    expect(input.role).toBe(UserRole.CUSTOMER_ADMIN);
    const [row] = await db.knex('portal_users').insert(input).returning('*');
    expect(portalUserSchema.parse(row)).toMatchObject({ ...input, role: 'customer_admin' });
  });

  it('keeps a role that is given and refuses an invalid address or role', () => {
    expect(newPortalUserSchema.parse({ email: 'op@example.com', hashed_password: 'h', name: 'Op', role: 'customer_operator' }).role).toBe('customer_operator');
    expect(newPortalUserSchema.safeParse({ email: 'not-an-address', hashed_password: 'h', name: 'N' }).success).toBe(false);
    expect(newPortalUserSchema.safeParse({ email: 'n@example.com', hashed_password: 'h', name: 'N', role: 'superuser' }).success).toBe(false);
  });
});

describe('text a person typed, in a new portal user', () => {
  const user = (fields: Record<string, string>) => ({ email: 'text@example.com', hashed_password: 'h', name: 'Text', ...fields });

  it('trims and lower-cases the email, so one mailbox cannot become two accounts under portal_users_email_key', async () => {
    const first = newPortalUserSchema.parse(user({ email: ' Grace.Hopper@Example.COM\n' }));
    expect(first.email).toBe('grace.hopper@example.com');
    await db.knex('portal_users').insert(first);
    const second = newPortalUserSchema.parse(user({ email: 'GRACE.HOPPER@example.com' }));
    await expect(db.knex('portal_users').insert(second)).rejects.toMatchObject({ code: '23505', constraint: 'portal_users_email_key' });
    expect(await db.knex('portal_users').whereRaw('lower(email) = ?', ['grace.hopper@example.com']).count('* as n')).toEqual([{ n: '1' }]);
  });

  it('validates the email as stored: at most 255 characters once trimmed, and an address', () => {
    const local = (n: number) => 'x'.repeat(n);
    expect(newPortalUserSchema.parse(user({ email: `  ${local(250).toUpperCase()}@B.CO  ` })).email).toBe(`${local(250)}@b.co`);
    expect(newPortalUserSchema.safeParse(user({ email: `${local(251)}@b.co` })).success).toBe(false);
    expect(newPortalUserSchema.safeParse(user({ email: '  \n ' })).success).toBe(false);
  });

  it.each([
    ['name', 'Grace\u0000Hopper'],
    ['name', 'Grace\r\nHopper'],
    ['name', 'Grace\u009bHopper'],
    ['email', 'grace\u2029@example.com'],
  ])('refuses a control character or line break inside the %s (%j), naming the field', (field, value) => {
    const result = newPortalUserSchema.safeParse(user({ [field]: value }));
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: [field], message: expect.stringMatching(/^must be one line without control characters/) })]);
  });
});
