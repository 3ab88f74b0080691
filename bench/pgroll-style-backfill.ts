/**
 * A pgroll-style `up` of 006, for the side-by-side of issue #22: the same
 * expand and contract as 006 (its own step functions, one transaction each),
 * and a backfill done the way pgroll does it (read from xataio/pgroll:
 * pkg/backfill/backfill.go, templates/sql.go, config.go and pkg/db/db.go; no
 * code taken), instead of 006's heap-page batches:
 * - batches of 1,000 rows walked by the primary key (pgroll needs a primary key
 *   or a unique NOT NULL column; portal_users has id): the next 1,000 ids above
 *   the last one, locked FOR NO KEY UPDATE, then each of those rows updated to
 *   itself (`SET id = id`), so that the trigger fills the new column; pgroll
 *   touches every row, not only those whose value changes (here: 006's sync
 *   trigger gives the admins platform_admin);
 * - every transaction (expand, each batch, each contract step) runs under
 *   lock_timeout 500 ms, pgroll's default, and after a lock timeout is tried
 *   again after a random pause below 1 s, 2 s, 4 s, ... up to 1 min (pgroll's
 *   exponential backoff with full jitter, from 1 s to 1 min); there is no
 *   waiting outside the lock queue;
 * - no pause between batches (pgroll's default batch delay is 0).
 * It writes no history row: the data check after `up` reads the data, not the history.
 * The benchmark runs it as a process of its own (pgroll-style-process.ts),
 * timed from spawn to exit like the CLI's contenders.
 */
import path from 'node:path';
import type { Knex } from 'knex';
import { PACKAGE_ROOT } from './project-files';

/** When a phase of the run committed: the steps of 006 done by then (as the CLI's phase row counts them), at epoch ms. */
export interface PhaseCommit {
  stepsDone: number;
  at: number;
}

export const PGROLL_STYLE = { batchRows: 1_000, lockTimeoutMs: 500, backoffFromMs: 1_000, backoffToMs: 60_000 } as const;

type StepFunctions = { phase: string; name: string; up?: (knex: Knex) => Promise<void>; batch?: unknown };

const LOCK_NOT_AVAILABLE = '55P03';
/** Epoch ms as the benchmark's process reads it (app-load/load-generator.ts), without loading the load generator here. */
const epochMs = () => performance.timeOrigin + performance.now();

/** Resolves to when each phase but the last committed (the last one ends with the run). */
export async function runPgrollStyleUp(databaseUrl: string): Promise<PhaseCommit[]> {
  // The built 006 (as project-files.ts's phasedSteps reads it): its functions need nothing from the engine.
  const steps = (require(path.join(PACKAGE_ROOT, 'dist', 'migrations', '006_rbac_roles.js')) as { phases: StepFunctions[] }).phases;
  const { default: knexFactory } = await import('knex');
  const knex = knexFactory({ client: 'pg', connection: { connectionString: databaseUrl, application_name: 'pgroll-style' }, pool: { min: 1, max: 1 } });
  try {
    const phaseCommits: PhaseCommit[] = [];
    for (const [index, step] of steps.entries()) {
      if (step.phase === 'backfill') await backfillByPrimaryKey(knex);
      else if (step.up) await withRetries(knex, step.up);
      // Going up, the contract step that only restores is_admin going down has nothing to do.
      if (step.phase !== steps[index + 1]?.phase) phaseCommits.push({ stepsDone: index + 1, at: epochMs() });
    }
    return phaseCommits.slice(0, -1);
  } finally {
    await knex.destroy();
  }
}

/** One batch: the next ids above `after` (null: the first), locked, each row updated to itself; resolves to the last id, or null when none was left. */
async function backfillBatch(trx: Knex, after: string | null): Promise<string | null> {
  const { rows } = await trx.raw(
    `WITH batch AS (
       SELECT id FROM portal_users WHERE (?::uuid IS NULL OR id > ?::uuid) ORDER BY id LIMIT ? FOR NO KEY UPDATE
     ), touched AS (
       UPDATE portal_users p SET id = p.id FROM batch WHERE p.id = batch.id RETURNING p.id
     )
     SELECT t.id::text AS last FROM touched t ORDER BY t.id DESC LIMIT 1`,
    [after, after, PGROLL_STYLE.batchRows],
  );
  return rows[0]?.last ?? null;
}

async function backfillByPrimaryKey(knex: Knex): Promise<void> {
  let last: string | null = null;
  for (;;) {
    let next: string | null = null;
    await withRetries(knex, async (trx) => {
      next = await backfillBatch(trx, last);
    });
    if (next === null) return;
    last = next;
  }
}

/** `work` in a transaction under lock_timeout 500 ms, tried again after each lock timeout with pgroll's backoff. */
async function withRetries(knex: Knex, work: (trx: Knex) => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await knex.transaction(async (trx) => {
        await trx.raw(`SELECT set_config('lock_timeout', ?, true)`, [`${PGROLL_STYLE.lockTimeoutMs}ms`]);
        await work(trx);
      });
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw error;
      await new Promise((resolve) => setTimeout(resolve, pgrollBackoffMs(attempt)));
    }
  }
}

/** The pause after the n-th lock timeout (from 0): a random time below 1 s × 2^n, at most 1 min (full jitter). */
export function pgrollBackoffMs(attempt: number, random: () => number = Math.random): number {
  const bound = Math.min(PGROLL_STYLE.backoffToMs, PGROLL_STYLE.backoffFromMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * bound);
}
