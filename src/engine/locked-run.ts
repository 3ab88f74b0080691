/**
 * What every run of `up` or `down` does around its steps: take the migration
 * lock (waiting for another run if need be), then read the history *after* the
 * lock is held, so a run that waited finds the other run's work done. (`up`
 * creates the history tables under the lock too, inside its first step's
 * transaction: concurrent first runs cannot race, and a failed first run
 * leaves nothing behind.) It refuses to start while the stock
 * knex CLI is migrating or while the database holds migrations this code does
 * not know. The lock is released however the work ends.
 */
import type { MigrationContext } from '../context';
import { acquireMigrationLock } from '../db/advisory-lock';
import { readHistory, type AppliedMigration } from '../history/history-table';
import { assertKnexNotMigrating } from '../history/knex-lock-row';
import type { LocalMigration } from '../history/local-migrations';
import { assertHistoryKnown } from './plan';
import type { StepOptions } from './run-step';
import type { SessionTimeouts } from './session-timeouts';

/** Safety options shared by `up` and `down`; every field has a default. */
export interface RunOptions {
  /** Seconds to wait for another run's migration lock (default 60). */
  lockWait?: number;
  /** lock_timeout of each migration transaction, in seconds (default 5; 0 = wait indefinitely). */
  lockTimeout?: number;
  /** statement_timeout of each migration, in seconds (default 0 = off). */
  statementTimeout?: number;
  /** Tries after a lock timeout, with jittered backoff (default 3). */
  lockRetries?: number;
  /** Run the steps in a transaction that is rolled back, and report their statements. */
  dryRun?: boolean;
  /** Run even though applied migrations changed since they were applied. */
  allowChanged?: boolean;
}

export const RUN_DEFAULTS = { lockWait: 60, lockTimeout: 5, statementTimeout: 0, lockRetries: 3 } as const;

export interface LockedRun {
  history: AppliedMigration[];
  timeouts: SessionTimeouts;
  stepOptions: StepOptions;
}

export async function underMigrationLock<T>(
  ctx: MigrationContext,
  command: 'up' | 'down',
  local: LocalMigration[],
  options: RunOptions,
  work: (run: LockedRun) => Promise<T>,
): Promise<T> {
  const timeouts: SessionTimeouts = {
    lockTimeoutMs: Math.round((options.lockTimeout ?? RUN_DEFAULTS.lockTimeout) * 1000),
    statementTimeoutMs: Math.round((options.statementTimeout ?? RUN_DEFAULTS.statementTimeout) * 1000),
  };
  const lock = await acquireMigrationLock(ctx.knex, {
    waitSeconds: options.lockWait ?? RUN_DEFAULTS.lockWait,
    command: options.dryRun ? `${command} --dry-run` : command,
    log: ctx.log,
  });
  try {
    await assertKnexNotMigrating(ctx.knex);
    const history = await readHistory(ctx.knex);
    assertHistoryKnown(local, history);
    return await work({
      history,
      timeouts,
      stepOptions: {
        timeouts,
        lockRetries: options.lockRetries ?? RUN_DEFAULTS.lockRetries,
        log: ctx.log,
        beforeAttempt: lock.assertHeld,
      },
    });
  } finally {
    await lock.release();
  }
}
