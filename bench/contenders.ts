/**
 * The three ways of running revision 006 that the benchmark compares, each given
 * a database URL and returning its wall time in milliseconds:
 * - konstruct-migrate ("ours"): the built CLI as a spawned process with default
 *   flags, end to end: every phase of the phased 006;
 * - today's single-transaction 006 ("single"): the same CLI running the frozen
 *   copy of 006 as it was before it became phased (single-transaction-006/);
 * - the seed's statements (spec/alembic-006-*.sql, full-table UPDATE included)
 *   sent in one transaction over a connection opened beforehand: the seed's
 *   approach with no tool overhead at all, which flatters the reference.
 */
import { epochMs } from './app-load/load-generator';
import { connect } from './databases';
import { BUILT_CLI, seedSql } from './project-files';
import { runNode } from './timed-process';

export type Side = 'ours' | 'single' | 'seed';
export type Direction = 'up' | 'down';

export const SIDES: readonly Side[] = ['ours', 'single', 'seed'];

export const SIDE_LABELS: Record<Side, string> = {
  ours: 'konstruct-migrate (phased 006)',
  single: "today's single-transaction 006",
  seed: "seed's statements",
};

export interface ContenderSetup {
  /** The folder holding 005 and the frozen single-transaction 006. */
  singleTransactionDir: string;
}

/** What is timed: when it began (epoch ms, this process's clock) and how long it took. */
export interface Timed {
  startedAt: number;
  ms: number;
}

export async function runContender(side: Side, direction: Direction, databaseUrl: string, setup: ContenderSetup): Promise<Timed> {
  if (side === 'seed') return runSeedStatements(direction, databaseUrl);
  const env = side === 'single' ? { KONSTRUCT_MIGRATIONS_DIR: setup.singleTransactionDir } : {};
  const startedAt = epochMs();
  // `up` checks pending migrations on a throwaway copy first when a table is large (issue #21): that is
  // measured on its own (npm run bench:check), so both CLI contenders skip it here and time the migration.
  const args = direction === 'up' ? [BUILT_CLI, direction, '--no-check'] : [BUILT_CLI, direction];
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
