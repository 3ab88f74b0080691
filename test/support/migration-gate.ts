/**
 * A gate for a migration: an advisory lock the test holds, which a migration's
 * step takes (`PASS_GATE`) and so waits at until the test opens it. It holds a
 * run inside a step for as long as the test needs, without timing: run the CLI
 * with `--lock-timeout 0` so the wait is not cut short.
 */
import pg from 'pg';
import type { TestDatabase } from './test-database';

const GATE = [4242, 1] as const;
/** The statement a migration runs to wait at the gate (transaction-level: let go at its commit or rollback). */
export const PASS_GATE = `SELECT pg_advisory_xact_lock(${GATE.join(', ')})`;

export interface MigrationGate {
  open(): Promise<void>;
  /** Opens it if still closed, and disconnects. */
  end(): Promise<void>;
}

export async function closeGate(db: TestDatabase): Promise<MigrationGate> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`SELECT pg_advisory_lock(${GATE.join(', ')})`);
  return {
    open: async () => void (await client.query(`SELECT pg_advisory_unlock(${GATE.join(', ')})`)),
    end: () => client.end(),
  };
}

/**
 * Sessions of this database waiting for a lock, seen on the server itself (also
 * when the runs go through a pooler): at the gate, or behind one that is.
 */
export async function sessionsWaiting(db: TestDatabase): Promise<number> {
  const { rows } = await db.knex.raw(
    `SELECT count(DISTINCT l.pid)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE NOT l.granted AND a.datname = current_database()`,
  );
  return rows[0].n;
}
