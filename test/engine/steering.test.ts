/**
 * Steering a running backfill from another process (#22 items 4 and 6): the
 * CLI runs `up`, and `steer` (another process) pauses, resumes and resizes it.
 * A pause holds the backfill within the batch that was running when it was
 * set, and while paused the run holds no table lock and no transaction with a
 * snapshot or an xid; a run killed while paused leaves the cursor where it was,
 * and the next run, paused too until resumed, carries on from there.
 *
 * The backfill's batches can be held by the test: each takes a shared advisory
 * lock (4242) in its transaction, so while the test holds it exclusively the
 * next batch waits, and the test knows exactly how many have committed. Nothing
 * is asserted on time; every wait is for a condition.
 */
import os from 'node:os';
import { Client } from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextSize } from '../../src/engine/batch-sizer';
import { runCli } from '../support/cli';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';
import { startWatchedCli, type WatchedCli } from '../support/watched-cli';

const BLOCKER_KEY = 4242;

/** `rows` rows, and a log of every committed batch: the rows it covered and the size it was given. */
const TABLE = (rows: number) =>
  sqlMigration(
    `CREATE TABLE things (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO things (id) SELECT generate_series(1, ${rows});
     CREATE TABLE batch_log (k serial PRIMARY KEY, first int NOT NULL, last int NOT NULL, size int NOT NULL)`,
    'DROP TABLE things; DROP TABLE batch_log',
  );

/** Each batch: wait while the test holds the blocker, take at least 2 ms (a floor for the resize test), add 1 to n of its rows, log itself. */
const PHASED = (rows: number) => `const fill = async (knex, cursor, size) => {
  const from = Number(cursor ?? 0);
  const to = Math.min(from + size, ${rows});
  await knex.raw('SELECT pg_advisory_xact_lock_shared(${BLOCKER_KEY}), pg_sleep(0.002)');
  await knex.raw('WITH f AS (UPDATE things SET n = n + 1 WHERE id > ? AND id <= ?) INSERT INTO batch_log (first, last, size) VALUES (?, ?, ?)', [from, to, from + 1, to, size]);
  return { next: to >= ${rows} ? null : String(to), rows: to - from };
};
exports.phases = [{ phase: 'backfill', name: 'fill n', batch: { up: fill } }];`;

let db: TestDatabase;
let folder: TempMigrations;
let blocker: Client;
const running: WatchedCli[] = [];

async function setUp(rows: number): Promise<void> {
  folder = tempMigrations({ '001_things': TABLE(rows), '002_fill': PHASED(rows) });
  db = await createTestDatabase('steering');
  blocker = new Client({ connectionString: db.url });
  await blocker.connect();
  expect((await cli('up', '--to', '001')).code).toBe(0);
}

beforeEach(() => {
  running.length = 0;
});
afterEach(async () => {
  for (const run of running) run.kill('SIGKILL');
  await blocker?.end().catch(() => {});
  await db?.drop();
  folder?.remove();
});
afterAll(() => folder?.remove());

const env = () => ({ DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: folder.dir });
const cli = (...args: string[]) => runCli(args, { env: env() });

/**
 * `up` of the backfill, its first batch held by the test (holdBatches) until released;
 * it waits for the blocker indefinitely (--lock-timeout 0) rather than retrying.
 */
async function startHeldUp(...args: string[]): Promise<WatchedCli> {
  await blocker.query(`SELECT pg_advisory_lock(${BLOCKER_KEY})`);
  const run = startWatchedCli(['up', '--no-check', '--lock-timeout', '0', ...args], { env: env() });
  running.push(run);
  await batchWaiting();
  return run;
}

const committedBatches = async () => Number((await db.knex('batch_log').count({ n: '*' }))[0]!.n);
const batchSizes = async () => db.knex('batch_log').orderBy('k').pluck('size') as Promise<number[]>;

/** Holds the next batch: once this returns, a batch waits for the blocker and no other can start. */
async function holdBatches(): Promise<void> {
  await blocker.query(`SELECT pg_advisory_lock(${BLOCKER_KEY})`); // waits for the batch in flight to commit
  await batchWaiting();
}

async function batchWaiting(): Promise<void> {
  await waitUntil(async () => {
    const { rows } = await db.knex.raw(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = ${BLOCKER_KEY}
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return rows.length > 0;
  }, 'a batch to wait for the blocker');
}

const releaseBatches = () => blocker.query(`SELECT pg_advisory_unlock(${BLOCKER_KEY})`);

/** Where the phase table says the backfill stands. */
async function savedPosition(): Promise<{ cursor: string | null; rows_done: string }> {
  return (await db.knex('konstruct_migration_phases').where({ name: '002_fill' }).first('cursor', 'rows_done'))!;
}

/** Every row covered exactly once, by batches that follow each other: the end state of a backfill that never redid or skipped a row. */
async function expectExactEnd(rows: number): Promise<void> {
  expect(await db.knex('things').whereNot({ n: 1 }).count({ n: '*' })).toEqual([{ n: '0' }]);
  const log = await db.knex('batch_log').orderBy('first').select('first', 'last');
  expect(log[0].first).toBe(1);
  expect(log.at(-1).last).toBe(rows);
  for (let i = 1; i < log.length; i++) expect(log[i].first).toBe(log[i - 1].last + 1);
  expect(await db.knex('knex_migrations').orderBy('id').pluck('name')).toEqual(['001_things', '002_fill']);
  // Forgotten once the migration reached its end, like the phase table.
  expect((await db.knex.raw(`SELECT to_regclass('konstruct_migration_steering') AS steering, to_regclass('konstruct_migration_phases') AS phases`)).rows[0]).toEqual({
    steering: null,
    phases: null,
  });
}

/**
 * What each session of the run (application_name konstruct-migrate...) holds, in one look:
 * its state, backend_xid, backend_xmin, the relations it has locked outside
 * pg_catalog, and whether it holds the migration lock.
 */
async function runSessions() {
  const { rows } = await db.knex.raw(
    `SELECT a.pid, a.state, a.backend_xid::text AS xid, a.backend_xmin::text AS xmin,
            coalesce((SELECT array_agg(c.relname::text ORDER BY 1) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                       WHERE l.pid = a.pid AND l.locktype = 'relation' AND c.relnamespace <> 'pg_catalog'::regnamespace), '{}') AS relations,
            EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted) AS holds_migration_lock
       FROM pg_stat_activity a
      WHERE a.datname = current_database() AND a.application_name LIKE 'konstruct-migrate%' AND a.pid <> pg_backend_pid()`,
  );
  return rows as Array<{ pid: number; state: string; xid: string | null; xmin: string | null; relations: string[]; holds_migration_lock: boolean }>;
}

/**
 * While paused, looked at ten times: the migration lock's session is idle in a
 * transaction with no xid and no snapshot, and locks no relation of the schema
 * (only the system views it read to take and check the lock); every other
 * session of the run is idle and holds nothing, except for the instant of the
 * gate's poll, which reads (and only reads) konstruct_migration_steering.
 */
async function expectHoldingNothing(): Promise<void> {
  let looks = 0;
  await waitUntil(async () => {
    const sessions = await runSessions();
    const lock = sessions.filter((s) => s.holds_migration_lock);
    expect(lock).toHaveLength(1);
    // 'active' only for the instant of its heartbeat (a SELECT 1 every 10 s).
    if (lock[0]!.state !== 'active') expect(lock[0]).toMatchObject({ state: 'idle in transaction', xid: null, xmin: null, relations: [] });
    for (const s of sessions.filter((x) => !x.holds_migration_lock)) {
      expect(s.xid).toBeNull();
      expect(s.relations.filter((r) => !r.startsWith('konstruct_migration_steering'))).toEqual([]);
      if (s.state !== 'active') expect(s).toMatchObject({ state: 'idle', xmin: null, relations: [] });
    }
    return ++looks >= 10;
  }, 'ten looks at the paused run');
}

describe('steer from another process', () => {
  it('refuses when nothing stands part-way (exit 2, one line), and a command line with nothing to do', async () => {
    await setUp(10);
    const refused = await cli('steer', '--pause');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: nothing to steer: no migration stands part-way\n {2}.*steer 006 --pause.*Nothing was changed\.\n$/);
    const json = JSON.parse((await cli('steer', '--resume', '--json')).stdout);
    expect(json).toMatchObject({ command: 'steer', ok: false, exitCode: 2, error: { type: 'TargetError' } });
    expect((await cli('steer')).stderr).toMatch(/^error: nothing to do: give --pause, --resume or --batch-time <ms>/);
    expect((await db.knex.raw(`SELECT to_regclass('konstruct_migration_steering') AS t`)).rows[0].t).toBeNull();
  });

  it('pause: the batch running then commits, no other; the run says who paused it and holds nothing; status shows it; resume: it finishes, exactly', async () => {
    const rows = 20_000;
    await setUp(rows);
    const run = await startHeldUp('--batch-size', '50');
    await releaseBatches();
    await waitUntil(async () => (await committedBatches()) >= 3, 'three batches');
    await holdBatches();
    const before = await committedBatches();

    const paused = await cli('steer', '--pause', '--reason', 'peak traffic');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^002_fill: paused by .+ \(peak traffic\)\.\n {2}The running konstruct-migrate up .* waits before its next batch/);
    await releaseBatches();
    await run.waitForOutput(/‖ fill n: paused by/);
    const me = `${os.userInfo().username}@${os.hostname()}`;
    expect(run.output()).toContain(`fill n: paused by ${me} (role ${new URL(db.url).username}, konstruct-migrate, `);
    expect(run.output()).toMatch(/\(peak traffic\) — waiting; `konstruct-migrate steer --resume`/);
    // The batch that was waiting committed; no other started.
    expect(await committedBatches()).toBe(before + 1);
    const position = await savedPosition();
    expect(Number(position.rows_done)).toBe((before + 1) * 50);

    await expectHoldingNothing();

    const status = await cli('status', '--json');
    const fill = JSON.parse(status.stdout).result.migrations.find((m: { name: string }) => m.name === '002_fill');
    expect(fill).toMatchObject({
      state: 'backfilling',
      steering: { paused: true, reason: 'peak traffic', pausedBy: { os: me, role: new URL(db.url).username, application: 'konstruct-migrate' }, batchTimeMs: null },
    });
    expect(Date.parse(fill.steering.pausedAt)).not.toBeNaN();
    expect((await cli('status')).stdout).toContain(`  Paused: paused by ${me}`);
    // Still where it stood after all that.
    expect(await savedPosition()).toEqual(position);
    expect(await committedBatches()).toBe(before + 1);

    const resumed = await cli('steer', '--resume');
    expect(resumed.stdout).toMatch(/^002_fill: resumed\.\n {2}The running konstruct-migrate up .* carries on with its next batch\./);
    const result = await run.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`▸ fill n: resumed by ${me} after `));
    await expectExactEnd(rows);
  });

  it('resize: a tiny target batch time shrinks the batches to the floor, a large one grows them, each said once', async () => {
    const rows = 200_000;
    await setUp(rows);
    const run = await startHeldUp('--batch-size', '1000000', '--batch-time', '50');
    expect((await cli('steer', '002', '--batch-time', '1')).code).toBe(0);
    await releaseBatches();
    await waitUntil(async () => (await batchSizes()).includes(100), 'batches at the floor of 100 rows');
    await holdBatches();
    expect((await cli('steer', '--batch-time', '60000')).code).toBe(0);
    await releaseBatches();
    const result = await run.exited;
    expect(result.code).toBe(0);
    expect(result.stdout.match(/target batch time 1 ms \(was 50 ms\)/g)).toHaveLength(1);
    expect(result.stdout.match(/target batch time 60000 ms \(was 1 ms\)/g)).toHaveLength(1);

    // Each batch takes more than 1 ms and far less than 60 s: the sizes follow the rule exactly.
    const sizes = await batchSizes();
    const shrinking = [1_000];
    while (shrinking.at(-1)! > 100) shrinking.push(nextSize(shrinking.at(-1)!, 2, 1, 100, 1_000_000));
    expect(sizes.slice(0, shrinking.length)).toEqual(shrinking); // 1000 (held while it was steered), 800, 640, ... 100
    const firstGrown = sizes.indexOf(110);
    expect(firstGrown).toBeGreaterThan(shrinking.length);
    expect(sizes.slice(shrinking.length, firstGrown).every((s) => s === 100)).toBe(true);
    const growing = sizes.slice(firstGrown - 1);
    growing.slice(1).forEach((size, i) => expect(size).toBe(nextSize(growing[i]!, 2, 60_000, 100, 1_000_000)));
    expect(growing.length).toBeGreaterThan(10);
    await expectExactEnd(rows);
  });

  it('SIGKILL while paused: the cursor stays; the next up waits paused, saying so (SIGTERM ends it at once); after --resume, up carries on from the cursor, exactly', async () => {
    const rows = 2_000;
    await setUp(rows);
    const first = await startHeldUp('--batch-size', '50');
    expect((await cli('steer', '002_fill', '--pause')).code).toBe(0); // nothing committed yet: named
    await releaseBatches();
    await first.waitForOutput(/‖ fill n: paused by/);
    const position = await savedPosition();
    expect(position).toEqual({ cursor: '50', rows_done: '50' });
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    await waitUntil(async () => (await runSessions()).length === 0, "the killed run's sessions to end");
    expect(await savedPosition()).toEqual(position);

    // Paused while nothing ran: the next run waits, and says why.
    const second = startWatchedCli(['up', '--no-check', '--batch-size', '50'], { env: env() });
    running.push(second);
    await second.waitForOutput(/‖ fill n: paused by .* — waiting; `konstruct-migrate steer --resume`/);
    second.kill('SIGTERM');
    const interrupted = await second.exited;
    expect(interrupted.code).toBe(143);
    expect(interrupted.stderr).toBe(
      'interrupted by SIGTERM: 002_fill was rolled back to where it stood before this run. Run `konstruct-migrate up` to carry on; ' +
        '`konstruct-migrate status` shows where it stands. It stays paused: `konstruct-migrate steer --resume` lets the next run carry on.\n',
    );
    expect(await savedPosition()).toEqual(position);

    expect((await cli('steer', '--resume')).stdout).toBe('002_fill: resumed.\n  No run is active: the next run carries it on (`konstruct-migrate status` says which command).\n');
    const third = await runCli(['up', '--no-check', '--batch-size', '50'], { env: env() });
    expect(third.code, third.stderr).toBe(0);
    await expectExactEnd(rows);
    expect(await batchSizes()).toHaveLength(rows / 50);
  });
});
