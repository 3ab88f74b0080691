/**
 * `down` from every point a phased 006 can stand at — after each step, and
 * between two backfill batches — returns exactly to 005: the catalog of the
 * seed's downgrade, and is_admin by the mapping for every row, those the old
 * and new application versions wrote meanwhile included.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { listLocalMigrations } from '../../src/history/local-migrations';
import { readPhaseStates } from '../../src/history/phase-state';
import { SOURCE_MIGRATIONS_DIR, testContext } from '../support/context';
import { standAt } from '../support/phased-position';
import { expectedCatalog } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let ctx: MigrationContext;
/** email -> is_admin it must have at 005. */
let expectedAdmin: Map<string, boolean>;

beforeAll(async () => {
  db = await createTestDatabase('downfromeach');
  ctx = await testContext(db.url);
  await up(ctx, { to: '005' });
  await db.knex.raw(`
    INSERT INTO portal_users (email, hashed_password, name, is_admin)
    SELECT 'user' || i || '@x', 'h', 'U', i % 7 = 0 FROM generate_series(1, 1000) AS i`);
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});
/** Each test starts at 005 with the 1000 seeded users only, every 7th an admin, whatever the test before left behind. */
beforeEach(async () => {
  const applied = await db.knex('knex_migrations').pluck('name');
  if ((await readPhaseStates(db.knex)).length > 0 || applied.includes('006_rbac_roles')) await down(ctx, { yes: true, to: '005' });
  await db.knex.raw(`DELETE FROM portal_users WHERE email !~ '^user[0-9]+@x$'`);
  await db.knex.raw(`UPDATE portal_users SET is_admin = substring(email from '[0-9]+')::int % 7 = 0`);
  expectedAdmin = new Map(Array.from({ length: 1000 }, (_, i) => [`user${i + 1}@x`, (i + 1) % 7 === 0]));
});

class StopHere extends Error {}

/** The old version (is_admin) and the new one (role) each write users, where both columns still exist. */
async function bothVersionsWrite(tag: string): Promise<void> {
  await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES (?, 'h', 'old', true)`, [`old-${tag}@x`]);
  await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, role) VALUES (?, 'h', 'new', 'platform_admin'), (?, 'h', 'new', 'customer_operator')`, [
    `new-admin-${tag}@x`,
    `new-operator-${tag}@x`,
  ]);
  expectedAdmin.set(`old-${tag}@x`, true).set(`new-admin-${tag}@x`, true).set(`new-operator-${tag}@x`, false);
}

async function expectExactly005(): Promise<void> {
  expect(await readPhaseStates(db.knex)).toEqual([]);
  expect(await db.knex('knex_migrations').pluck('name')).toEqual(['005_baseline']);
  expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'catalog-after-005.sql'));
  const rows = (await db.knex('portal_users').select('email', 'is_admin')) as Array<{ email: string; is_admin: boolean }>;
  expect(rows.length).toBe(expectedAdmin.size);
  expect(rows.filter((r) => expectedAdmin.get(r.email) !== r.is_admin)).toEqual([]);
}

describe('down from each point of a phased 006', () => {
  it.each([
    ['expand done', 1, undefined],
    ['between two backfill batches', 2, 4],
    ['expanded (backfill done)', 2, undefined],
    ['ck_portal_users_role added NOT VALID', 3, undefined],
    ['ck_portal_users_role validated', 4, undefined],
    ['the is_admin restore step (nothing to do going up) passed', 5, undefined],
  ] as const)('%s: back to 005 exactly', async (label, stepsDone, afterBatches) => {
    await standAt(ctx, stepsDone, afterBatches);
    // At --batch-size 1 each batch covers one heap page: killed after n batches, the cursor saved is page n.
    const position = afterBatches ? { stepsDone: 1, cursor: String(afterBatches) } : { stepsDone, cursor: null };
    expect((await readPhaseStates(db.knex)).map(({ stepsDone, cursor }) => ({ stepsDone, cursor }))).toEqual([position]);
    await bothVersionsWrite(label.replace(/\W+/g, '-'));
    const result = await down(ctx, { yes: true });
    expect(result.reverted.map((s) => s.name)).toEqual(['006_rbac_roles']);
    await expectExactly005();
  });

  it('fully applied (contract done): back to 005 exactly, platform admins with is_admin again', async () => {
    await up(ctx);
    await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, role) VALUES ('late-admin@x', 'h', 'new', 'platform_admin'), ('late-operator@x', 'h', 'new', 'customer_operator')`);
    expectedAdmin.set('late-admin@x', true).set('late-operator@x', false);
    await down(ctx, { yes: true });
    await expectExactly005();
  });

  it('between two batches of the is_admin restore (going down): carried on by the next down', async () => {
    await up(ctx);
    const migration = listLocalMigrations(SOURCE_MIGRATIONS_DIR).find((m) => m.name === '006_rbac_roles')!;
    let batches = 0;
    await expect(
      down(ctx, {
        yes: true,
        batchSize: 1,
        onStep: (event) => {
          if (event.type === 'progress' && ++batches === 3) throw new StopHere();
        },
      }),
    ).rejects.toThrow(StopHere);
    const [state] = await readPhaseStates(db.knex);
    expect(state).toMatchObject({ name: migration.name, stepsDone: 5, direction: 'down', cursor: '3' }); // three one-page batches committed
    expect(await db.knex('knex_migrations').pluck('name')).toEqual(['005_baseline']); // part-way: not applied
    await down(ctx, { yes: true });
    await expectExactly005();
  });
});
