/**
 * Every operation killed for real (SIGKILL of the spawned CLI) at each step
 * boundary and in the middle of each backfill, going up and going down (#20
 * item 4). The CLI runs with KONSTRUCT_TEST_STOP_AT (src/engine/test-stop-point.ts):
 * it stops itself right after the unit named there committed, and is killed
 * while stopped. Then:
 *   - at the kill, no session of the run was inside a transaction; once its
 *     backends are gone it left no lock, no INVALID index, and the phase table
 *     says exactly where it stood (K steps; mid-backfill, the cursor of the
 *     batches it committed);
 *   - the next run carries on from there: it reports only the steps after that
 *     point (none redone), and a backfill resumed from its cursor runs no more
 *     batches than the pages from the cursor on, plus one (at most one redone);
 *   - going up, the end state is exactly an uninterrupted run's (catalog and
 *     every row of every table); going down, exactly the state before.
 * The kills are chained: the run that resumes from one point is the one killed
 * at the next, so each point costs one process. The cases run concurrently,
 * each on a database of its own. Operations whose migration is one step with
 * no batches (sql, createTable, a constant-default addColumn, createIndex
 * alone) have no point between two commits: a kill leaves them before or after,
 * except inside an index build, which the last test kills.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import { TEST_STOP_VARIABLE } from '../../src/engine/test-stop-point';
import { readPhaseStates } from '../../src/history/phase-state';
import type { Step } from '../../src/model/migration';
import type { Operation } from '../../src/operations';
import { isBatched } from '../../src/phased/phased-migration';
import { advisoryLockCount, historyNames } from '../support/database-state';
import { startWatchedCli } from '../support/watched-cli';
import { waitUntil } from '../support/wait-until';
import { operations as twinOperations } from './fixtures/006_rbac_roles_operations';
import { operationsDatabase, type OperationsDatabase } from './harness';
import { SEED } from './scenario';

interface Case {
  title: string;
  operations: Operation[];
  /** The migration's name (default 900_operations). */
  name?: string;
  seed?: string;
  /** Its type change rewrites, so it goes through a new column: the new column's fill has batches to kill between. */
  rewrites?: boolean;
}

/** The operation tests' scenarios (test/operations/*.test.ts) that have a point between two commits. */
const CASES: Case[] = [
  {
    title: 'addColumn NOT NULL, filled from email, with a CHECK',
    operations: [{
      addColumn: {
        table: 'portal_users',
        column: { name: 'login', type: 'text', nullable: false, default: `''`, check: { name: 'ck_portal_users_login', constraint: `login <> 'root'` } },
        up: `split_part(email, '@', 1)`,
      },
    }],
  },
  { title: 'renameColumn name -> display_name', operations: [{ renameColumn: { table: 'portal_users', from: 'name', to: 'display_name' } }] },
  {
    title: 'alterColumn: type text, a CHECK, unique',
    operations: [
      { sql: { up: `ALTER TABLE portal_users ADD COLUMN nickname text`, down: 'ALTER TABLE portal_users DROP COLUMN nickname' } },
      {
        alterColumn: {
          table: 'portal_users', column: 'name', type: 'text', fromType: 'varchar(255)', down: 'left(name, 255)',
          check: { name: 'ck_portal_users_name', constraint: `name <> ''` }, unique: { name: 'uq_portal_users_name' },
        },
      },
    ],
  },
  {
    title: 'alterColumn: nullable, then a foreign key on a new column',
    operations: [
      { alterColumn: { table: 'portal_users', column: 'updated_at', nullable: true } },
      { addColumn: { table: 'portal_users', column: { name: 'tenant_id', type: 'uuid' } } },
      { alterColumn: { table: 'portal_users', column: 'tenant_id', references: { name: 'portal_users_tenant_id_fkey', table: 'tenants', column: 'id' } } },
    ],
  },
  {
    title: 'alterColumn: NOT NULL on a column made in the same list',
    operations: [
      { sql: { up: `ALTER TABLE portal_users ADD COLUMN nickname text DEFAULT 'nick'`, down: 'ALTER TABLE portal_users DROP COLUMN nickname' } },
      { alterColumn: { table: 'portal_users', column: 'nickname', nullable: false } },
    ],
  },
  {
    title: 'dropColumn is_admin, restored from name',
    operations: [{ dropColumn: { table: 'portal_users', column: 'is_admin', type: 'boolean', nullable: false, down: `name LIKE 'Admin%'` } }],
    seed: `${SEED}; UPDATE portal_users SET name = 'Admin ' || email WHERE is_admin`,
  },
  {
    title: 'createIndex, then dropIndex',
    operations: [
      { createIndex: { table: 'portal_users', name: 'ix_portal_users_name', columns: ['name'] } },
      { dropIndex: { name: 'ix_portal_users_name', table: 'portal_users', columns: ['name'] } },
    ],
  },
  {
    title: 'dropTable of a table made in the same list',
    operations: [
      { sql: { up: 'CREATE TABLE tenant_notes (note text)', down: 'DROP TABLE tenant_notes' } },
      { dropTable: { table: 'tenant_notes', down: 'CREATE TABLE tenant_notes (note text)' } },
    ],
  },
  {
    title: 'batch: names upper-cased, and back',
    operations: [{
      batch: {
        table: 'portal_users',
        name: 'upper-case seeded names',
        up: `UPDATE portal_users SET name = upper(name) WHERE {pages} AND email LIKE 'seed%' AND name <> upper(name)`,
        down: `UPDATE portal_users SET name = initcap(name) WHERE {pages} AND email LIKE 'seed%' AND name = upper(name)`,
      },
    }],
  },
  { title: '006 as operations (the twin fixture)', operations: twinOperations, name: '006_rbac_roles_operations' },
  {
    // One backfill pass fills display_name and the new column together (issue #20 item 1): killed inside it, the next
    // run asks again which new columns exist before its first batch.
    title: 'renameColumn, then a type change through a new column, on one table',
    operations: [
      { renameColumn: { table: 'portal_users', from: 'name', to: 'display_name' } },
      { alterColumn: { table: 'portal_users', column: 'left_at', type: 'timestamp', fromType: 'timestamptz', up: `left_at AT TIME ZONE 'UTC'`, down: `left_at AT TIME ZONE 'UTC'` } },
    ],
    // The table's last column: the swap leaves it last both ways, so down ends at the catalog before.
    seed: `${SEED}; ALTER TABLE portal_users ADD COLUMN left_at timestamptz NOT NULL DEFAULT now(); UPDATE portal_users SET left_at = '2020-01-03'`,
    rewrites: true,
  },
];

/** A kill point: after K steps, or (batches) inside the batched step standing at K after that many batches. */
interface StopPoint {
  stepsDone: number;
  batches?: number;
}

/** Batches a backfill runs before its kill: one page each (--batch-size 1), so its cursor is then this page. */
const BATCHES_BEFORE_KILL = 2;

const batchedWay = (step: Step, direction: 'up' | 'down') => isBatched(step) && step.batch[direction] !== undefined;

/**
 * A fill of alterColumn's new column (column-swap.ts) runs only where the type change rewrites: on the
 * catalog-only path of these cases it is done at once, so it has no point between two of its batches.
 */
const fillsNewColumn = (step: Step, direction: 'up' | 'down') => step.statements?.[direction].some((s) => s.includes('konstruct_new_')) ?? false;
const killableBatches = (step: Step, direction: 'up' | 'down', rewrites = false) => batchedWay(step, direction) && (rewrites || !fillsNewColumn(step, direction));

/** Going up: each boundary, and inside each backfill after its boundary. */
function upStops(steps: readonly Step[], rewrites?: boolean): StopPoint[] {
  return steps.flatMap((step, i) => [
    ...(i > 0 ? [{ stepsDone: i }] : []),
    ...(killableBatches(step, 'up', rewrites) ? [{ stepsDone: i, batches: BATCHES_BEFORE_KILL }] : []),
  ]);
}

/** Going down from applied, from the last step: inside its batches (it stands at i + 1 meanwhile), then the boundary below it. */
function downStops(steps: readonly Step[], rewrites?: boolean): StopPoint[] {
  return steps
    .map((step, i) => [
      ...(killableBatches(step, 'down', rewrites) ? [{ stepsDone: i + 1, batches: BATCHES_BEFORE_KILL }] : []),
      ...(i > 0 ? [{ stepsDone: i }] : []),
    ])
    .reverse()
    .flat();
}

const pointName = (p: StopPoint) => (p.batches === undefined ? `steps=${p.stepsDone}` : `steps=${p.stepsDone},batches=${p.batches}`);

/** Whether the CLI prints a line when the step finishes this way (run-steps.ts: not for a step with nothing to do). */
const printsLine = (step: Step, direction: 'up' | 'down') => (isBatched(step) ? batchedWay(step, direction) : true) && step.statements?.[direction].length !== 0;

/** The steps a run finishes, from `from` steps applied to `to`, in the order it prints them. */
function stepsFinished(steps: readonly Step[], direction: 'up' | 'down', from: number, to: number): string[] {
  const range = direction === 'up' ? steps.slice(from, to) : steps.slice(to, from).reverse();
  return range.filter((s) => printsLine(s, direction)).map((s) => s.name);
}

/** The step lines of a run's output: `    · [reverted ]<phase>: <step> (<ms>[, N batches, M rows])`. */
function printedSteps(stdout: string): Array<{ step: string; batches?: number }> {
  return [...stdout.matchAll(/^ {4}· (?:reverted )?\w+: (.*) \(([^()]*)\)$/gm)].map((m) => {
    const batches = /(\d+) batch/.exec(m[2]!)?.[1];
    return { step: m[1]!, ...(batches === undefined ? {} : { batches: Number(batches) }) };
  });
}

/** The catalog, and every row of every table but the migration tool's own. */
async function databaseContents(knex: Knex): Promise<{ catalog: string; rows: Record<string, string[]> }> {
  const tables = (await knex.raw(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'
      AND tablename NOT LIKE 'knex_migrations%' AND tablename NOT LIKE 'konstruct_%' ORDER BY 1`)).rows as Array<{ tablename: string }>;
  const rows: Record<string, string[]> = {};
  for (const { tablename } of tables) {
    rows[tablename] = (await knex.raw(`SELECT to_jsonb(t)::text AS r FROM "${tablename}" t ORDER BY 1`)).rows.map((r: { r: string }) => r.r);
  }
  return { catalog: await dumpCatalog(knex), rows };
}

const pagesOf = async (knex: Knex, table: string) =>
  Number((await knex.raw(`SELECT pg_relation_size(?::regclass) / current_setting('block_size')::int AS n`, [table])).rows[0].n);

/**
 * The run's sessions inside a transaction while it is stopped between two units: none
 * but the one holding the migration lock (db/advisory-lock.ts: a transaction-level lock).
 */
async function sessionsInTransaction(knex: Knex): Promise<unknown[]> {
  const { rows } = await knex.raw(`SELECT state, query FROM pg_stat_activity
     WHERE datname = current_database() AND application_name LIKE 'konstruct-migrate%' AND xact_start IS NOT NULL
       AND pid NOT IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND pid IS NOT NULL)`);
  return rows;
}

/** What a killed run must not leave: a lock held by a client session, an INVALID index. */
async function leftovers(knex: Knex): Promise<{ locks: unknown[]; invalidIndexes: unknown[] }> {
  const locks = (await knex.raw(`SELECT l.locktype, l.relation::regclass::text AS relation, l.mode FROM pg_locks l
     JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE a.backend_type = 'client backend' AND l.pid <> pg_backend_pid() AND l.locktype IN ('relation', 'advisory', 'tuple', 'object')
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).rows;
  const invalidIndexes = (await knex.raw(`SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid`)).rows;
  return { locks, invalidIndexes };
}

const processState = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
  } catch {
    return undefined;
  }
};

/**
 * Runs the CLI `args` from where the migration stands to `stop` (or to its end), killed there.
 * Checks what it finished against the steps from `from` on; returns the phase row it left.
 */
async function runTo(h: OperationsDatabase, direction: 'up' | 'down', from: StopPoint, stop: StopPoint | undefined) {
  // --no-check: the safety check before `up` is not under test here, and costs each run time.
  const args = direction === 'up' ? ['up', '--no-check', '--batch-size', '1'] : ['down', '--yes', '--batch-size', '1'];
  const env = { DATABASE_URL: h.db.url, KONSTRUCT_MIGRATIONS_DIR: path.dirname(h.migration.file), [TEST_STOP_VARIABLE]: stop && pointName(stop) };
  const run = startWatchedCli(args, { env });
  let result;
  if (stop) {
    await run.waitForOutput(new RegExp(`${TEST_STOP_VARIABLE}: stopped after committing ${pointName(stop)}\\n`));
    await waitUntil(() => processState(run.pid) === 'T', 'the run to stop itself');
    expect({ at: pointName(stop), inTransaction: await sessionsInTransaction(h.db.knex) }).toEqual({ at: pointName(stop), inTransaction: [] });
    run.kill('SIGKILL');
    result = await run.exited;
    expect(result.signal).toBe('SIGKILL');
    // Its backends see the client gone and end, freeing the migration lock.
    await waitUntil(async () => (await h.db.knex.raw(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'konstruct-migrate%'`)).rows.length === 0, 'the killed run\'s backends to end');
    expect(await advisoryLockCount(h.db.knex)).toBe(0);
    expect({ at: pointName(stop), ...(await leftovers(h.db.knex)) }).toEqual({ at: pointName(stop), locks: [], invalidIndexes: [] });
  } else {
    result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
  }
  const end = stop?.stepsDone ?? (direction === 'up' ? h.steps.length : 0);
  const printed = printedSteps(result.stdout);
  expect({ from: pointName(from), to: stop ? pointName(stop) : 'the end', finished: printed.map((p) => p.step) })
    .toEqual({ from: pointName(from), to: stop ? pointName(stop) : 'the end', finished: stepsFinished(h.steps, direction, from.stepsDone, end) });
  return printed;
}

/** Kills a run at each of `stops` in turn, each resumed by the next run, then lets the last run finish. */
async function killAtEach(h: OperationsDatabase, direction: 'up' | 'down', stops: StopPoint[]): Promise<void> {
  let from: StopPoint = { stepsDone: direction === 'up' ? 0 : h.steps.length };
  let cursor: number | undefined;
  for (const stop of [...stops, undefined]) {
    const printed = await runTo(h, direction, from, stop);
    if (from.batches !== undefined) {
      // The batched step this run resumed: from the saved cursor, one page per batch, to the table's end.
      const resumed = h.steps[direction === 'up' ? from.stepsDone : from.stepsDone - 1]!;
      const batches = printed.find((p) => p.step === resumed.name)?.batches;
      expect(batches, `${resumed.name}: its line after resuming`).toBeTypeOf('number');
      // Every batched step of these cases goes over portal_users.
      expect(batches, `${resumed.name}: batches after resuming at page ${cursor}`).toBeLessThanOrEqual((await pagesOf(h.db.knex, 'portal_users')) - cursor! + 1);
    }
    if (stop) {
      const [state] = await readPhaseStates(h.db.knex);
      const cursorAt = stop.batches === undefined ? null : String(stop.batches);
      expect(state).toMatchObject({ name: h.migration.name, direction, stepsDone: stop.stepsDone, cursor: cursorAt });
      cursor = stop.batches;
      from = stop;
    }
  }
  expect(await readPhaseStates(h.db.knex)).toEqual([]);
  expect((await historyNames(h.db.knex)).includes(h.migration.name)).toBe(direction === 'up');
}

/** Made one at a time: migrating to 005 creates a login role, which is the server's, not the database's. */
let setups: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const done = setups.then(work);
  setups = done.catch(() => undefined);
  return done;
}

describe.concurrent('SIGKILL at each step boundary and mid-backfill, then the next run carries on', () => {
  for (const c of CASES) {
    it(c.title, async () => {
      // CommonJS: each of the many CLI runs then loads it without compiling TypeScript first.
      const source = { commonJs: `exports.operations = ${JSON.stringify(c.operations)};\n` };
      const h = await oneAtATime(() => operationsDatabase('kill', c.name ?? '900_operations', source));
      try {
        await h.db.knex.raw(c.seed ?? SEED);
        const before = await databaseContents(h.db.knex);
        // The end state to reach: an uninterrupted run's (the operations' own tests hold it equal to the plain migration's).
        await up(h.ctx);
        const after = await databaseContents(h.db.knex);
        await down(h.ctx, { yes: true });
        expect(await databaseContents(h.db.knex)).toEqual(before);
        await h.db.knex.raw('VACUUM FULL portal_users'); // the table as compact as seeded: as many pages, as many batches
        await h.ctx.close(); // its idle sessions share the CLI's application_name: they would look like a killed run's

        await killAtEach(h, 'up', upStops(h.steps, c.rewrites));
        expect(await databaseContents(h.db.knex)).toEqual(after);
        await killAtEach(h, 'down', downStops(h.steps, c.rewrites));
        expect(await databaseContents(h.db.knex)).toEqual(before);
      } finally {
        await h.close();
      }
    }, 300_000);
  }
});

/**
 * Inside a step rather than between two: an index build (CONCURRENTLY, outside a
 * transaction) killed while it waits for a writer leaves an INVALID index, which
 * the next run drops and builds again: none is left behind.
 */
it('SIGKILL in the middle of CREATE INDEX CONCURRENTLY: the next run builds it again, valid, and leaves no INVALID index', async () => {
  const operations: Operation[] = [{ createIndex: { table: 'portal_users', name: 'ix_portal_users_created_at', columns: ['created_at'] } }];
  const h = await oneAtATime(() => operationsDatabase('killbuild', '900_operations', { commonJs: `exports.operations = ${JSON.stringify(operations)};\n` }));
  try {
    await h.ctx.close();
    await h.db.knex.raw(SEED);
    const env = { DATABASE_URL: h.db.url, KONSTRUCT_MIGRATIONS_DIR: path.dirname(h.migration.file) };
    // A writer's open transaction: the build waits for it once its INVALID index is in the catalog.
    const writer = await h.db.knex.transaction();
    await writer.raw(`UPDATE portal_users SET name = name WHERE email = 'seed0001@x'`);
    const run = startWatchedCli(['up', '--no-check', '--lock-timeout', '0'], { env });
    await waitUntil(async () => (await h.db.knex.raw(`SELECT 1 FROM pg_stat_progress_create_index WHERE relid = 'portal_users'::regclass AND phase = 'waiting for writers before build'`)).rows.length > 0, 'the build to wait for the writer');
    run.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    // Its backend notices the client gone while it waits (client_connection_check_interval) and ends.
    await waitUntil(async () => (await h.db.knex.raw(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'konstruct-migrate%'`)).rows.length === 0, 'the killed run\'s backends to end');
    await writer.commit();
    expect((await leftovers(h.db.knex)).invalidIndexes).toEqual([{ name: 'ix_portal_users_created_at' }]);
    expect(await readPhaseStates(h.db.knex)).toEqual([]);

    const resumed = await startWatchedCli(['up', '--no-check'], { env }).exited;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await leftovers(h.db.knex)).toEqual({ locks: [], invalidIndexes: [] });
    expect(await historyNames(h.db.knex)).toContain('900_operations');
    expect(await dumpCatalog(h.db.knex)).toContain('CREATE INDEX ix_portal_users_created_at ON public.portal_users USING btree (created_at);');
  } finally {
    await h.close();
  }
}, 120_000);
