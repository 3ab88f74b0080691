/**
 * The health throttle against a real streaming standby on localhost (issue #22
 * items 3 and 6): while the standby's replay is paused, the backfill stops
 * within one batch of the lag passing --max-replica-lag, says so, and carries
 * on once replay resumes; killed while held, the next `up` carries on from the
 * saved cursor. The end state is exact: every row changed exactly once.
 *
 * Each batch notes, in its own transaction (so only committed batches count),
 * when it started and ended on the primary's clock, the WAL position it reached
 * and its range of ids. No timing is asserted: "within one batch" is counted
 * from those notes, against the moment the primary's WAL first went past what
 * the paused standby had replayed.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchGateContext } from '../../src/engine/batch-gate';
import { fixedBatchSizer } from '../../src/engine/batch-sizer';
import { readHealthSample } from '../../src/db/health-sample';
import { healthThrottle } from '../../src/engine/health-throttle';
import type { StepEvent } from '../../src/engine/step-events';
import { runCli } from '../support/cli';
import { skipWithout, skipWithoutScript } from '../support/required-tool';
import { standbyToolsMissing, startStreamingStandby, type StreamingStandby } from '../support/streaming-standby';
import { tempMigrations, type TempMigrations } from '../support/temp-migrations';
import { withDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';
import { startWatchedCli } from '../support/watched-cli';

const ROWS = 1_200;
const BATCH_ROWS = 20;
const LIMIT_SECONDS = 0.5;

const TABLE = `exports.up = (knex) => knex.raw(\`
  CREATE TABLE things (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
  INSERT INTO things (id) SELECT generate_series(1, ${ROWS});
  CREATE TABLE batch_log (k serial PRIMARY KEY, first_id int, last_id int, started timestamptz, ended timestamptz, lsn pg_lsn)\`);
exports.down = (knex) => knex.raw('DROP TABLE things, batch_log');`;

// The pg_sleep gives each batch a duration well above a busy machine's scheduling noise, so that
// "at most one batch" is about the engine's gate, not about how soon the test's process ran.
const PHASED = `exports.phases = [{ phase: 'backfill', name: 'fill n', batch: { up: async (knex, cursor, size) => {
  const from = Number(cursor ?? 0);
  const to = Math.min(from + size, ${ROWS});
  const started = (await knex.raw('SELECT clock_timestamp() AS t')).rows[0].t;
  await knex.raw('SELECT pg_sleep(0.05)');
  await knex.raw('UPDATE things SET n = n + 1 WHERE id > ? AND id <= ?', [from, to]);
  await knex.raw('INSERT INTO batch_log (first_id, last_id, started, ended, lsn) VALUES (?, ?, ?, clock_timestamp(), pg_current_wal_lsn())', [from + 1, to, started]);
  return { next: to >= ${ROWS} ? null : String(to), rows: to - from };
} } }];`;

const ARGS = ['up', '--json', '--no-check', '--batch-size', String(BATCH_ROWS), '--batch-time', '60000', '--max-replica-lag', String(LIMIT_SECONDS)];

const missing = standbyToolsMissing();
const withoutScript = skipWithoutScript();

// Each test runs a backfill of 60 batches of at least 50 ms, a hold, and a CLI or two: more than the default 60 s on a busy machine.
describe.skipIf(skipWithout('a streaming standby (pg_basebackup of the embedded server’s major)', missing))('the health throttle with a streaming standby', { timeout: 180_000 }, () => {
  let cluster: StreamingStandby;
  let admin: Knex;
  let folder: TempMigrations;
  const databases: Knex[] = [];

  beforeAll(async () => {
    // Archiving on, archive_command succeeding: no backlog until a test makes it fail.
    cluster = await startStreamingStandby({
      label: 'throttle',
      settings: { archive_mode: 'on' },
      alterSystem: { archive_command: 'true' },
      // pg_stat_replication.replay_lag changes only when the standby reports, every 10 s by default when no WAL
      // arrives: a backfill held on the lag, with replay resumed, waited up to 10 s to see it gone. The rule under
      // test is the same whenever the report comes; 1 s makes the waits short.
      standbySettings: { wal_receiver_status_interval: '1s' },
    });
    admin = knexFactory({ client: 'pg', connection: cluster.primaryUrl, pool: { min: 0, max: 1 } });
    folder = tempMigrations({ '001_things': TABLE, '002_fill': PHASED });
  });
  afterAll(async () => {
    await Promise.all(databases.map((k) => k.destroy()));
    await admin?.destroy();
    await cluster?.stop();
    folder?.remove();
  });

  /** A database of its own on the primary: its URL for the CLI and a connection for the test. */
  async function database(name: string): Promise<{ url: string; knex: Knex }> {
    await admin.raw(`CREATE DATABASE ${name}`);
    const url = withDatabase(cluster.primaryUrl, name);
    const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
    databases.push(knex);
    return { url, knex };
  }

  const start = (url: string, args = ARGS, terminal = false) =>
    startWatchedCli(args, { env: { DATABASE_URL: url, KONSTRUCT_MIGRATIONS_DIR: folder.dir }, timeoutMs: 120_000, terminal });
  const batchesDone = async (knex: Knex) => Number((await knex.raw('SELECT count(*) AS c FROM batch_log')).rows[0].c);
  const tableExists = async (knex: Knex) => (await knex.raw(`SELECT to_regclass('batch_log') IS NOT NULL AS e`)).rows[0].e as boolean;

  /** Pauses the standby's replay once the backfill is under way; resolves to the position it stands at. */
  async function pauseMidBackfill(knex: Knex): Promise<string> {
    await waitUntil(async () => (await tableExists(knex)) && (await batchesDone(knex)) >= 5, 'the backfill to commit 5 batches');
    await cluster.pauseReplay();
    return cluster.replayLsn();
  }

  /** Every row changed exactly once, by batches covering 1..ROWS in order, each once. */
  async function expectExactEndState(knex: Knex): Promise<void> {
    expect((await knex.raw('SELECT n, count(*)::int AS c FROM things GROUP BY n')).rows).toEqual([{ n: 1, c: ROWS }]);
    const ranges = (await knex.raw('SELECT first_id, last_id FROM batch_log ORDER BY first_id')).rows as Array<{ first_id: number; last_id: number }>;
    ranges.forEach((r, i) => expect(r.first_id, `batch ${i + 1}`).toBe(i === 0 ? 1 : ranges[i - 1]!.last_id + 1));
    expect(ranges[ranges.length - 1]!.last_id).toBe(ROWS);
  }

  it('a paused replay stops the backfill within one batch of the lag passing the limit; it carries on when replay resumes', async () => {
    const { url, knex } = await database('throttle_pause');
    const run = start(url);
    const pausedAt = await pauseMidBackfill(knex);
    await run.waitForOutput(/⏸ fill n: held before its next batch: replica "konstruct-standby-\w+" \(127\.0\.0\.1\) replays [\d.]+ s behind, limit 0\.5 s/);

    // Held: let the primary's clock run well past the limit before replay resumes (a wait, not an assertion).
    const { rows } = await knex.raw(`SELECT min(ended) AS passed FROM batch_log WHERE lsn > ?::pg_lsn`, [pausedAt]);
    const walPassedStandby: Date = rows[0].passed;
    expect(walPassedStandby).toBeInstanceOf(Date);
    await waitUntil(async () => (await knex.raw(`SELECT clock_timestamp() > ?::timestamptz + interval '2 s' AS late`, [walPassedStandby])).rows[0].late, 'the hold to last 2 s');
    const resumedAt: Date = (await knex.raw('SELECT clock_timestamp() AS t')).rows[0].t;
    await cluster.resumeReplay();

    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    // Batches that started once the lag had passed the limit, until replay resumed: the gate lets none start,
    // so at most the one that was running when the lag crossed it (its look came just before the crossing).
    const late = await knex.raw(
      `SELECT count(*)::int AS c FROM batch_log WHERE started > ?::timestamptz + make_interval(secs => ?) AND started < ?::timestamptz`,
      [walPassedStandby, LIMIT_SECONDS, resumedAt],
    );
    expect(late.rows[0].c).toBeLessThanOrEqual(1);
    const doc = JSON.parse(result.stdout);
    // The hold of the paused replay, the longest (a busy machine may add a short one before the pause).
    const longest = [...doc.result.throttled].sort((a, b) => b.waitedMs - a.waitedMs)[0];
    expect(longest).toEqual({ migration: '002_fill', step: 'fill n', reason: 'replica-lag', detail: expect.stringContaining(`replica "${cluster.applicationName}"`), waitedMs: expect.any(Number) });
    expect(longest.waitedMs).toBeGreaterThan(1_000);
    expect(result.stderr).toMatch(/▶ fill n: held [\d.]+ (ms|s) \(replica .* behind, limit 0\.5 s\); carrying on/);
    await expectExactEndState(knex);
  });

  it.skipIf(withoutScript)('on a terminal, the live line says it is held, why and for how long', async () => {
    const { url, knex } = await database('throttle_terminal');
    const run = start(url, ARGS.filter((a) => a !== '--json'), true);
    await pauseMidBackfill(knex);
    await run.waitForOutput(/applying 002_fill {2}[\d.]+ m?s {2}held [1-9][\d.]* s: replica "konstruct-standby-\w+" \(127\.0\.0\.1\) replays [\d.]+ s behind, limit 0\.5 s/);
    await cluster.resumeReplay();
    const result = await run.exited;
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/▶ fill n: held [\d.]+ s \(replica .* behind, limit 0\.5 s\); carrying on/);
    expect(result.stdout).not.toContain('⏸'); // the live line says it instead
  });

  it('killed (SIGKILL) while held, the next up carries on from the saved cursor to the exact end state', async () => {
    const { url, knex } = await database('throttle_kill');
    const run = start(url);
    await pauseMidBackfill(knex);
    await run.waitForOutput(/⏸ fill n: held before its next batch/);
    const committed = await batchesDone(knex);
    run.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    // What the killed run committed is all there is: whole batches, no row of a batch that did not commit.
    expect(await batchesDone(knex)).toBe(committed);
    const changed = Number((await knex.raw('SELECT count(*) AS c FROM things WHERE n = 1')).rows[0].c);
    expect(changed).toBe(Number((await knex.raw('SELECT max(last_id) AS m FROM batch_log')).rows[0].m));
    expect(changed).toBeLessThan(ROWS);

    await cluster.resumeReplay();
    // The killed run's session may linger a moment and hold the migration lock: up waits for it (--lock-wait).
    const again = await runCli(ARGS, { env: { DATABASE_URL: url, KONSTRUCT_MIGRATIONS_DIR: folder.dir }, timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).result.migrations.map((m: { name: string }) => m.name)).toEqual(['002_fill']);
    await expectExactEndState(knex);
    // It carried on from the cursor: the first batch of the second run starts right after the last of the first.
    expect((await knex.raw('SELECT first_id FROM batch_log ORDER BY k OFFSET ? LIMIT 1', [committed])).rows[0].first_id).toBe(changed + 1);
  });

  it('SIGTERM while held: exit 143 at once, and the line says what the batches before committed', async () => {
    const { url, knex } = await database('throttle_term');
    const run = start(url);
    await pauseMidBackfill(knex);
    await run.waitForOutput(/⏸ fill n: held before its next batch/);
    const rows = Number((await knex.raw('SELECT max(last_id) AS m FROM batch_log')).rows[0].m);
    run.kill('SIGTERM');
    const result = await run.exited;
    expect(result.code).toBe(143);
    // The holds' events commit nothing: the line names the last batch that did.
    expect(result.stderr).toContain(
      `\ninterrupted by SIGTERM: 002_fill stands part-way after "fill n" covered ${rows.toLocaleString('en-US')} rows (held by the health throttle between two batches: nothing was running); ` +
        '001_things stays applied. Run `konstruct-migrate up` to carry it on; `konstruct-migrate status` shows where it stands.\n',
    );
    await cluster.resumeReplay();
  });

  it('WAL waiting to be archived holds the backfill from its first batch; it carries on once archiving catches up', async () => {
    const { url, knex } = await database('throttle_archive');
    await admin.raw(`ALTER SYSTEM SET archive_command = 'false'`);
    await admin.raw('SELECT pg_reload_conf()');
    // Five complete segments that cannot be archived (a switch needs some WAL written since the last one).
    await knex.raw('CREATE TABLE wal_filler (n int)');
    for (let i = 0; i < 5; i++) await knex.raw('INSERT INTO wal_filler VALUES (1); SELECT pg_switch_wal()');
    const run = start(url, [...ARGS.slice(0, -2), '--max-replica-lag', '0', '--max-archive-backlog', '2']);
    await run.waitForOutput(/⏸ fill n: held before its next batch: \d+ WAL segments wait to be archived, limit 2/);
    expect(await batchesDone(knex)).toBe(0);
    await admin.raw(`ALTER SYSTEM SET archive_command = 'true'`);
    await admin.raw('SELECT pg_reload_conf()');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).result.throttled).toEqual([
      { migration: '002_fill', step: 'fill n', reason: 'archive-backlog', detail: expect.stringMatching(/^\d+ WAL segments wait to be archived, limit 2$/), waitedMs: expect.any(Number) },
    ]);
    await expectExactEndState(knex);
  });

  /** The gate alone, on `knex`, with a clock that never moves (so nothing is "idle" for a second). */
  async function askGate(knex: Knex, times: number): Promise<{ looks: number; events: StepEvent[] }> {
    const events: StepEvent[] = [];
    const gate = healthThrottle({ maxReplicaLagMs: 60_000, maxArchiveBacklog: 0 }, { now: () => 0, sleep: async () => {} });
    const context: BatchGateContext = { knex, migration: '002_fill', step: 'fill n', sizer: fixedBatchSizer(10), onStep: (e) => events.push(e) };
    let looks = 0;
    const count = () => looks++;
    knex.on('query', count);
    try {
      for (let i = 0; i < times; i++) await gate.beforeBatch(context);
    } finally {
      knex.off('query', count);
    }
    return { looks, events };
  }

  it('with a replica attached, the gate looks before every batch: one statement each', async () => {
    const { knex } = await database('throttle_looks');
    expect(await askGate(knex, 3)).toEqual({ looks: 3, events: [] });
  });

  it('the look reads the functions under pg_stat_replication, and sees each replica as the view shows it', async () => {
    const { knex } = await database('throttle_view');
    // Replay paused, then WAL written and received: the standby's sent, written and replayed positions now differ.
    await cluster.pauseReplay();
    try {
      await knex.raw('CREATE TABLE view_filler AS SELECT generate_series(1, 1000) AS n');
      const fromView = async () =>
        (await knex.raw(
          `SELECT pid, application_name AS "applicationName", host(client_addr) AS "clientAddr", state, replay_lsn::text AS "replayLsn",
                  replay_lsn < flush_lsn AS behind, replay_lag IS NOT NULL AS "hasLag" FROM pg_stat_replication ORDER BY pid`,
        )).rows as Array<{ behind: boolean; hasLag: boolean }>;
      await waitUntil(async () => (await fromView()).every((r) => r.behind), 'the standby to receive WAL it does not replay');
      const look = (await readHealthSample(knex, { replicas: true, archiver: false })).replicas;
      expect(look.map(({ replayLagSeconds, ...r }) => ({ ...r, hasLag: replayLagSeconds !== null }))).toEqual(
        (await fromView()).map(({ behind, ...r }) => r),
      );
      expect(look).toHaveLength(1);
    } finally {
      await cluster.resumeReplay();
    }
  });

  it('a role that may not see the replicas’ positions is told so once, and is not held; with pg_monitor it sees them', async () => {
    const { url } = await database('throttle_role');
    await admin.raw(`CREATE ROLE throttle_deploy LOGIN PASSWORD 'throttle-pw'`);
    const u = new URL(url);
    u.username = 'throttle_deploy';
    u.password = 'throttle-pw';
    const knex = knexFactory({ client: 'pg', connection: u.toString(), pool: { min: 0, max: 1 } });
    databases.push(knex);
    const blind = await askGate(knex, 3);
    expect(blind.looks).toBe(3);
    expect(blind.events).toEqual([
      { type: 'health-unseen', reason: 'replica-lag', detail: expect.stringMatching(/^replica lag cannot be seen: .*role "throttle_deploy" is neither, so the backfill is not throttled on replica lag$/) },
    ]);
    await admin.raw('GRANT pg_monitor TO throttle_deploy');
    expect((await askGate(knex, 1)).events).toEqual([]);
  });
});
