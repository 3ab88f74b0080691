/**
 * Issue #11's trigger mapping holds for every row, on both sides of the
 * batches' cursor (#25 item 4). With 006 stopped between two batches, a row
 * behind the cursor has both columns agreeing; a row ahead of it does not yet
 * (going up: an admin reads is_admin true but role still its default
 * customer_admin; going down: a platform admin reads is_admin still false).
 * Each update of the mapping is applied to a row of each kind on each side, and
 * both columns are checked at once, then after the migration finishes.
 *
 * The rows that matter most: a write of the value a row already holds, which
 * comparing NEW with OLD cannot tell from no write at all. Going up, the new
 * version demotes an admin ahead of the cursor with `SET role = 'customer_admin'`;
 * going down, the old version demotes a platform admin the restore has not
 * reached with `SET is_admin = false`. Both must stay demoted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { complete } from '../../src/commands/complete';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { testContext } from '../support/context';
import { standAt } from '../support/phased-position';
import { expectedCatalog } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

type Role = 'platform_admin' | 'customer_admin' | 'customer_operator';
interface Columns {
  role: Role;
  is_admin: boolean;
}
const as = (role: Role): Columns => ({ role, is_admin: role === 'platform_admin' });

/** One UPDATE of issue #11's mapping, and what a row that logically was `before` reads after it. */
interface Update {
  title: string;
  sql: string;
  expect(before: Role): Columns;
}

const UPDATES: Update[] = [
  { title: 'the old version sets is_admin true', sql: 'SET is_admin = true', expect: () => as('platform_admin') },
  {
    title: 'the old version sets is_admin false',
    sql: 'SET is_admin = false',
    expect: (before) => ({ role: before === 'customer_operator' ? 'customer_operator' : 'customer_admin', is_admin: false }),
  },
  { title: 'the new version sets role platform_admin', sql: `SET role = 'platform_admin'`, expect: () => as('platform_admin') },
  { title: 'the new version sets role customer_admin', sql: `SET role = 'customer_admin'`, expect: () => as('customer_admin') },
  { title: 'the new version sets role customer_operator', sql: `SET role = 'customer_operator'`, expect: () => as('customer_operator') },
  { title: 'an update of neither column (the name)', sql: `SET name = 'renamed'`, expect: (before) => as(before) },
];

type Side = 'behind' | 'ahead';
const SIDES: Side[] = ['behind', 'ahead'];
const emailOf = (side: Side, kind: Role, u: number) => `${side}-${kind}-${u}@x`;

/** Every update on a row of every kind on both sides: [title, side, kind, update index]. */
function cases(kinds: Role[]): Array<[string, Side, Role, number]> {
  return SIDES.flatMap((side) => kinds.flatMap((kind) => UPDATES.map((u, i) => [`${u.title}, on a ${kind} ${side} the cursor`, side, kind, i] as [string, Side, Role, number])));
}

async function read(db: TestDatabase, email: string): Promise<Columns> {
  return (await db.knex('portal_users').where({ email }).first('role', 'is_admin')) as Columns;
}

/** The heap page a row is on: the batches walk pages, one per batch at --batch-size 1. */
async function pageOf(db: TestDatabase, email: string): Promise<number> {
  const { rows } = await db.knex.raw(`SELECT (ctid::text::point)[0]::int AS page FROM portal_users WHERE email = ?`, [email]);
  return rows[0].page;
}

/** `insert` writes the rows of one side; 600 users between the two sides push the second one past page 0. */
async function rowsOnBothSides(db: TestDatabase, insert: (emails: Array<[string, Role]>) => Promise<unknown>, kinds: Role[]): Promise<void> {
  const side = (s: Side) => kinds.flatMap((kind) => UPDATES.map((_, u) => [emailOf(s, kind, u), kind] as [string, Role]));
  await insert(side('behind'));
  await insert(Array.from({ length: 600 }, (_, i) => [`filler${i}@x`, 'customer_admin'] as [string, Role]));
  await insert(side('ahead'));
}

/**
 * Rows ahead are past page 0, the first batch's; rows behind were on page 0. A platform
 * admin the batch updated has a new tuple wherever there was room (maybe a later page):
 * it is behind the cursor by its columns, which the callers check.
 */
async function expectSides(db: TestDatabase, kinds: Role[]): Promise<void> {
  for (const kind of kinds) {
    for (let u = 0; u < UPDATES.length; u++) {
      if (kind !== 'platform_admin') expect(await pageOf(db, emailOf('behind', kind, u))).toBe(0);
      expect(await pageOf(db, emailOf('ahead', kind, u))).toBeGreaterThan(0);
    }
  }
}

describe('going up, 006 stopped mid-backfill', () => {
  const KINDS: Role[] = ['platform_admin', 'customer_admin']; // the old version knows admins and non-admins only
  let db: TestDatabase;
  let ctx: MigrationContext;
  beforeAll(async () => {
    db = await createTestDatabase('synccursor_up');
    ctx = await testContext(db.url);
    await up(ctx, { to: '005' });
    await rowsOnBothSides(
      db,
      (rows) => db.knex('portal_users').insert(rows.map(([email, kind]) => ({ email, hashed_password: 'h', name: 'old', is_admin: kind === 'platform_admin' }))),
      KINDS,
    );
    await standAt(ctx, 2, 1); // expanded, then the first batch (page 0) committed
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('the cursor stands between the two sides: admins behind it read platform_admin, admins ahead still the default', async () => {
    await expectSides(db, KINDS);
    for (let u = 0; u < UPDATES.length; u++) {
      expect(await read(db, emailOf('behind', 'platform_admin', u))).toEqual(as('platform_admin'));
      expect(await read(db, emailOf('ahead', 'platform_admin', u))).toEqual({ role: 'customer_admin', is_admin: true });
    }
  });

  it.each(cases(KINDS))('%s', async (_title, side, kind, u) => {
    const email = emailOf(side, kind, u);
    await db.knex.raw(`UPDATE portal_users ${UPDATES[u]!.sql} WHERE email = ?`, [email]);
    expect(await read(db, email)).toEqual(UPDATES[u]!.expect(kind));
  });

  it.each([
    ['the old version inserts is_admin true', { is_admin: true }, as('platform_admin')],
    ['the old version inserts is_admin false', { is_admin: false }, as('customer_admin')],
    ['the new version inserts role platform_admin', { role: 'platform_admin' }, as('platform_admin')],
    ['the new version inserts role customer_admin', { role: 'customer_admin' }, as('customer_admin')],
    ['the new version inserts role customer_operator', { role: 'customer_operator' }, as('customer_operator')],
  ] as const)('mid-backfill, %s', async (title, columns, expected) => {
    const email = `${title.replace(/\W+/g, '-')}@x`;
    await db.knex('portal_users').insert({ email, hashed_password: 'h', name: 'mid', ...columns });
    expect(await read(db, email)).toEqual(expected);
  });

  it('after complete, every row keeps the role its write gave it, and the catalog is the target exactly', async () => {
    await complete(ctx, { drainWindow: 0 }); // the old version wrote just now, on purpose: the drain gate is test/drain's
    for (const [, side, kind, u] of cases(KINDS)) {
      const row = (await db.knex('portal_users').where({ email: emailOf(side, kind, u) }).first('role')) as { role: Role };
      expect({ email: emailOf(side, kind, u), role: row.role }).toEqual({ email: emailOf(side, kind, u), role: UPDATES[u]!.expect(kind).role });
    }
    expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'target-catalog-after-006.sql'));
  });
});

describe('going down, 006 stopped mid-restore of is_admin', () => {
  const KINDS: Role[] = ['platform_admin', 'customer_admin', 'customer_operator'];
  let db: TestDatabase;
  let ctx: MigrationContext;
  beforeAll(async () => {
    db = await createTestDatabase('synccursor_down');
    ctx = await testContext(db.url);
    await up(ctx);
    await rowsOnBothSides(db, (rows) => db.knex('portal_users').insert(rows.map(([email, role]) => ({ email, hashed_password: 'h', name: 'new', role }))), KINDS);
    class StopAfterFirstBatch extends Error {}
    const stopped = down(ctx, {
      yes: true,
      batchSize: 1,
      onStep: (event) => {
        if (event.type === 'progress') throw new StopAfterFirstBatch();
      },
    });
    await expect(stopped).rejects.toThrow(StopAfterFirstBatch);
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  it('the cursor stands between the two sides: platform admins behind it have is_admin back, those ahead not yet', async () => {
    await expectSides(db, KINDS);
    for (let u = 0; u < UPDATES.length; u++) {
      expect(await read(db, emailOf('behind', 'platform_admin', u))).toEqual(as('platform_admin'));
      expect(await read(db, emailOf('ahead', 'platform_admin', u))).toEqual({ role: 'platform_admin', is_admin: false });
    }
  });

  it.each(cases(KINDS))('%s', async (_title, side, kind, u) => {
    const email = emailOf(side, kind, u);
    await db.knex.raw(`UPDATE portal_users ${UPDATES[u]!.sql} WHERE email = ?`, [email]);
    expect(await read(db, email)).toEqual(UPDATES[u]!.expect(kind));
  });

  it('after down, every row keeps the is_admin its write gave it, and the catalog is 005 exactly', async () => {
    await down(ctx, { yes: true });
    for (const [, side, kind, u] of cases(KINDS)) {
      const email = emailOf(side, kind, u);
      const row = (await db.knex('portal_users').where({ email }).first('is_admin')) as { is_admin: boolean };
      expect({ email, is_admin: row.is_admin }).toEqual({ email, is_admin: UPDATES[u]!.expect(kind).is_admin });
    }
    expect(await db.knex('knex_migrations').pluck('name')).toEqual(['005_baseline']);
    expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'catalog-after-005.sql'));
  });
});
