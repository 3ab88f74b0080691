/**
 * While 006 stands expanded, the old application version (reads and writes
 * is_admin) and the new one (reads and writes role) share portal_users: the
 * trigger keeps the two columns in step, row by row of issue #11's mapping.
 * After `complete`, every row's role is what the seed's mapping gives, those
 * written during the phases included, and the catalog is the target exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { complete } from '../../src/commands/complete';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { testContext } from '../support/context';
import { expectedCatalog } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let ctx: MigrationContext;

beforeAll(async () => {
  db = await createTestDatabase('synctrigger');
  ctx = await testContext(db.url);
  await up(ctx, { to: '005' });
  await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES ('before-admin@x', 'h', 'A', true), ('before-user@x', 'h', 'U', false)`);
  const expanded = await up(ctx, { expand: true });
  expect(expanded.expanded).toEqual(['006_rbac_roles']);
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

const row = async (email: string) =>
  (await db.knex('portal_users').where({ email }).first('role', 'is_admin')) as { role: string; is_admin: boolean };

/** The old version knows only is_admin. */
const oldInsert = (email: string, isAdmin: boolean) =>
  db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES (?, 'h', 'old', ?)`, [email, isAdmin]);
const oldSetAdmin = (email: string, isAdmin: boolean) => db.knex.raw(`UPDATE portal_users SET is_admin = ? WHERE email = ?`, [isAdmin, email]);
/** The new version knows only role. */
const newInsert = (email: string, role: string) =>
  db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, role) VALUES (?, 'h', 'new', ?)`, [email, role]);
const newSetRole = (email: string, role: string) => db.knex.raw(`UPDATE portal_users SET role = ? WHERE email = ?`, [role, email]);

/** What the seed's mapping gives each row at the end (asserted after `complete`). */
const expectedRoles = new Map<string, string>([
  ['before-admin@x', 'platform_admin'],
  ['before-user@x', 'customer_admin'],
]);

describe('expanded: the rows the backfill filled', () => {
  it('existing admins read platform_admin, everyone else customer_admin', async () => {
    expect(await row('before-admin@x')).toEqual({ role: 'platform_admin', is_admin: true });
    expect(await row('before-user@x')).toEqual({ role: 'customer_admin', is_admin: false });
  });
});

describe('expanded: the old version inserts (is_admin given, no role)', () => {
  it.each([
    [true, 'platform_admin'],
    [false, 'customer_admin'],
  ])('is_admin %s gives role %s', async (isAdmin, role) => {
    const email = `old-insert-${isAdmin}@x`;
    await oldInsert(email, isAdmin);
    expect(await row(email)).toEqual({ role, is_admin: isAdmin });
    expectedRoles.set(email, role);
  });
});

describe('expanded: the new version inserts (role given, no is_admin)', () => {
  it.each([
    ['platform_admin', true],
    ['customer_admin', false],
    ['customer_operator', false],
  ])('role %s gives is_admin %s', async (role, isAdmin) => {
    const email = `new-insert-${role}@x`;
    await newInsert(email, role);
    expect(await row(email)).toEqual({ role, is_admin: isAdmin });
    expectedRoles.set(email, role);
  });
});

describe('expanded: the old version changes is_admin', () => {
  it.each([
    ['customer_admin', true, 'platform_admin'],
    ['customer_operator', true, 'platform_admin'],
    ['platform_admin', false, 'customer_admin'],
  ])('a %s set to is_admin %s becomes %s', async (from, isAdmin, to) => {
    const email = `old-update-${from}-${isAdmin}@x`;
    await newInsert(email, from);
    await oldSetAdmin(email, isAdmin);
    expect(await row(email)).toEqual({ role: to, is_admin: isAdmin });
    expectedRoles.set(email, to);
  });

  it('a customer_operator written is_admin = false stays a customer_operator', async () => {
    const email = 'old-update-operator-false@x';
    await newInsert(email, 'customer_operator');
    await oldSetAdmin(email, false);
    expect(await row(email)).toEqual({ role: 'customer_operator', is_admin: false });
    expectedRoles.set(email, 'customer_operator');
  });
});

describe('expanded: the new version changes role', () => {
  it.each([
    ['customer_admin', 'platform_admin', true],
    ['platform_admin', 'customer_admin', false],
    ['platform_admin', 'customer_operator', false],
    ['customer_operator', 'customer_admin', false],
  ])('%s -> %s gives is_admin %s', async (from, to, isAdmin) => {
    const email = `new-update-${from}-${to}@x`;
    await newInsert(email, from);
    await newSetRole(email, to);
    expect(await row(email)).toEqual({ role: to, is_admin: isAdmin });
    expectedRoles.set(email, to);
  });
});

describe('expanded: a row the backfill has not reached yet', () => {
  it('an update of neither column (e.g. the name) brings role in step with is_admin', async () => {
    const email = 'not-yet-backfilled@x';
    await oldInsert(email, true);
    // As a row looks before the backfill reaches it: is_admin true, role the column default.
    await db.knex.transaction(async (trx) => {
      await trx.raw(`SET LOCAL session_replication_role = replica`); // triggers off for this one write
      await trx.raw(`UPDATE portal_users SET role = 'customer_admin' WHERE email = ?`, [email]);
    });
    await db.knex.raw(`UPDATE portal_users SET name = 'renamed' WHERE email = ?`, [email]);
    expect(await row(email)).toEqual({ role: 'platform_admin', is_admin: true });
    expectedRoles.set(email, 'platform_admin');
  });
});

describe('after complete', () => {
  it('every row has the role the mapping gives, and the catalog is the target exactly', async () => {
    const done = await complete(ctx);
    expect(done.applied.map((s) => s.name)).toEqual(['006_rbac_roles']);
    const rows = (await db.knex('portal_users').select('email', 'role').orderBy('email')) as Array<{ email: string; role: string }>;
    expect(new Map(rows.map((r) => [r.email, r.role]))).toEqual(expectedRoles);
    expect(rows.length).toBe(expectedRoles.size);
    expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'target-catalog-after-006.sql'));
  });
});
