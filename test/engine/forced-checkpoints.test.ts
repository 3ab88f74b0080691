/**
 * A backfill step whose WAL forced checkpoints says so (src/db/checkpoint-counter.ts,
 * docs/production-safety.md#a-big-backfill-and-max_wal_size): a `note:` line on
 * stderr and `checkpoints` in the --json document, with the checkpoints requested
 * and the WAL written while it ran; a step that wrote too little for that says nothing.
 *
 * On a server of its own with max_wal_size 32MB (a checkpoint starts after ~17 MB),
 * so no other test's checkpoint or WAL counts. The step's first batch is held by the
 * test (an advisory lock, as in steering.test.ts) while the test writes the WAL and
 * waits for a requested checkpoint to be counted: nothing depends on timing.
 */
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointsBetween, readCheckpoints, type CheckpointReading } from '../../src/db/checkpoint-counter';
import { runCli } from '../support/cli';
import { startNewestMajorServer } from '../support/newest-major-server';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';
import { startThrowawayServer, type ThrowawayServer } from '../support/throwaway-server';
import { waitUntil } from '../support/wait-until';
import { startWatchedCli } from '../support/watched-cli';
import knexFactory from 'knex';

const BLOCKER_KEY = 4343;
const MB = 2 ** 20;

const reading = (over: Partial<CheckpointReading>): CheckpointReading => ({ requested: 5, walBytes: 100 * MB, maxWalSize: '1GB', distanceBytes: 540 * MB, ...over });

describe('checkpointsBetween', () => {
  it('is the checkpoints requested and the WAL written, when that WAL was past the distance that starts one', () => {
    expect(checkpointsBetween(reading({}), reading({ requested: 8, walBytes: 800 * MB }))).toEqual({ requested: 3, walBytes: 700 * MB, maxWalSize: '1GB' });
  });

  it('is nothing when no checkpoint was requested, or the statistics were reset', () => {
    expect(checkpointsBetween(reading({}), reading({ walBytes: 2000 * MB }))).toBeUndefined();
    expect(checkpointsBetween(reading({}), reading({ requested: 1, walBytes: 2000 * MB }))).toBeUndefined();
  });

  it('is nothing when the WAL written could not have asked for one (a CHECKPOINT or a base backup did)', () => {
    expect(checkpointsBetween(reading({}), reading({ requested: 6, walBytes: 640 * MB }))).toBeUndefined();
    expect(checkpointsBetween(reading({}), reading({ requested: 6, walBytes: 641 * MB }))).toEqual({ requested: 1, walBytes: 541 * MB, maxWalSize: '1GB' });
  });
});

/** A requested checkpoint, counted: CHECKPOINT, then until the counter moved (the checkpointer reports it after it finished). */
async function requestCheckpoint(url: string): Promise<void> {
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    const before = (await readCheckpoints(knex)).requested;
    await knex.raw('CHECKPOINT');
    await waitUntil(async () => (await readCheckpoints(knex)).requested > before, 'the requested checkpoint to be counted');
  } finally {
    await knex.destroy();
  }
}

describe('readCheckpoints', () => {
  it('counts a requested checkpoint on PostgreSQL 18 too (pg_stat_checkpointer since 17)', async () => {
    const server = await startNewestMajorServer();
    try {
      await requestCheckpoint(server.url);
    } finally {
      await server.stop();
    }
  });
});

describe('a backfill step whose WAL forced checkpoints', () => {
  let server: ThrowawayServer;
  let folder: TempMigrations;
  let n = 0;

  beforeAll(async () => {
    server = await startThrowawayServer({ label: 'checkpoints', settings: { fsync: 'off', max_wal_size: '32MB', checkpoint_completion_target: '0.9' } });
    folder = tempMigrations({
      '001_things': sqlMigration(`CREATE TABLE things (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO things (id) SELECT generate_series(1, 100)`, 'DROP TABLE things'),
      '002_fill': `exports.phases = [{ phase: 'backfill', name: 'fill n', batch: { up: async (knex, cursor) => {
        await knex.raw('SELECT pg_advisory_xact_lock_shared(${BLOCKER_KEY})');
        await knex.raw('UPDATE things SET n = n + 1');
        return { next: null, rows: 100 };
      } } }];`,
    });
  });
  afterAll(async () => {
    folder?.remove();
    await server?.stop();
  });

  /** `up --json` on a new database, its one batch held until `meanwhile` has run; its stdout parsed, and its stderr. */
  async function upWhile(meanwhile: (url: string) => Promise<void>): Promise<{ document: Record<string, unknown>; stderr: string }> {
    const admin = new Client({ connectionString: server.url });
    await admin.connect();
    const database = `forced_checkpoints_${++n}`;
    await admin.query(`CREATE DATABASE ${database}`);
    const url = server.url.replace(/\/[^/]*$/, `/${database}`);
    const blocker = new Client({ connectionString: url });
    await blocker.connect();
    try {
      const env = { DATABASE_URL: url, KONSTRUCT_MIGRATIONS_DIR: folder.dir };
      expect((await runCli(['up', '--to', '001'], { env })).code).toBe(0);
      await blocker.query(`SELECT pg_advisory_lock(${BLOCKER_KEY})`);
      const run = startWatchedCli(['up', '--json', '--no-check'], { env });
      await waitUntil(async () => (await blocker.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = ${BLOCKER_KEY}`)).rows.length > 0, 'the batch to wait');
      await meanwhile(url);
      await blocker.query(`SELECT pg_advisory_unlock(${BLOCKER_KEY})`);
      const result = await run.exited;
      expect(result.code).toBe(0);
      return { document: JSON.parse(result.stdout), stderr: result.stderr };
    } finally {
      await blocker.end();
      await admin.end();
    }
  }

  it('says how many and how much WAL, on stderr and in --json', async () => {
    const { document, stderr } = await upWhile(async (url) => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        // ~30 MB of WAL, past the ~17 MB after which max_wal_size 32MB starts a checkpoint.
        await client.query(`CREATE TABLE ballast AS SELECT g, repeat('x', 150) AS pad FROM generate_series(1, 150000) g`);
      } finally {
        await client.end();
      }
      await requestCheckpoint(url);
    });
    const entries = (document.result as { checkpoints?: Array<Record<string, unknown>> }).checkpoints;
    expect(entries).toHaveLength(1);
    const entry = entries![0]!;
    expect(entry).toMatchObject({ migration: '002_fill', step: 'fill n', maxWalSize: '32MB' });
    expect(entry.requested).toBeGreaterThanOrEqual(1);
    expect(entry.walBytes).toBeGreaterThan(17 * MB);
    expect(stderr).toMatch(/^note: 002_fill \[fill n\]: its WAL forced \d+ checkpoints? \(\d+ MB written while it ran, past what max_wal_size 32MB allows between two\); a checkpoint's writes slow the application: docs\/production-safety\.md#a-big-backfill-and-max_wal_size$/m);
  });

  it('says nothing when a checkpoint was requested but the step wrote too little WAL to have asked for it', async () => {
    const { document, stderr } = await upWhile(requestCheckpoint);
    expect(document.result).not.toHaveProperty('checkpoints');
    expect(document.result).toHaveProperty('migrations');
    expect(stderr).not.toMatch(/checkpoint/);
  });
});
