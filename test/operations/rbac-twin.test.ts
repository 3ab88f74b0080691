/**
 * Migration 006 written as operations (fixtures/006_rbac_roles_operations.ts)
 * against the hand-written one's promises: the seed's catalog and every row's
 * role by its mapping; issue #11's trigger mapping while both versions write;
 * a new-version write on a row the backfill has not reached (#25 item 4); and
 * `down` from every point back to 005 exactly, rows included.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { complete } from '../../src/commands/complete';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import { compileOperations } from '../../src/operations';
import { expectedCatalog } from '../support/spec-files';
import { operations } from './fixtures/006_rbac_roles_operations';
import { listLocalMigrations } from '../../src/history/local-migrations';
import { loadMigration } from '../../src/model/load-migration';
import { SOURCE_MIGRATIONS_DIR } from '../support/context';
import { operationsDatabase, position, standAt, stoppingPoints, type OperationsDatabase } from './harness';
import { lockProfile, modesByPhase } from './lock-profile';
import type { Step } from '../../src/model/migration';

const NAME = '006_rbac_roles_operations';
const FIXTURE = { file: path.join(__dirname, 'fixtures', `${NAME}.ts`) };
let h: OperationsDatabase;
/** email -> is_admin it has at 005 (and so the role the seed's mapping gives it). */
const admins = new Map<string, boolean>();

beforeAll(async () => {
  h = await operationsDatabase('rbactwin', NAME, FIXTURE);
  // Enough rows for several heap pages, so a backfill stopped after one batch leaves rows behind it.
  await h.db.knex.raw(`
    INSERT INTO portal_users (email, hashed_password, name, is_admin)
    SELECT 'user' || i || '@x', 'h', 'U', i % 7 = 0 FROM generate_series(1, 1000) AS i`);
  for (let i = 1; i <= 1000; i++) admins.set(`user${i}@x`, i % 7 === 0);
});
afterAll(async () => {
  await h?.close();
});

const roleOf = (isAdmin: boolean) => (isAdmin ? 'platform_admin' : 'customer_admin');
const row = async (email: string) => (await h.db.knex('portal_users').where({ email }).first('role', 'is_admin')) as { role: string | null; is_admin: boolean };
const oldInsert = (email: string, isAdmin: boolean) =>
  h.db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES (?, 'h', 'old', ?)`, [email, isAdmin]);
const newInsert = (email: string, role: string) =>
  h.db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, role) VALUES (?, 'h', 'new', ?)`, [email, role]);

async function expectExactly005(): Promise<void> {
  expect(await position(h)).toBe('not started');
  expect(await dumpCatalog(h.db.knex)).toBe(await expectedCatalog(h.db.knex, 'catalog-after-005.sql'));
  const rows = (await h.db.knex('portal_users').select('email', 'is_admin')) as Array<{ email: string; is_admin: boolean }>;
  expect(rows.length).toBe(admins.size);
  expect(rows.filter((r) => admins.get(r.email) !== r.is_admin)).toEqual([]);
}

async function expectExactly006(roles: Map<string, string>): Promise<void> {
  expect(await position(h)).toBe('applied');
  expect(await dumpCatalog(h.db.knex)).toBe(await expectedCatalog(h.db.knex, 'target-catalog-after-006.sql'));
  const rows = (await h.db.knex('portal_users').select('email', 'role')) as Array<{ email: string; role: string }>;
  expect(rows.length).toBe(roles.size);
  expect(rows.filter((r) => roles.get(r.email) !== r.role)).toEqual([]);
}

const seedRoles = () => new Map([...admins].map(([email, isAdmin]) => [email, roleOf(isAdmin)]));

describe('006 as operations: end states', () => {
  it('up gives target-catalog-after-006.sql and every role by the seed mapping; down gives 005 exactly', async () => {
    await up(h.ctx);
    await expectExactly006(seedRoles());
    await down(h.ctx, { yes: true });
    await expectExactly005();
  });
});

describe('006 as operations: both versions write while expanded (issue #11)', () => {
  it('each write reads back in both shapes, and complete keeps them', async () => {
    const expected = seedRoles();
    expect((await up(h.ctx, { expand: true })).expanded).toEqual([NAME]);
    await oldInsert('old-admin@x', true);
    await oldInsert('old-user@x', false);
    await newInsert('new-operator@x', 'customer_operator');
    await newInsert('new-admin@x', 'platform_admin');
    expect(await row('old-admin@x')).toEqual({ role: 'platform_admin', is_admin: true });
    expect(await row('old-user@x')).toEqual({ role: 'customer_admin', is_admin: false });
    expect(await row('new-operator@x')).toEqual({ role: 'customer_operator', is_admin: false });
    expect(await row('new-admin@x')).toEqual({ role: 'platform_admin', is_admin: true });
    // The old version sets is_admin = false on an operator: it stays one (#11).
    await h.db.knex.raw(`UPDATE portal_users SET is_admin = false WHERE email = 'new-operator@x'`);
    expect(await row('new-operator@x')).toEqual({ role: 'customer_operator', is_admin: false });
    // The old version demotes an admin; the new version promotes a user.
    await h.db.knex.raw(`UPDATE portal_users SET is_admin = false WHERE email = 'new-admin@x'`);
    expect(await row('new-admin@x')).toEqual({ role: 'customer_admin', is_admin: false });
    await h.db.knex.raw(`UPDATE portal_users SET role = 'platform_admin' WHERE email = 'old-user@x'`);
    expect(await row('old-user@x')).toEqual({ role: 'platform_admin', is_admin: true });
    for (const [email, role] of [['old-admin@x', 'platform_admin'], ['old-user@x', 'platform_admin'], ['new-operator@x', 'customer_operator'], ['new-admin@x', 'customer_admin']]) expected.set(email!, role!);
    await complete(h.ctx);
    await expectExactly006(expected);
    await h.db.knex('portal_users').whereIn('email', ['old-admin@x', 'old-user@x', 'new-operator@x', 'new-admin@x']).delete();
    await down(h.ctx, { yes: true });
    await expectExactly005();
  });
});

describe('006 as operations: rows the backfill has not reached (issue #25 item 4)', () => {
  it('a new-version write of the default role on such an admin is honoured; an unrelated update fills the row', async () => {
    const backfill = h.steps.findIndex((s) => s.phase === 'backfill');
    await standAt(h, backfill + 1, 1);
    expect(await position(h)).toEqual({ stepsDone: backfill, midBatch: true });
    const [demoted, touched] = (
      await h.db.knex.raw(`SELECT email FROM portal_users WHERE is_admin AND role IS NULL ORDER BY ctid DESC LIMIT 2`)
    ).rows.map((r: { email: string }) => r.email) as [string, string];
    await h.db.knex.raw(`UPDATE portal_users SET role = 'customer_admin' WHERE email = ?`, [demoted]);
    expect(await row(demoted)).toEqual({ role: 'customer_admin', is_admin: false });
    await h.db.knex.raw(`UPDATE portal_users SET name = 'renamed' WHERE email = ?`, [touched]);
    expect(await row(touched)).toEqual({ role: 'platform_admin', is_admin: true });
    await up(h.ctx);
    await expectExactly006(seedRoles().set(demoted, 'customer_admin'));
    await h.db.knex.raw(`UPDATE portal_users SET role = 'platform_admin' WHERE email = ?`, [demoted]);
    await down(h.ctx, { yes: true });
    await expectExactly005();
  });
});

describe('006 as operations: down from every point', () => {
  it('lists the steps it compiles to', () => {
    expect(h.steps.map((s) => `${s.phase}: ${s.name}`)).toEqual([
      'expand: sql, addColumn portal_users.role, dropColumn portal_users.is_admin, sql',
      'backfill: fill portal_users: role',
      'contract: restore NOT NULL (going down)',
      'contract: validate constraints',
      'contract: set NOT NULL',
      'contract: refill portal_users: is_admin (going down)',
      'contract: addColumn portal_users.role, dropColumn portal_users.is_admin',
    ]);
  });

  it.each(stoppingPoints(compileOperations(operations)))('$label: both versions write, then down ends at 005 exactly', async ({ label, stepsDone, afterBatches }) => {
    await standAt(h, stepsDone, afterBatches);
    const tag = label.replace(/\W+/g, '-');
    const hasIsAdmin = (await h.db.knex.raw(`SELECT 1 FROM pg_attribute WHERE attrelid = 'portal_users'::regclass AND attname = 'is_admin' AND NOT attisdropped`)).rows.length > 0;
    if (hasIsAdmin) {
      await oldInsert(`old-${tag}@x`, true);
      admins.set(`old-${tag}@x`, true);
    }
    await newInsert(`new-${tag}@x`, 'customer_operator');
    admins.set(`new-${tag}@x`, false);
    await down(h.ctx, { yes: true });
    await expectExactly005();
  });
});


describe('006 as operations: the same lock profile as the hand-written 006', () => {
  it('per phase the same table locks on portal_users, and no rows touched under a blocking one', async () => {
    const seed = `INSERT INTO portal_users (email, hashed_password, name, is_admin) SELECT 'u' || i, 'h', 'U', i % 7 = 0 FROM generate_series(1, 1000) AS i`;
    const profileOf = async (name: string, source: { file: string } | { text: string }, steps: (o: OperationsDatabase) => Promise<readonly Step[]>) => {
      const o = await operationsDatabase('rbaclocks', name, source);
      try {
        await o.db.knex.raw(seed);
        return await lockProfile(o.db.knex, await steps(o), 'portal_users');
      } finally {
        await o.close();
      }
    };
    const twin = await profileOf(NAME, FIXTURE, async (o) => o.steps);
    const handWritten = await profileOf('900_noop', { text: `export const operations = [{ sql: { up: 'SELECT 1', down: 'SELECT 1' } }];` }, async () => {
      const migration = listLocalMigrations(SOURCE_MIGRATIONS_DIR).find((m) => m.name === '006_rbac_roles')!;
      return (await loadMigration(migration)).steps;
    });
    expect(modesByPhase(twin)).toEqual(modesByPhase(handWritten));
    expect(modesByPhase(twin)).toEqual({
      expand: ['AccessExclusiveLock', 'AccessShareLock', 'RowShareLock', 'ShareRowExclusiveLock'],
      backfill: ['RowExclusiveLock'],
      contract: ['AccessExclusiveLock', 'AccessShareLock', 'ShareUpdateExclusiveLock'],
    });
    expect([...twin, ...handWritten].filter((s) => s.rowsUnderBlockingLock > 0 || s.rewritten)).toEqual([]);
  });
});
