/**
 * The data side of revision 006: every row's role comes from is_admin and back,
 * and only the rows that change are written (no full-table rewrite).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { testContext } from '../support/context';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ROWS = 3000;
let db: TestDatabase;
let ctx: MigrationContext;

beforeAll(async () => {
  db = await createTestDatabase('backfill');
  ctx = await testContext(db.url);
  await up(ctx, { to: '005' });
  // Every 7th user is an admin: a mix that no constant can satisfy.
  await db.knex.raw(`
    INSERT INTO portal_users (email, hashed_password, name, is_admin)
    SELECT 'user' || i || '@example.com', 'x', 'User ' || i, i % 7 = 0
    FROM generate_series(1, ${ROWS}) AS i`);
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

const locations = async () =>
  new Map<string, string>((await db.knex.raw('SELECT email, ctid::text AS ctid FROM portal_users')).rows.map((r: { email: string; ctid: string }) => [r.email, r.ctid]));

describe('revision 006 backfill', () => {
  it('up sets platform_admin exactly where is_admin was true, customer_admin elsewhere, writing only admin rows', async () => {
    const before = await locations();
    await up(ctx);
    const { rows } = await db.knex.raw(`SELECT email, role FROM portal_users ORDER BY email`);
    expect(rows).toHaveLength(ROWS);
    for (const { email, role } of rows) {
      const i = Number(/user(\d+)@/.exec(email)![1]);
      expect(role).toBe(i % 7 === 0 ? 'platform_admin' : 'customer_admin');
    }
    // A row keeps its physical location (ctid) unless it was written: only admins may move.
    const after = await locations();
    const moved = [...before].filter(([email, ctid]) => after.get(email) !== ctid).map(([email]) => email);
    expect(moved.length).toBe(Math.floor(ROWS / 7));
    expect(moved.every((e) => Number(/user(\d+)@/.exec(e)![1]) % 7 === 0)).toBe(true);
  });

  it('down restores is_admin for every row: platform_admin -> true, every other role -> false', async () => {
    await db.knex.raw(`UPDATE portal_users SET role = 'customer_operator' WHERE email LIKE 'user1%@example.com' AND role <> 'platform_admin'`);
    await down(ctx, { yes: true }); // it destroys the customer_operator distinction, on purpose
    const { rows } = await db.knex.raw(`SELECT email, is_admin FROM portal_users`);
    expect(rows).toHaveLength(ROWS);
    for (const { email, is_admin } of rows) {
      expect(is_admin).toBe(Number(/user(\d+)@/.exec(email)![1]) % 7 === 0);
    }
  });

  it('the CHECK constraint rejects a role outside the three', async () => {
    await up(ctx);
    await expect(db.knex.raw(`UPDATE portal_users SET role = 'superuser' WHERE email = 'user1@example.com'`)).rejects.toThrow(/ck_portal_users_role/);
  });
});
