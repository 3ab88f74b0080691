/**
 * The two ways of running revision 006 that the benchmark compares, each given a
 * database URL and returning its wall time in milliseconds:
 * - konstruct-migrate: the built CLI as a spawned process, end to end;
 * - the seed's statements (spec/alembic-006-*.sql, full-table UPDATE included)
 *   sent in one transaction over a connection opened beforehand — the seed's
 *   approach with no tool overhead at all, which flatters the reference.
 */
import { connect } from './databases';
import { BUILT_CLI, seedSql } from './project-files';
import { runNode } from './timed-process';

export type Side = 'ours' | 'seed';
export type Direction = 'up' | 'down';

export const SIDES: readonly Side[] = ['ours', 'seed'];

export async function runContender(side: Side, direction: Direction, databaseUrl: string): Promise<number> {
  return side === 'ours' ? runKonstructMigrate(direction, databaseUrl) : runSeedStatements(direction, databaseUrl);
}

async function runKonstructMigrate(direction: Direction, databaseUrl: string): Promise<number> {
  return (await runNode([BUILT_CLI, direction], databaseUrl)).ms;
}

async function runSeedStatements(direction: Direction, databaseUrl: string): Promise<number> {
  const sql = seedSql(direction);
  const client = await connect(databaseUrl);
  try {
    const started = performance.now();
    await client.query('BEGIN');
    try {
      await client.query(sql);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    return performance.now() - started;
  } finally {
    await client.end();
  }
}
