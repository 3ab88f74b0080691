/**
 * Applying or reverting one migration atomically: its statements and the
 * history row commit together in one transaction, or not at all. A migration
 * that opts out of the transaction (`config.transaction = false`, needed for
 * CREATE INDEX CONCURRENTLY) is recorded only after it has finished.
 *
 * Every attempt runs under lock_timeout / statement_timeout; a lock not granted
 * in time rolls the step back and it is tried again (lock-retry.ts).
 */
import type { Knex } from 'knex';
import { assertKnexNotMigrating } from '../history/knex-lock-row';
import { recordApplied, removeApplied } from '../history/history-table';
import { loadMigration, type LocalMigration, type MigrationModule } from '../history/local-migrations';
import { describeWaitTarget, describeBlockers, watchLockWaits, type LockWaitWatcher } from './lock-wait-watcher';
import { retryOnLockTimeout, type AttemptFailure, type RetryOptions } from './lock-retry';
import { applyLocalTimeouts, withTimeoutSession } from './session-timeouts';

export type Direction = 'up' | 'down';

export interface StepResult {
  name: string;
  direction: Direction;
  /** Wall time of the step, retries included. */
  ms: number;
  /** 1 unless lock timeouts made it try again. */
  attempts: number;
}

export interface StepOptions extends RetryOptions {
  /** Bookkeeping that must commit with this step (e.g. creating the history tables on a first run). */
  prepare?: (db: Knex) => Promise<void>;
}

export async function runStep(
  knex: Knex,
  migration: LocalMigration,
  direction: Direction,
  batch: number,
  options: StepOptions,
): Promise<StepResult> {
  const mod = await loadMigration(migration);
  const transactional = mod.config?.transaction !== false;
  const started = performance.now();
  const label = { migration: migration.name, what: migration.name, direction, transactional };
  const attempts = await retryOnLockTimeout(label, options, () => attemptStep(knex, mod, migration, direction, batch, options));
  return { name: migration.name, direction, ms: Math.round(performance.now() - started), attempts };
}

/** One try; resolves to undefined on success, or to the error and the last lock wait seen. */
async function attemptStep(
  knex: Knex,
  mod: MigrationModule,
  migration: LocalMigration,
  direction: Direction,
  batch: number,
  options: StepOptions,
): Promise<AttemptFailure | undefined> {
  let watcher: LockWaitWatcher | undefined;
  const watch = (pid: number) => {
    watcher = watchLockWaits(knex, pid, (w) =>
      options.log(`${migration.name} is waiting for ${describeWaitTarget(w)}, held by ${describeBlockers(w)}`),
    );
  };
  const record = (db: Knex) => (direction === 'up' ? recordApplied(db, migration, batch) : removeApplied(db, migration.name));
  try {
    if (mod.config?.transaction === false) {
      if (options.prepare) await knex.transaction(async (trx) => { await options.prepare!(trx); await options.beforeCommit?.(trx); });
      await withTimeoutSession(knex, options.timeouts, async (session, pid) => {
        watch(pid);
        await mod[direction](session);
      });
      await knex.transaction(async (trx) => { await record(trx); await options.beforeCommit?.(trx); });
    } else {
      await knex.transaction(async (trx) => {
        watch(await applyLocalTimeouts(trx, options.timeouts));
        await options.prepare?.(trx);
        await assertKnexNotMigrating(trx, { lockRow: true });
        await mod[direction](trx);
        await record(trx);
        await options.beforeCommit?.(trx);
      });
    }
    await watcher?.stop();
    return undefined;
  } catch (error) {
    return { error, wait: await watcher?.stop() };
  }
}
