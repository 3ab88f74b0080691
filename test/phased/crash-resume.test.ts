/**
 * A phased 006 killed with SIGKILL (spawned CLI) at each phase boundary and in
 * the middle of the backfill: the database is left at a step boundary or
 * between two batches, which both application versions can use; the next
 * `up`/`complete` carries on from there (redoing at most the batch that was
 * running), and `down` from such a state returns exactly to 005. A `down` killed
 * between the batches that give is_admin back is carried on by the next `down`.
 *
 * To kill it at a known point, the test makes it wait there: another session
 * holds the lock that point needs, and the run uses --lock-timeout 0 (wait).
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { runCli } from '../support/cli';
import { testContext } from '../support/context';
import { advisoryLockCount, historyNames } from '../support/database-state';
import { standAt } from '../support/phased-position';
import { expectedCatalog } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';
import { startWatchedCli } from '../support/watched-cli';

const ROWS = 3000;

interface PhaseRow {
  steps_done: number;
  direction: string;
  cursor: string | null;
  held: boolean;
}

/** What each seeded user's role must end as: every 7th an admin. */
function seededRoles(): Map<string, string> {
  const expected = new Map<string, string>();
  for (let i = 1; i <= ROWS; i++) expected.set(`user${i}@x`, i % 7 === 0 ? 'platform_admin' : 'customer_admin');
  return expected;
}

/** At 005 with ROWS users, made once per file: each test copies it (CREATE DATABASE ... TEMPLATE, a file copy). */
let template: TestDatabase;
beforeAll(async () => {
  template = await createTestDatabase('crash_template');
  const setup = await runCli(['up', '--to', '005'], { env: { DATABASE_URL: template.url } });
  expect(setup.code, setup.stderr).toBe(0);
  await template.knex.raw(`
    INSERT INTO portal_users (email, hashed_password, name, is_admin)
    SELECT 'user' || i || '@x', 'h', 'User ' || i, i % 7 = 0 FROM generate_series(1, ${ROWS}) AS i`);
  await template.knex.destroy(); // a template must have no connections; drop() opens its own
});
afterAll(async () => {
  await template?.drop();
});

/** A database of its own at 005 with ROWS users, and what each user's role must end as. */
async function databaseAt005(label: string): Promise<{ db: TestDatabase; expected: Map<string, string> }> {
  return { db: await createTestDatabase(label, { template: template.name }), expected: seededRoles() };
}

async function phaseRow(knex: Knex): Promise<PhaseRow | null> {
  const { rows } = await knex.raw(`SELECT to_regclass('konstruct_migration_phases') IS NOT NULL AS present`);
  if (!rows[0].present) return null;
  return (await knex('konstruct_migration_phases').where({ name: '006_rbac_roles' }).first('steps_done', 'direction', 'cursor', 'held')) ?? null;
}

/** The lock a konstruct-migrate session is queued for, if any: `AccessExclusiveLock on portal_users`, or `ShareLock on transactionid` (a row). */
async function migrationWaitsFor(knex: Knex): Promise<string | undefined> {
  const { rows } = await knex.raw(
    `SELECT l.mode || ' on ' || coalesce(l.relation::regclass::text, l.locktype) AS what
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE NOT l.granted AND a.application_name = 'konstruct-migrate' AND a.datname = current_database()`,
  );
  return rows[0]?.what;
}

/** Starts the CLI (waiting as long as it takes for locks), waits until it queues for `lock`, and kills it. */
async function killWhenWaitingFor(db: TestDatabase, args: string[], lock: string, meanwhile?: () => Promise<void>): Promise<void> {
  const run = startWatchedCli([...args, '--lock-timeout', '0'], { env: { DATABASE_URL: db.url } });
  await waitUntil(async () => (await migrationWaitsFor(db.knex)) === lock, `the CLI to wait for ${lock}`);
  await meanwhile?.();
  run.kill('SIGKILL');
  expect((await run.exited).signal).toBe('SIGKILL');
  await waitUntil(async () => (await advisoryLockCount(db.knex)) === 0, 'the migration lock to be freed');
  // Its backend notices the client is gone (client_connection_check_interval) and rolls back.
  await waitUntil(async () => {
    const { rows } = await db.knex.raw(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'konstruct-migrate%'`);
    return rows.length === 0;
  }, "the killed run's backend to end");
}

/** A session holding `mode` on portal_users until released. */
async function holdTable(db: TestDatabase, mode: string): Promise<Knex.Transaction> {
  const trx = await db.knex.transaction();
  await trx.raw(`LOCK TABLE portal_users IN ${mode} MODE`);
  return trx;
}

/** The first admin on heap page `page`, locked FOR UPDATE: the row a batch of that page waits for. */
const ADMIN_ON_PAGE = `SELECT id FROM portal_users WHERE is_admin AND (ctid::text::point)[0] = ? ORDER BY ctid LIMIT 1 FOR UPDATE`;

/**
 * Sends `sql` in `trx` now and waits until it queues for `mode` on portal_users (behind the run's request for the
 * table); `granted` is its result to come.
 */
async function queueForPortalUsers(db: TestDatabase, trx: Knex.Transaction, mode: string, sql: string, bindings: unknown[] = []) {
  const granted = trx.raw(sql, bindings).then((r) => r as { rows: Array<Record<string, unknown>> }); // sent now
  await waitUntil(async () => {
    const { rows } = await db.knex.raw(`SELECT 1 FROM pg_locks WHERE NOT granted AND mode = ? AND relation = 'portal_users'::regclass`, [mode]);
    return rows.length > 0;
  }, `${mode} on portal_users to queue`);
  return { granted };
}

/**
 * Makes the run's batches wait for the row `lockRow` locks in `writer`; called while the run queues for
 * portal_users behind `reader`. Behind the run's request queue a gate (SHARE), then the row lock's request; when
 * the run's step commits, PostgreSQL grants both in the release itself, before the run can ask for anything
 * more, and the gate holds every batch off (SHARE conflicts with their UPDATE) until the writer has its row.
 * Without the gate, the writer's query raced the run's next batch for the row, and lost on a slow machine.
 * Resolves to the locked row.
 */
async function batchesWaitForRow(db: TestDatabase, reader: Knex.Transaction, writer: Knex.Transaction, lockRow: string, bindings: unknown[]) {
  const gate = await db.knex.transaction();
  try {
    const gated = await queueForPortalUsers(db, gate, 'ShareLock', 'LOCK TABLE portal_users IN SHARE MODE');
    const locked = await queueForPortalUsers(db, writer, 'RowShareLock', lockRow, bindings);
    await reader.commit();
    await gated.granted;
    const { rows } = await locked.granted;
    expect(rows).toHaveLength(1);
    await gate.commit();
    await waitUntil(async () => (await migrationWaitsFor(db.knex)) === 'ShareLock on transactionid', 'a batch to wait for the row');
    return rows[0];
  } finally {
    await gate.rollback().catch(() => {});
  }
}

/** Runs `args` from 005 and kills it once expand has committed and a batch waits for the row lock of an admin on `page`; returns the session holding that row. */
async function killInBackfillAfterExpand(db: TestDatabase, args: string[], page: number): Promise<Knex.Transaction> {
  const reader = await holdTable(db, 'ACCESS SHARE');
  const writer = await db.knex.transaction();
  await killWhenWaitingFor(db, args, 'AccessExclusiveLock on portal_users', async () => {
    await batchesWaitForRow(db, reader, writer, ADMIN_ON_PAGE, [page]);
  });
  return writer;
}

/** Both application versions write and read portal_users in this state; remembers what their rows must end as. */
async function bothVersionsWork(db: TestDatabase, expected: Map<string, string>, tag: string): Promise<void> {
  await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) VALUES (?, 'h', 'old', true), (?, 'h', 'old', false)`, [
    `old-admin-${tag}@x`,
    `old-user-${tag}@x`,
  ]);
  await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, role) VALUES (?, 'h', 'new', 'customer_operator')`, [`new-operator-${tag}@x`]);
  const read = async (email: string) => db.knex('portal_users').where({ email }).first('role', 'is_admin');
  expect(await read(`old-admin-${tag}@x`)).toEqual({ role: 'platform_admin', is_admin: true });
  expect(await read(`old-user-${tag}@x`)).toEqual({ role: 'customer_admin', is_admin: false });
  expect(await read(`new-operator-${tag}@x`)).toEqual({ role: 'customer_operator', is_admin: false });
  expected.set(`old-admin-${tag}@x`, 'platform_admin').set(`old-user-${tag}@x`, 'customer_admin').set(`new-operator-${tag}@x`, 'customer_operator');
}

async function expectRoles(db: TestDatabase, expected: Map<string, string>): Promise<void> {
  const rows = (await db.knex('portal_users').select('email', 'role')) as Array<{ email: string; role: string }>;
  expect(rows.length).toBe(expected.size);
  const wrong = rows.filter((r) => expected.get(r.email) !== r.role);
  expect(wrong).toEqual([]);
}

const pages = async (db: TestDatabase) =>
  Number((await db.knex.raw(`SELECT pg_relation_size('portal_users') / current_setting('block_size')::int AS n`)).rows[0].n);

/** Runs the CLI on `db`, expecting success. */
async function cli(db: TestDatabase, ...args: string[]) {
  const run = await runCli(args, { env: { DATABASE_URL: db.url } });
  expect(run.code, run.stderr).toBe(0);
  return run;
}

/** A database of its own at 005 where 006 stands after `at.stepsDone` steps (in-process, no kill), for `test`; dropped after. */
async function atStep(
  label: string,
  at: { stepsDone: number; held?: boolean },
  test: (db: TestDatabase, expected: Map<string, string>) => Promise<void>,
): Promise<void> {
  const { db, expected } = await databaseAt005(label);
  try {
    if (at.stepsDone > 0) {
      const ctx = await testContext(db.url);
      try {
        await standAt(ctx, at.stepsDone, undefined, at.held);
      } finally {
        await ctx.close();
      }
    }
    await test(db, expected);
  } finally {
    await db.drop();
  }
}

// Each test starts from a state of its own, made the cheapest way: a kill only where the kill is what is tested.
describe('killed at each phase boundary, resumed by the next run', () => {
  it('in expand (queued for portal_users): 005 exactly, nothing recorded', () =>
    atStep('crash_in_expand', { stepsDone: 0 }, async (db) => {
      const reader = await holdTable(db, 'ACCESS SHARE');
      await killWhenWaitingFor(db, ['up', '--expand'], 'AccessExclusiveLock on portal_users');
      await reader.commit();
      expect(await phaseRow(db.knex)).toBeNull();
      expect(await historyNames(db.knex)).toEqual(['005_baseline']);
      expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'catalog-after-005.sql'));
    }));

  it('between expand and backfill (first batch queued for a row): expanded, held; both versions work', () =>
    atStep('crash_after_expand', { stepsDone: 0 }, async (db, expected) => {
      const writer = await killInBackfillAfterExpand(db, ['up', '--expand', '--batch-size', '1'], 0);
      await writer.commit();
      expect(await phaseRow(db.knex)).toEqual({ steps_done: 1, direction: 'up', cursor: null, held: true });
      expect(await historyNames(db.knex)).toEqual(['005_baseline']);
      await bothVersionsWork(db, expected, 'after-expand');
    }));

  it('in the middle of the backfill: the cursor is where the kill struck; the next run redoes that batch only', () =>
    atStep('crash_mid_backfill', { stepsDone: 0 }, async (db, expected) => {
      const writer = await killInBackfillAfterExpand(db, ['up', '--expand', '--batch-size', '1'], 10);
      await writer.commit();
      // Pages 0-9 were done, one batch (one page) each, and page 10's batch rolled back.
      expect(await phaseRow(db.knex)).toEqual({ steps_done: 1, direction: 'up', cursor: '10', held: true });
      await bothVersionsWork(db, expected, 'mid-backfill');
      // Held short of expanded: plain up refuses and names up --expand, as status does, not complete (not expanded yet).
      const plain = await runCli(['up'], { env: { DATABASE_URL: db.url } });
      expect([plain.code, plain.stderr]).toEqual([2, expect.stringMatching(/^error: 006_rbac_roles stands part-way before expanded, held for `up --expand`: .*\n {2}Run `konstruct-migrate up --expand` to carry it on to expanded/)]);
      expect((await cli(db, 'status')).stdout).toContain('\n  Run `konstruct-migrate up --expand` to carry it on to expanded (deploy the new version only then)');

      const resumed = await cli(db, 'up', '--expand', '--batch-size', '1');
      const batches = Number(/· backfill: admins get role platform_admin \([^,]+, (\d+) batch/.exec(resumed.stdout)![1]);
      // From page 10 to the end (the table may have grown by a page meanwhile): not from page 0.
      expect(batches).toBeLessThanOrEqual((await pages(db)) - 10);
      expect(batches).toBeGreaterThanOrEqual((await pages(db)) - 11);
      expect(await phaseRow(db.knex)).toEqual({ steps_done: 2, direction: 'up', cursor: null, held: true });
      await bothVersionsWork(db, expected, 'expanded');
      await expectRoles(db, expected); // backfilled: every row's role by the mapping already
    }));

  // Both versions write in these tests on purpose, so `complete` runs with --drain-window 0: the drain gate is tested in test/drain/.
  it('between backfill and contract (complete queued for portal_users): still expanded and held; plain up refuses', () =>
    atStep('crash_before_contract', { stepsDone: 2, held: true }, async (db, expected) => {
      const reader = await holdTable(db, 'ACCESS SHARE');
      await killWhenWaitingFor(db, ['complete', '--drain-window', '0'], 'AccessExclusiveLock on portal_users');
      await reader.commit();
      expect(await phaseRow(db.knex)).toEqual({ steps_done: 2, direction: 'up', cursor: null, held: true });
      const plain = await runCli(['up'], { env: { DATABASE_URL: db.url } });
      expect(plain.code).toBe(2);
      expect(plain.stderr).toMatch(/^error: 006_rbac_roles is held expanded \(by `up --expand` or `down --to-expanded`\): plain `up` does not contract it.*\n {2}Once every instance runs the new version, run `konstruct-migrate complete`/);
      await bothVersionsWork(db, expected, 'before-contract');
    }));

  it('between NOT VALID and VALIDATE: the constraint checks new rows, both versions work', () =>
    atStep('crash_not_valid', { stepsDone: 2 }, async (db, expected) => {
      const reader = await holdTable(db, 'ACCESS SHARE');
      let validateBlocker: Knex.Transaction | undefined;
      let blockerGranted: Promise<unknown> | undefined;
      await killWhenWaitingFor(db, ['complete', '--drain-window', '0'], 'AccessExclusiveLock on portal_users', async () => {
        // Queue a SHARE UPDATE EXCLUSIVE behind the run's request: it is granted when the
        // NOT VALID step commits, before the run asks for the same lock to VALIDATE.
        validateBlocker = await db.knex.transaction();
        blockerGranted = validateBlocker.raw('LOCK TABLE portal_users IN SHARE UPDATE EXCLUSIVE MODE').then(() => undefined); // sent now
        await waitUntil(async () => {
          const { rows } = await db.knex.raw(`SELECT 1 FROM pg_locks WHERE NOT granted AND mode = 'ShareUpdateExclusiveLock' AND relation = 'portal_users'::regclass`);
          return rows.length > 0;
        }, 'the blocker to queue');
        await reader.commit();
        await blockerGranted;
        await waitUntil(async () => (await migrationWaitsFor(db.knex)) === 'ShareUpdateExclusiveLock on portal_users', 'the run to wait to VALIDATE');
      });
      await validateBlocker!.commit();
      expect(await phaseRow(db.knex)).toEqual({ steps_done: 3, direction: 'up', cursor: null, held: false });
      const { rows } = await db.knex.raw(`SELECT convalidated FROM pg_constraint WHERE conname = 'ck_portal_users_role'`);
      expect(rows).toEqual([{ convalidated: false }]);
      await bothVersionsWork(db, expected, 'not-valid');
    }));

  it('between VALIDATE and the drop: validated; a plain up (not held) would carry it on', () =>
    atStep('crash_validated', { stepsDone: 3 }, async (db, expected) => {
      const validateBlocker = await holdTable(db, 'SHARE UPDATE EXCLUSIVE');
      let reader: Knex.Transaction | undefined;
      await killWhenWaitingFor(db, ['up'], 'ShareUpdateExclusiveLock on portal_users', async () => {
        reader = await holdTable(db, 'ACCESS SHARE'); // granted at once: it conflicts with neither
        await validateBlocker.commit();
        await waitUntil(async () => (await migrationWaitsFor(db.knex)) === 'AccessExclusiveLock on portal_users', 'the run to wait for the drop');
      });
      await reader!.commit();
      expect(await phaseRow(db.knex)).toEqual({ steps_done: 5, direction: 'up', cursor: null, held: false });
      const { rows } = await db.knex.raw(`SELECT convalidated FROM pg_constraint WHERE conname = 'ck_portal_users_role'`);
      expect(rows).toEqual([{ convalidated: true }]);
      await bothVersionsWork(db, expected, 'validated');
    }));

  it('resumed by complete after the validate: the target catalog exactly, every row by the mapping, history recorded', () =>
    atStep('crash_resume_complete', { stepsDone: 5 }, async (db, expected) => {
      await bothVersionsWork(db, expected, 'validated');
      const done = await cli(db, 'complete', '--drain-window', '0');
      expect(done.stdout).toMatch(/· contract: drop the triggers[\s\S]*Completed 006_rbac_roles in batch 2/);
      expect(done.stdout).not.toMatch(/NOT VALID|validate/); // done before: not redone
      expect(await phaseRow(db.knex)).toBeNull();
      expect(await historyNames(db.knex)).toEqual(['005_baseline', '006_rbac_roles']);
      expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'target-catalog-after-006.sql'));
      await expectRoles(db, expected);
    }));
});

describe('killed in the middle of the backfill, then down', () => {
  it('returns exactly to 005, every row with is_admin by the mapping', async () => {
    const { db } = await databaseAt005('crash_down');
    try {
      const writer = await killInBackfillAfterExpand(db, ['up', '--batch-size', '1'], 5);
      await writer.commit();
      expect(await phaseRow(db.knex)).toMatchObject({ steps_done: 1, cursor: '5', held: false });
      await bothVersionsWork(db, new Map(), 'mid');

      const down = await runCli(['down', '--yes'], { env: { DATABASE_URL: db.url } });
      expect(down.code, down.stderr).toBe(0);
      expect(down.stdout).toMatch(/^ {4}· reverted expand: .*\n {2}↓ 006_rbac_roles/);
      expect(down.stdout).not.toMatch(/reverted contract/); // never applied
      expect(await phaseRow(db.knex)).toBeNull();
      expect(await historyNames(db.knex)).toEqual(['005_baseline']);
      expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'catalog-after-005.sql'));
      const wrong = await db.knex.raw(`
        SELECT email FROM portal_users
         WHERE is_admin IS DISTINCT FROM (email ~ '^user\\d+@' AND substring(email from '\\d+')::int % 7 = 0 OR email LIKE 'old-admin-%')`);
      expect(wrong.rows).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});

describe('killed in the middle of the batches that give is_admin back (down from applied), then down again', () => {
  it('stands between two batches that both versions can use; the next down carries on to 005 exactly', async () => {
    const { db } = await databaseAt005('crash_down_batches');
    try {
      expect((await runCli(['up'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
      // The first platform admin's row from page 5 on, locked: the batch that reaches its page waits for it, and the
      // gate of batchesWaitForRow makes sure it is locked before the first batch runs.
      const reader = await holdTable(db, 'ACCESS SHARE');
      const writer = await db.knex.transaction();
      let lockedPage = -1;
      await killWhenWaitingFor(db, ['down', '--yes', '--batch-size', '1'], 'AccessExclusiveLock on portal_users', async () => {
        const row = await batchesWaitForRow(
          db,
          reader,
          writer,
          `SELECT (ctid::text::point)[0]::int AS page FROM portal_users WHERE role = 'platform_admin' AND (ctid::text::point)[0] >= 5 ORDER BY ctid LIMIT 1 FOR UPDATE`,
          [],
        );
        lockedPage = row.page as number;
      });
      await writer.commit();

      // The pages before it got is_admin back, one batch each; its page's batch rolled back with the kill.
      expect(lockedPage).toBeGreaterThanOrEqual(5);
      expect(await phaseRow(db.knex)).toMatchObject({ direction: 'down', cursor: String(lockedPage) });
      expect(await historyNames(db.knex)).toEqual(['005_baseline']);
      await bothVersionsWork(db, new Map(), 'mid-down');

      const down = await runCli(['down', '--yes', '--batch-size', '1'], { env: { DATABASE_URL: db.url } });
      expect(down.code, down.stderr).toBe(0);
      const batches = Number(/· reverted contract: platform admins get is_admin back[^(]*\([^,]+, (\d+) batch/.exec(down.stdout)?.[1]);
      // From that page on, not from page 0.
      expect(batches).toBeLessThanOrEqual((await pages(db)) - lockedPage);
      expect(await phaseRow(db.knex)).toBeNull();
      expect(await historyNames(db.knex)).toEqual(['005_baseline']);
      expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'catalog-after-005.sql'));
      const wrong = await db.knex.raw(`
        SELECT email FROM portal_users
         WHERE is_admin IS DISTINCT FROM (email ~ '^user\\d+@' AND substring(email from '\\d+')::int % 7 = 0 OR email LIKE 'old-admin-%')`);
      expect(wrong.rows).toEqual([]);
    } finally {
      await db.drop();
    }
  }, 120_000);
});
