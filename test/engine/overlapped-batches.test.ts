/**
 * A real run's next backfill batch works while the one ahead of it commits
 * (src/engine/run-batches.ts), and still commits only after it, and only from
 * where it ended. Each case makes the COMMIT of one batch (the one that records
 * cursor 200) do something at the moment it commits: a deferred trigger on the
 * phase table, which fires at COMMIT. No timing is asserted: the held COMMIT
 * waits until the test has seen what it looks for.
 */
import { describe, expect, it } from 'vitest';
import { up } from '../../src/commands/up';
import { MIGRATION_LOCK_KEY } from '../../src/db/advisory-lock';
import { ensurePhaseTable } from '../../src/history/phase-state';
import { useTempMigrationsDatabase, type TempMigrationsDatabase } from '../support/temp-migrations-database';
import { waitUntil } from '../support/wait-until';

const ROWS = 500;

const TABLE = `exports.up = (knex) => knex.raw('CREATE TABLE things (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO things (id) SELECT generate_series(1, ${ROWS}); CREATE TABLE batch_log (from_id int, to_id int)');
exports.down = (knex) => knex.raw('DROP TABLE things; DROP TABLE batch_log');`;

/**
 * Adds 1 to n over ids (from, to], 100 a batch, and logs the range in the same transaction (only committed
 * batches stay logged). The second attempt of the batch from 100 ends at 150 instead: a batch whose end
 * depends on the table, as a batch by key does while rows come and go.
 */
const PHASED = `const attempts = new Map();
const fill = async (knex, cursor) => {
  const from = Number(cursor ?? 0);
  attempts.set(from, (attempts.get(from) ?? 0) + 1);
  const to = from === 100 && attempts.get(from) > 1 ? 150 : Math.min(from + 100, ${ROWS});
  await knex.raw('WITH f AS (UPDATE things SET n = n + 1 WHERE id > ' + from + ' AND id <= ' + to + ') INSERT INTO batch_log VALUES (' + from + ', ' + to + ')');
  return { next: to >= ${ROWS} ? null : String(to), rows: to - from };
};
exports.phases = [
  { phase: 'expand', name: 'nothing', up: async () => {}, down: async () => {} },
  { phase: 'backfill', name: 'fill n', batch: { up: fill } },
];`;

/** The phase table made beforehand, with a trigger that runs `body` at the COMMIT of the batch recording cursor 200. */
async function atCommitOfCursor200(t: TempMigrationsDatabase, body: string): Promise<void> {
  await ensurePhaseTable(t.db.knex);
  await t.db.knex.raw(`
    CREATE SEQUENCE commits_of_200;
    CREATE FUNCTION at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.cursor = '200' THEN ${body} END IF;
      RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER at_commit AFTER INSERT OR UPDATE ON konstruct_migration_phases
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION at_commit();`);
}

const logged = async (t: TempMigrationsDatabase) => (await t.db.knex('batch_log').orderBy('from_id').select('from_id', 'to_id')) as Array<{ from_id: number; to_id: number }>;
const counts = async (t: TempMigrationsDatabase) => (await t.db.knex.raw('SELECT n, count(*)::int AS rows FROM things GROUP BY n ORDER BY n')).rows;
const cursorSaved = async (t: TempMigrationsDatabase) => (await t.db.knex('konstruct_migration_phases').first('cursor'))?.cursor;

/** Sessions of the run inside a transaction (not the one holding the migration lock): what each waits for (null: nothing), which tables it holds locks on. */
async function runSessions(t: TempMigrationsDatabase): Promise<Array<{ waiting: string | null; holds: string[] }>> {
  const { rows } = await t.db.knex.raw(`
    SELECT a.pid,
           (SELECT l.locktype FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted LIMIT 1) AS waiting,
           coalesce((SELECT array_agg(DISTINCT l.relation::regclass::text ORDER BY l.relation::regclass::text) FROM pg_locks l
                      WHERE l.pid = a.pid AND l.granted AND l.relation::regclass::text IN ('things', 'batch_log')), '{}') AS holds
      FROM pg_stat_activity a
     WHERE a.datname = current_database() AND a.application_name LIKE 'konstruct-migrate%' AND a.xact_start IS NOT NULL
       AND a.pid <> pg_backend_pid()
       AND a.pid NOT IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = ${MIGRATION_LOCK_KEY[0]} AND objid = ${MIGRATION_LOCK_KEY[1]})
     ORDER BY 2 NULLS LAST`);
  return rows.map((r: { waiting: string | null; holds: string[] }) => ({ waiting: r.waiting, holds: r.holds }));
}

/** Every row filled exactly once, by batches that tile 0..ROWS with no gap and no overlap. */
async function expectExactlyOnce(t: TempMigrationsDatabase, ranges: Array<[number, number]>): Promise<void> {
  expect(await counts(t)).toEqual([{ n: 1, rows: ROWS }]);
  expect((await logged(t)).map((r) => [r.from_id, r.to_id])).toEqual(ranges);
}

const EVEN: Array<[number, number]> = [[0, 100], [100, 200], [200, 300], [300, 400], [400, 500]];
/** Once the batch from 100 was tried before (in this process: the migration is loaded once), it ends at 150. */
const FROM_150: Array<[number, number]> = [[0, 100], [100, 150], [150, 250], [250, 350], [350, 450], [450, 500]];

describe('overlapped backfill batches', () => {
  const held = useTempMigrationsDatabase('overlap_held', { '001_table': TABLE, '002_fill': PHASED }, '001');

  it('the next batch works while one commits: seen with the COMMIT held, then every row exactly once', async () => {
    await atCommitOfCursor200(held, 'PERFORM pg_advisory_xact_lock_shared(4242);');
    await held.db.knex.raw('SELECT pg_advisory_lock(4242)');
    // lockTimeout 0: the held COMMIT waits instead of timing out and retrying.
    const run = up(held.ctx, { batchSize: 100, batchTime: 0, lockTimeout: 0 });
    run.catch(() => {});
    try {
      // The batch that records 200 waits in its COMMIT; the batch after it has already updated its rows.
      await waitUntil(async () => JSON.stringify(await runSessions(held)) === JSON.stringify([
        { waiting: 'advisory', holds: ['batch_log', 'things'] },
        { waiting: null, holds: ['batch_log', 'things'] },
      ]), 'one batch to wait in its COMMIT while the next one holds its rows');
      expect(await cursorSaved(held)).toBe('100');
    } finally {
      await held.db.knex.raw('SELECT pg_advisory_unlock(4242)');
    }
    await run;
    await expectExactlyOnce(held, EVEN);
  });

  const failing = useTempMigrationsDatabase('overlap_failing', { '001_table': TABLE, '002_fill': PHASED }, '001');

  it('the batch ahead fails at COMMIT: the next one, already done, commits nothing; the run fails with the first error', async () => {
    await atCommitOfCursor200(failing, `RAISE EXCEPTION 'commit refused at 200';`);
    await expect(up(failing.ctx, { batchSize: 100, batchTime: 0 })).rejects.toThrow(/commit refused at 200/);
    expect(await cursorSaved(failing)).toBe('100');
    expect((await logged(failing)).map((r) => [r.from_id, r.to_id])).toEqual([[0, 100]]);
    expect(await counts(failing)).toEqual([{ n: 0, rows: ROWS - 100 }, { n: 1, rows: 100 }]);
    expect(await runSessions(failing)).toEqual([]);
    // The next run carries on from the cursor.
    await failing.db.knex.raw('DROP TRIGGER at_commit ON konstruct_migration_phases');
    await up(failing.ctx, { batchSize: 100, batchTime: 0 });
    await expectExactlyOnce(failing, FROM_150);
  });

  const moved = useTempMigrationsDatabase('overlap_moved', { '001_table': TABLE, '002_fill': PHASED }, '001');

  it('a retry of the batch ahead ends elsewhere: the next one, started where the first attempt ended, starts again from there', async () => {
    // The first COMMIT of the batch from 100 fails as a lock timeout does: the engine retries that batch, which then ends at 150.
    await atCommitOfCursor200(moved, `IF nextval('commits_of_200') = 1 THEN RAISE EXCEPTION 'held' USING ERRCODE = '55P03'; END IF;`);
    await up(moved.ctx, { batchSize: 100, batchTime: 0 });
    await expectExactlyOnce(moved, FROM_150);
  });
});
