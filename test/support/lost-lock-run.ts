/**
 * Run A loses its migration lock in the middle of a step, and run B takes the
 * free lock and reaches that same step: only one of them may commit it.
 *
 * The step waits at a *gate*, an advisory lock the test holds, so both runs are
 * seen inside it before either can go on: A first; then an administrator ends
 * A's lock session; then B takes the lock and starts the same step. The gate opens,
 * and whichever goes first, A's transaction finds its lock gone right before
 * COMMIT and rolls back (exit 12), while B applies the step and the rest (exit 0).
 * Shared by the direct and the pooled tests.
 */
import { expect } from 'vitest';
import { historyNames } from './database-state';
import { closeGate, PASS_GATE, sessionsWaiting } from './migration-gate';
import { tempMigrations } from './temp-migrations';
import type { TestDatabase } from './test-database';
import { waitUntil } from './wait-until';
import { startWatchedCli } from './watched-cli';

/** Where run A is when its lock is lost: in a plain migration, or in one kind of step of a phased one. */
export type LostAt = 'a plain migration' | 'an expand step' | 'a backfill batch' | 'a contract step';
export const LOST_AT: readonly LostAt[] = ['a plain migration', 'an expand step', 'a backfill batch', 'a contract step'];

/**
 * One migration, 001_gated, writing a row to `written` for each piece of work.
 * Phased: expand, a backfill of three batches (one row each), contract; the gate
 * is in the step named, and in the backfill's second batch, after the first committed.
 */
function gatedMigration(at: LostAt): string {
  const gate = (here: LostAt) => (here === at ? `await knex.raw(${JSON.stringify(PASS_GATE)});` : '');
  const write = (what: string) => `await knex.raw("INSERT INTO written (what) VALUES ('${what}')");`;
  if (at === 'a plain migration') {
    return `exports.up = async (knex) => { ${write('plain')} ${gate('a plain migration')} };
exports.down = async () => {};`;
  }
  return `exports.phases = [
  { phase: 'expand', name: 'gated expand', up: async (knex) => { ${write('expand')} ${gate('an expand step')} }, down: async () => {} },
  { phase: 'backfill', name: 'gated backfill', batch: { up: async (knex, cursor) => {
      const n = cursor === null ? 1 : Number(cursor) + 1;
      await knex.raw("INSERT INTO written (what) VALUES ('batch ' || ?)", [n]);
      if (n === 2) { ${gate('a backfill batch')} }
      return { next: n < 3 ? String(n) : null, rows: 1 };
  } } },
  { phase: 'contract', name: 'gated contract', up: async (knex) => { ${write('contract')} ${gate('a contract step')} }, down: async () => {} },
];`;
}

/** What `written` holds once 001_gated is applied once: each piece of work once. */
function writtenOnce(at: LostAt): string[] {
  return at === 'a plain migration' ? ['plain'] : ['batch 1', 'batch 2', 'batch 3', 'contract', 'expand'];
}

/** The lost run's second line: what it left committed (#25 item 3), and that the next run carries on. */
function lostRunHint(at: LostAt): string {
  const standing = (committed: string) =>
    `  001_gated stands part-way (up), committed and kept: ${committed}. Run the command again to carry on from there (\`konstruct-migrate status\` shows where it stands).`;
  switch (at) {
    case 'a backfill batch':
      return standing('1 of 3 steps applied (last: expand "gated expand"), backfill "gated backfill" done up to cursor 1 (1 rows)');
    case 'a contract step':
      return standing('2 of 3 steps applied (last: backfill "gated backfill")');
    default: // nothing of 001_gated was committed
      return '  What this run committed before stands. Run the command again: the next run carries on from there (`konstruct-migrate status` shows where it stands).';
  }
}

/** Runs the scenario on `db`, with the CLI connecting to `url` (db.url, or the same database through a pooler). */
export async function expectOnlyTheLockHolderCommits(db: TestDatabase, url: string, at: LostAt): Promise<void> {
  const dir = tempMigrations({ '001_gated': gatedMigration(at) });
  await db.knex.raw('CREATE TABLE written (what text NOT NULL)');
  const gate = await closeGate(db);
  try {
    // --lock-timeout 0: each run waits at the gate for as long as the test holds it.
    const args = ['up', '--lock-timeout', '0'];
    const env = { DATABASE_URL: url, KONSTRUCT_MIGRATIONS_DIR: dir.dir };
    const a = startWatchedCli(args, { env });
    await waitUntil(async () => (await sessionsWaiting(db)) === 1, `run A to be in ${at}`);
    const { rows } = await db.knex.raw(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'konstruct-migrate up (%'`,
    );
    expect(rows).toEqual([{ ended: true }]);
    const b = startWatchedCli(args, { env });
    // B waits at the gate, or at the start of the same step behind A's lock on knex's lock row.
    await waitUntil(async () => (await sessionsWaiting(db)) === 2, `run B to take the lock and start the same work`);
    await gate.open();

    const [lost, holder] = await Promise.all([a.exited, b.exited]);
    expect(holder.code, holder.stderr).toBe(0);
    expect(holder.stdout).toMatch(/Applied 1 migration in batch 1/);
    expect(lost.code, lost.stderr).toBe(12);
    const error = lost.stderr.split('\n').slice(-3, -1); // the last two lines: after progress and lock-wait notes
    expect(error).toEqual([
      'error: lost the migration lock: its database session ended (terminated, or the connection dropped); the transaction in progress was rolled back and nothing more was run',
      lostRunHint(at),
    ]);
    expect(await historyNames(db.knex)).toEqual(['001_gated']);
    expect(await db.knex('written').orderBy('what').pluck('what')).toEqual(writtenOnce(at));
  } finally {
    await gate.end();
    dir.remove();
  }
}
