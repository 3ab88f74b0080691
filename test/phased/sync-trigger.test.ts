/**
 * While 006 stands expanded, the old application version (reads and writes
 * is_admin) and the new one (reads and writes role) share portal_users: the
 * trigger keeps the two columns in step, row by row of issue #11's mapping.
 * After `complete`, every row's role is what the seed's mapping gives, those
 * written during the phases included, and the catalog is the target exactly.
 * Going down, the same trigger gives is_admin back to a platform admin that is
 * updated before the is_admin restore reaches its row.
 *
 * Each test writes rows of its own (one email per case) and asserts only on
 * them, so one failure does not carry into another; `complete` and `down` get
 * databases of their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { complete } from '../../src/commands/complete';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { testContext } from '../support/context';
import { expectedCatalog } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

interface Expanded {
  db: TestDatabase;
  ctx: MigrationContext;
}

/** A database at 005 with one admin and one user, then 006 expanded (`up --expand`). */
async function expandedDatabase(label: string): Promise<Expanded> {
  const db = await createTestDatabase(label);
  const ctx = await testContext(db.url);
  await up(ctx, { to: '005' });
  await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES ('before-admin@x', 'h', 'A', true), ('before-user@x', 'h', 'U', false)`);
  const expanded = await up(ctx, { expand: true });
  expect(expanded.expanded).toEqual(['006_rbac_roles']);
  return { db, ctx };
}

async function closeAndDrop(state: Partial<Expanded>): Promise<void> {
  await state.ctx?.close();
  await state.db?.drop();
}

type Db = TestDatabase;
const row = async (db: Db, email: string) =>
  (await db.knex('portal_users').where({ email }).first('role', 'is_admin')) as { role: string; is_admin: boolean };

/** The old version knows only is_admin. */
const oldInsert = (db: Db, email: string, isAdmin: boolean) =>
  db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES (?, 'h', 'old', ?)`, [email, isAdmin]);
const oldSetAdmin = (db: Db, email: string, isAdmin: boolean) => db.knex.raw(`UPDATE portal_users SET is_admin = ? WHERE email = ?`, [isAdmin, email]);
/** The new version knows only role. */
const newInsert = (db: Db, email: string, role: string) =>
  db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, role) VALUES (?, 'h', 'new', ?)`, [email, role]);
const newSetRole = (db: Db, email: string, role: string) => db.knex.raw(`UPDATE portal_users SET role = ? WHERE email = ?`, [role, email]);

/** Writes `email` as a row the batches have not reached yet looks: triggers off for this one write. */
async function writeBehindTheBatches(db: Db, email: string, columns: { role: string; is_admin: boolean }): Promise<void> {
  await db.knex.transaction(async (trx) => {
    await trx.raw(`SET LOCAL session_replication_role = replica`);
    await trx.raw(`UPDATE portal_users SET role = ?, is_admin = ? WHERE email = ?`, [columns.role, columns.is_admin, email]);
  });
}
const rename = (db: Db, email: string) => db.knex.raw(`UPDATE portal_users SET name = 'renamed' WHERE email = ?`, [email]);

/** One write while expanded, and what the row reads after it (role is also what it keeps after `complete`). */
interface Write {
  title: string;
  email: string;
  write(db: Db): Promise<unknown>;
  role: string;
  isAdmin: boolean;
}

const oldInserted = (isAdmin: boolean, role: string): Write => {
  const email = `old-insert-${isAdmin}@x`;
  return { title: `the old version inserts is_admin ${isAdmin}: role ${role}`, email, write: (db) => oldInsert(db, email, isAdmin), role, isAdmin };
};

const newInserted = (role: string, isAdmin: boolean): Write => {
  const email = `new-insert-${role}@x`;
  return { title: `the new version inserts role ${role}: is_admin ${isAdmin}`, email, write: (db) => newInsert(db, email, role), role, isAdmin };
};

/** A row the new version inserted as `from`, then updated by `update`. */
const updated = (what: string, from: string, update: (db: Db, email: string) => Promise<unknown>, role: string, isAdmin: boolean): Write => {
  const email = `${what.replace(/\W+/g, '-')}-on-${from}@x`;
  return {
    title: `${what} on a ${from}: role ${role}, is_admin ${isAdmin}`,
    email,
    write: async (db) => {
      await newInsert(db, email, from);
      await update(db, email);
    },
    role,
    isAdmin,
  };
};
const oldSetsAdmin = (from: string, isAdmin: boolean, to: string) =>
  updated(`the old version sets is_admin ${isAdmin}`, from, (db, email) => oldSetAdmin(db, email, isAdmin), to, isAdmin);
const newSetsRole = (from: string, to: string, isAdmin: boolean) =>
  updated(`the new version sets role ${to}`, from, (db, email) => newSetRole(db, email, to), to, isAdmin);

/** An update of neither column (the name) on an admin the backfill has not reached: is_admin true, role still the default. */
const notYetBackfilled: Write = {
  title: 'an update of neither column on an admin the backfill has not reached: role platform_admin',
  email: 'not-yet-backfilled@x',
  write: async (db) => {
    await oldInsert(db, 'not-yet-backfilled@x', true);
    await writeBehindTheBatches(db, 'not-yet-backfilled@x', { role: 'customer_admin', is_admin: true });
    await rename(db, 'not-yet-backfilled@x');
  },
  role: 'platform_admin',
  isAdmin: true,
};

const WRITES: Write[] = [
  oldInserted(true, 'platform_admin'),
  oldInserted(false, 'customer_admin'),
  newInserted('platform_admin', true),
  newInserted('customer_admin', false),
  newInserted('customer_operator', false),
  oldSetsAdmin('customer_admin', true, 'platform_admin'),
  oldSetsAdmin('customer_operator', true, 'platform_admin'),
  oldSetsAdmin('platform_admin', false, 'customer_admin'),
  oldSetsAdmin('customer_operator', false, 'customer_operator'), // an operator stays one
  newSetsRole('customer_admin', 'platform_admin', true),
  newSetsRole('platform_admin', 'customer_admin', false),
  newSetsRole('platform_admin', 'customer_operator', false),
  newSetsRole('customer_operator', 'customer_admin', false),
  notYetBackfilled,
];

describe('expanded: both versions write, the trigger keeps role and is_admin in step', () => {
  let state: Partial<Expanded> = {};
  beforeAll(async () => {
    state = await expandedDatabase('synctrigger');
  });
  afterAll(() => closeAndDrop(state));

  it('the rows the backfill filled: existing admins read platform_admin, everyone else customer_admin', async () => {
    expect(await row(state.db!, 'before-admin@x')).toEqual({ role: 'platform_admin', is_admin: true });
    expect(await row(state.db!, 'before-user@x')).toEqual({ role: 'customer_admin', is_admin: false });
  });

  it.each(WRITES.map((w) => [w.title, w] as const))('%s', async (_title, w) => {
    await w.write(state.db!);
    expect(await row(state.db!, w.email)).toEqual({ role: w.role, is_admin: w.isAdmin });
  });
});

describe('after complete', () => {
  let state: Partial<Expanded> = {};
  beforeAll(async () => {
    state = await expandedDatabase('synctrigger_complete');
  });
  afterAll(() => closeAndDrop(state));

  it('every row written while expanded has the role the mapping gives, and the catalog is the target exactly', async () => {
    const { db, ctx } = state as Expanded;
    for (const w of WRITES) await w.write(db);
    const done = await complete(ctx, { drainWindow: 0 }); // the old version wrote just now, on purpose: the drain gate is test/drain's
    expect(done.applied.map((s) => s.name)).toEqual(['006_rbac_roles']);
    const rows = (await db.knex('portal_users').select('email', 'role').orderBy('email')) as Array<{ email: string; role: string }>;
    const expected = new Map([['before-admin@x', 'platform_admin'], ['before-user@x', 'customer_admin'], ...WRITES.map((w) => [w.email, w.role] as [string, string])]);
    expect(rows.length).toBe(WRITES.length + 2);
    expect(new Map(rows.map((r) => [r.email, r.role]))).toEqual(expected);
    expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'target-catalog-after-006.sql'));
  });
});

describe('going down, before the is_admin restore reaches a row', () => {
  const ADMIN = 'late-admin@x';
  let state: Partial<Expanded> = {};
  beforeAll(async () => {
    const db = await createTestDatabase('synctrigger_down');
    state = { db, ctx: await testContext(db.url) };
    await up(state.ctx!);
    // Enough rows for several heap pages, the admin on the last: the restore's first batch (page 0) does not reach it.
    await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, role) SELECT 'user' || i || '@x', 'h', 'U', 'customer_admin' FROM generate_series(1, 500) AS i`);
    await newInsert(db, ADMIN, 'platform_admin');
    class StopAfterFirstBatch extends Error {}
    await expect(
      down(state.ctx!, {
        yes: true,
        batchSize: 1,
        onStep: (event) => {
          if (event.type === 'progress') throw new StopAfterFirstBatch();
        },
      }),
    ).rejects.toThrow(StopAfterFirstBatch);
  });
  afterAll(() => closeAndDrop(state));

  it('a platform admin updated in neither column (its name) gets is_admin back at once', async () => {
    const db = state.db!;
    const { rows } = await db.knex.raw(`SELECT (ctid::text::point)[0]::int AS page FROM portal_users WHERE email = ?`, [ADMIN]);
    expect(rows[0].page).toBeGreaterThan(0); // not reached by the first batch
    expect(await row(db, ADMIN)).toEqual({ role: 'platform_admin', is_admin: false });
    await rename(db, ADMIN);
    expect(await row(db, ADMIN)).toEqual({ role: 'platform_admin', is_admin: true });
  });
});
