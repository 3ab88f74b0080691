/**
 * How a real run runs each unit of work (run-steps.ts): under the run's
 * timeouts, watched for lock waits, and tried again after a lock timeout
 * (lock-retry.ts): once an attempt was seen waiting for a table, the retry first
 * waits outside the lock queue until nothing conflicting holds or waits for it
 * (queue-free-wait.ts); a step's first attempt is a short probe, so that even
 * the first encounter queues only briefly (first-attempt-probe.ts). A unit's
 * work and its recorded position commit together in one transaction,
 * `commitWork` below: the only place a migration's work commits, and so the one
 * place that proves the migration lock is still held (in the round trip of the
 * COMMIT itself).
 *
 * A step outside a transaction (CREATE INDEX CONCURRENTLY) runs on a session of
 * its own with the limits as session settings (session-timeouts.ts), is never
 * retried (what it did before a lock timeout stays applied), and its position
 * commits after it.
 */
import type { Knex } from 'knex';
import { LOCK_LOST_SQLSTATE } from '../db/lock-fence';
import { LockLostError } from '../errors';
import { assertKnexNotMigrating } from '../history/knex-lock-row';
import { PROBE_WATCH } from './first-attempt-probe';
import { retryOnLockTimeout, type AttemptFailure, type AttemptLimits, type RetryOptions } from './lock-retry';
import { describeBlockers, describeWaitTarget, watchLockWaits, type LockWait, type LockWaitWatcher } from './lock-wait-watcher';
import type { Unit, UnitRunner } from './run-steps';
import { applyLocalTimeouts, withTimeoutSession } from './session-timeouts';
import { waitOutsideLockQueue } from './queue-free-wait';

export interface StepOptions extends RetryOptions {
  /** Bookkeeping that must commit with the run's first unit (e.g. creating the history tables on a first run). */
  prepare?: (db: Knex) => Promise<void>;
  /**
   * In place of `beforeAttempt` before a backfill batch that is not its step's first in this run: a check that needs
   * no round trip. Each batch's COMMIT proves the migration lock anyway (the fence); asking the server before it too
   * cost a round trip a batch, and a lock lost in between costs at most that batch, rolled back by the fence.
   */
  beforeLaterBatch?: () => void;
}

/** What a runner learns once and keeps for the units after: the bookkeeping still to commit, and whether knex's lock table exists. */
interface RunnerState {
  prepare: StepOptions['prepare'];
  knexLockTableSeen: boolean;
}

/** One runner per command run: `prepare` goes with the first unit that commits. */
export function workTransactions(knex: Knex, options: StepOptions): UnitRunner {
  const state: RunnerState = { prepare: options.prepare, knexLockTableSeen: false };
  return {
    run: async (unit, work, record) => {
      // A batch (unit.batch set) takes row locks only: no probe for it (first-attempt-probe.ts).
      const label = {
        migration: unit.migration.name, what: unit.what, direction: unit.direction,
        transactional: !unit.step.outsideTransaction, takesTableLocks: unit.batch === undefined, waitsAside: unit.step.waitsAside === true,
      };
      const laterBatch = unit.batch !== undefined && unit.batch > 1 && options.beforeLaterBatch !== undefined;
      const unitOptions = laterBatch ? { ...options, beforeAttempt: async () => options.beforeLaterBatch!() } : options;
      const attempts = await retryOnLockTimeout(
        label,
        unitOptions,
        (limits) => attempt(knex, { ...options, timeouts: limits.timeouts }, limits, unit, state, work, record),
        (wait, deadline) => waitOutsideLockQueue(knex, { relation: wait.relation, mode: wait.mode, what: unit.what, deadline }, options.log),
      );
      state.prepare = undefined;
      return attempts;
    },
  };
}

/** One try; resolves to undefined on success, or to the error and the last lock wait seen. */
async function attempt(
  knex: Knex,
  options: StepOptions,
  limits: AttemptLimits,
  unit: Unit,
  state: RunnerState,
  work: (db: Knex) => Promise<void>,
  record: (db: Knex) => Promise<void>,
): Promise<AttemptFailure | undefined> {
  let watcher: LockWaitWatcher | undefined;
  const watch = (pid: number) => {
    const said = (w: LockWait) => options.log(`${unit.what} is waiting for ${describeWaitTarget(w)}, held by ${describeBlockers(w)}`);
    // A probe's wait lasts PROBE_LOCK_TIMEOUT_MS at most: the watcher looks soon and often enough to see it.
    watcher = watchLockWaits(knex, pid, said, limits.probe ? PROBE_WATCH : undefined);
  };
  try {
    if (unit.step.outsideTransaction) {
      await withTimeoutSession(knex, options.timeouts, async (session, pid) => {
        watch(pid);
        await work(session);
      });
      await commitWork(knex, options, state, record);
    } else {
      await commitWork(knex, options, state, async (trx) => {
        await work(trx);
        await record(trx);
      }, watch, unit.commitAsync);
    }
    await watcher?.stop();
    return undefined;
  } catch (error) {
    return { error, wait: await watcher?.stop() };
  }
}

/** The transaction every unit's work commits in. */
async function commitWork(
  knex: Knex,
  options: StepOptions,
  state: RunnerState,
  work: (trx: Knex.Transaction) => Promise<void>,
  watch?: (pid: number) => void,
  commitAsync?: () => boolean,
): Promise<void> {
  await knex.transaction(async (trx) => {
    const pid = await applyLocalTimeouts(trx, options.timeouts);
    watch?.(pid);
    await state.prepare?.(trx);
    state.knexLockTableSeen = await assertKnexNotMigrating(trx, { lockRow: true, seen: state.knexLockTableSeen });
    await work(trx);
    await commitFenced(trx, [options.commitFence, commitAsync?.() ? ASYNC_COMMIT : undefined]);
  });
}

/**
 * A backfill batch that is not its step's last commits without waiting for its WAL to reach disk
 * (or a synchronous standby). The batch and its cursor are one transaction, so a crash loses both
 * or neither; the next run redoes that batch from the cursor that survived (batches are safe to
 * redo). The step's last unit commits synchronously, and its flush covers every batch before it.
 */
const ASYNC_COMMIT = 'SET LOCAL synchronous_commit = off';

/**
 * The fence (the run still holds the migration lock, db/lock-fence.ts), a
 * batch's asynchronous commit, and COMMIT, last and in one simple-query round trip: whatever locks the step
 * took are held for one round trip more, not five. When the fence raises, the
 * COMMIT after it in the string never runs and the error rolls the
 * transaction back. The BEGIN after the COMMIT opens an empty transaction for
 * knex's own COMMIT to close, after every lock is gone: without it, that
 * COMMIT would find no transaction and the server would log a warning
 * ("there is no transaction in progress") for every step and batch.
 */
async function commitFenced(trx: Knex.Transaction, before: ReadonlyArray<string | undefined>): Promise<void> {
  try {
    await trx.raw([...before.filter((sql) => sql !== undefined), 'COMMIT', 'BEGIN'].join(';\n'));
  } catch (error) {
    if ((error as { code?: unknown }).code === LOCK_LOST_SQLSTATE) throw new LockLostError({ rolledBack: true });
    throw error;
  }
}
