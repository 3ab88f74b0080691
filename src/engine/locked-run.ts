/**
 * What every run of `up` or `down` does around its steps: take the migration
 * lock (waiting for another run if need be), wait out any transaction of a run
 * that lost the lock, then read the history and phase state *after* that, so a
 * run that waited finds the other run's work done. Every work transaction then
 * proves, right before it commits, that the lock is still held
 * (db/lock-fence.ts). (`up` creates the history tables under the lock too,
 * inside its first step's transaction: concurrent first runs cannot race, and
 * a failed first run leaves nothing behind.) It refuses to start while the
 * stock knex CLI is migrating or while the database holds migrations this code
 * does not know. The lock is released however the work ends.
 */
import type { MigrationContext } from '../context';
import { acquireMigrationLock } from '../db/advisory-lock';
import { lockHeldCheck, waitOutLostRuns } from '../db/lock-fence';
import { readHistory, type AppliedMigration } from '../history/history-table';
import { assertKnexNotMigrating } from '../history/knex-lock-row';
import type { LocalMigration } from '../history/local-migrations';
import { assertHistoryKnown, assertPartWayKnown } from './plan';
import { readPhaseStates, type PhaseState } from '../history/phase-state';
import type { StepOptions } from './work-transaction';
import { sessionTimeouts, type SessionTimeouts } from './session-timeouts';
import type { BatchGate } from './batch-gate';
import { batchGates, type GateOptions } from './batch-gates';
import { RUN_DEFAULTS } from './run-defaults';

/** Safety options shared by `up` and `down`; every field has a default. */
export interface RunOptions extends GateOptions {
  /** Seconds to wait for another run's migration lock (default 60). */
  lockWait?: number;
  /** lock_timeout of each migration transaction, in seconds (default 0.5; 0 = wait indefinitely). */
  lockTimeout?: number;
  /** Seconds one step may spend retrying after lock timeouts, with jittered, growing pauses (default 300). */
  lockBudget?: number;
  /** statement_timeout of each migration, in seconds (default 0 = off). */
  statementTimeout?: number;
  /** At most this many retries after a lock timeout (default: as many as --lock-budget allows). */
  lockRetries?: number;
  /** Phased migrations: the most rows a backfill batch covers (default 25,000; a dry run uses exactly this). */
  batchSize?: number;
  /** Phased migrations: target time of one backfill batch, in ms; its size adapts, from 1,000 rows up to batchSize (default 50). */
  batchTime?: number;
  /** Phased migrations: pause between two backfill batches, in ms (default 0). */
  batchPause?: number;
  /** Run the steps in a transaction that is rolled back, and report their statements. */
  dryRun?: boolean;
  /** Run even though applied migrations changed since they were applied. */
  allowChanged?: boolean;
}

export { RUN_DEFAULTS };

/** How batched steps run, for real and in a dry run alike. */
export function batchOptions(options: RunOptions): { batchSize: number; batchTimeMs: number; batchPauseMs: number; gates: BatchGate[]; watchCheckpoints: boolean } {
  return {
    gates: batchGates(options),
    watchCheckpoints: true,
    batchSize: options.batchSize ?? RUN_DEFAULTS.batchSize,
    batchTimeMs: options.batchTime ?? RUN_DEFAULTS.batchTime,
    batchPauseMs: options.batchPause ?? RUN_DEFAULTS.batchPause,
  };
}

export interface LockedRun {
  history: AppliedMigration[];
  /** Phased migrations that stand part-way (not in the history). */
  partWay: PhaseState[];
  timeouts: SessionTimeouts;
  stepOptions: StepOptions;
}

export async function underMigrationLock<T>(
  ctx: MigrationContext,
  command: 'up' | 'down' | 'complete',
  local: LocalMigration[],
  options: RunOptions,
  work: (run: LockedRun) => Promise<T>,
): Promise<T> {
  const timeouts = sessionTimeouts({
    lockTimeout: options.lockTimeout ?? RUN_DEFAULTS.lockTimeout,
    statementTimeout: options.statementTimeout ?? RUN_DEFAULTS.statementTimeout,
  });
  const lock = await acquireMigrationLock(ctx.knex, {
    waitSeconds: options.lockWait ?? RUN_DEFAULTS.lockWait,
    command: options.dryRun ? `${command} --dry-run` : command,
    log: ctx.log,
  });
  try {
    // Before anything is read: a transaction of a run that lost the lock may still be committing.
    await waitOutLostRuns(ctx.knex, { waitSeconds: options.lockWait ?? RUN_DEFAULTS.lockWait, log: ctx.log });
    await assertKnexNotMigrating(ctx.knex);
    const history = await readHistory(ctx.knex);
    assertHistoryKnown(local, history);
    const partWay = await readPhaseStates(ctx.knex);
    assertPartWayKnown(local, partWay, options.allowChanged ?? false);
    return await work({
      history,
      partWay,
      timeouts,
      stepOptions: {
        timeouts,
        lockBudgetMs: Math.round((options.lockBudget ?? RUN_DEFAULTS.lockBudget) * 1000),
        lockRetries: options.lockRetries,
        log: ctx.log,
        beforeAttempt: lock.assertHeld,
        beforeLaterBatch: lock.assertNotKnownLost,
        commitFence: lockHeldCheck(lock.holder),
      },
    });
  } finally {
    await lock.release();
  }
}
