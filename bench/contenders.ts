/**
 * The ways of running revision 006 that the benchmark compares, each given
 * a database URL and returning its wall time in milliseconds:
 * - konstruct-migrate, the new engine ("ours"): the built CLI as a spawned
 *   process with default flags (adaptive batches, the first attempt a short
 *   probe, waiting outside the lock queue), end to end: every phase of the phased 006;
 * - konstruct-migrate, today's engine ("today", as before issue #22): the same
 *   CLI with fixed 25,000-row batches (`--batch-size 25000 --batch-time 0`) and
 *   the 0.5 s lock_timeout; its lock handling is the current engine's (there is
 *   no flag to turn the probe and the queue-free wait off);
 * - a pgroll-style backfill ("pgroll"): 006's own expand and contract steps, and
 *   a backfill loop in the way of pgroll's (pgroll-style-backfill.ts), spawned
 *   as a process of its own and timed like the CLI;
 * - today's single-transaction 006 ("single"): the same CLI running the frozen
 *   copy of 006 as it was before it became phased (single-transaction-006/);
 * - the seed's statements (spec/alembic-006-*.sql, full-table UPDATE included)
 *   sent in one transaction over a connection opened beforehand: the seed's
 *   approach with no tool overhead at all, which flatters the reference.
 */
import { epochMs } from './app-load/load-generator';
import { connect } from './databases';
import type { PhaseCommit } from './pgroll-style-backfill';
import { BUILT_CLI, PGROLL_STYLE_SCRIPT, seedSql } from './project-files';
import { runNode } from './timed-process';

export type Side = 'ours' | 'today' | 'pgroll' | 'single' | 'seed';
export type Direction = 'up' | 'down';

export const SIDES: readonly Side[] = ['ours', 'today', 'pgroll', 'single', 'seed'];

/** The contenders whose `up` has a backfill of its own, compared with the backfill's floor (issue #22). */
export const BACKFILL_SIDES: readonly Side[] = ['ours', 'today', 'pgroll'];

/** The contenders that also run `down` (the others are measured going up only). */
export const DOWN_SIDES: readonly Side[] = ['ours', 'single', 'seed'];

export const SIDE_LABELS: Record<Side, string> = {
  ours: 'konstruct-migrate (phased 006)',
  today: "konstruct-migrate, today's engine (fixed 25,000-row batches)",
  pgroll: 'a pgroll-style backfill (1,000 rows by primary key)',
  single: "today's single-transaction 006",
  seed: "seed's statements",
};

/** The names `--contenders` takes; "new" is the new engine ("ours"). */
export const CONTENDER_NAMES: Record<string, Side> = { new: 'ours', ours: 'ours', today: 'today', pgroll: 'pgroll', single: 'single', seed: 'seed' };

/** Today's engine, as it ran before issue #22: fixed batches of 25,000 rows (adaptive sizing off), lock_timeout 0.5 s. */
export const TODAYS_ENGINE_FLAGS = ['--batch-size', '25000', '--batch-time', '0', '--lock-timeout', '0.5'];

export interface ContenderSetup {
  /** The folder holding 005 and the frozen single-transaction 006. */
  singleTransactionDir: string;
  /** The new engine's run with flags and environment of its own (the latency sweep's variants, bench/latency/). */
  ours?: { args: readonly string[]; env: Readonly<Record<string, string>> };
}

/** What is timed: when it began (epoch ms, this process's clock) and how long it took. */
export interface Timed {
  startedAt: number;
  ms: number;
  /** The pgroll-style contender says itself when its phases committed (the CLI's are read from its phase row). */
  phaseCommits?: PhaseCommit[];
}

export async function runContender(side: Side, direction: Direction, databaseUrl: string, setup: ContenderSetup): Promise<Timed> {
  if (side === 'seed') return runSeedStatements(direction, databaseUrl);
  if (side === 'pgroll') {
    if (direction !== 'up') throw new Error('the pgroll-style contender runs `up` only');
    const startedAt = epochMs();
    const run = await runNode([PGROLL_STYLE_SCRIPT], databaseUrl);
    return { startedAt, ms: run.ms, phaseCommits: JSON.parse(run.stdout.trim().split('\n').at(-1)!) as PhaseCommit[] };
  }
  const env = side === 'single' ? { KONSTRUCT_MIGRATIONS_DIR: setup.singleTransactionDir } : side === 'ours' ? { ...setup.ours?.env } : {};
  const startedAt = epochMs();
  // `up` checks pending migrations on a throwaway copy first when a table is large (issue #21): that is
  // measured on its own (npm run bench:check), so the CLI contenders skip it here and time the migration.
  const args = direction === 'up' ? [BUILT_CLI, direction, '--no-check'] : [BUILT_CLI, direction];
  if (side === 'today') args.push(...TODAYS_ENGINE_FLAGS);
  if (side === 'ours' && direction === 'up') args.push(...(setup.ours?.args ?? []));
  return { startedAt, ms: (await runNode(args, databaseUrl, env)).ms };
}

async function runSeedStatements(direction: Direction, databaseUrl: string): Promise<Timed> {
  const sql = seedSql(direction);
  const client = await connect(databaseUrl);
  try {
    const startedAt = epochMs();
    const started = performance.now();
    await client.query('BEGIN');
    try {
      await client.query(sql);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    return { startedAt, ms: performance.now() - started };
  } finally {
    await client.end();
  }
}
