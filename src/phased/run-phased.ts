/**
 * Running a phased migration one way, from where it stands: each transaction
 * step in its own short transaction, each batch of a batched step in its own,
 * and the new position written (phase-state.ts) in that same transaction. So a
 * run killed at any moment leaves the migration exactly at a step boundary or
 * between two batches, and the next run carries on from there, redoing at most
 * the batch that was running.
 *
 * The knex_migrations row follows the migration's ends: it is written in the
 * transaction of the last step up (which also deletes the phase row), and
 * deleted in the first transaction down (which writes the phase row).
 */
import type { Knex } from 'knex';
import { assertKnexNotMigrating } from '../history/knex-lock-row';
import { recordApplied, removeApplied } from '../history/history-table';
import type { LocalMigration } from '../history/local-migrations';
import { sleep } from '../engine/backoff';
import { retryOnLockTimeout, type AttemptFailure, type RetryOptions } from '../engine/lock-retry';
import { describeBlockers, describeWaitTarget, watchLockWaits } from '../engine/lock-wait-watcher';
import { applyLocalTimeouts } from '../engine/session-timeouts';
import type { Direction, StepResult } from '../engine/run-step';
import type { StepListener } from '../engine/step-events';
import { isBatched, type BatchResult, type PhasedStep } from './phased-migration';
import { deletePhaseState, savePhaseState, type PhaseState } from './phase-state';

export interface PhasedRunOptions extends RetryOptions {
  batchSize: number;
  batchPauseMs: number;
  onStep?: StepListener;
  /** Bookkeeping that must commit with the first transaction (e.g. creating the history tables). */
  prepare?: (db: Knex) => Promise<void>;
}

export interface PhasedTarget {
  migration: LocalMigration;
  steps: readonly PhasedStep[];
  /** Where it stands: a phase row, or `applied` (in knex_migrations), or neither (not started). */
  state?: PhaseState;
  applied?: boolean;
  direction: Direction;
  /** Stop once this many steps are applied: going up, all of them or the expanded point; going down, 0 or the expanded point. */
  stopAt: number;
  /** Mark the phase row held (`up --expand`, `down --to-expanded`): plain `up` then refuses to carry it on. */
  held: boolean;
  /** knex batch number for the knex_migrations row. */
  batch: number;
}

/** Where a run starts: steps applied, and a batch cursor to resume with. */
interface Position {
  stepsDone: number;
  cursor: string | null;
  rowsDone: number;
}

/**
 * A batched step half done the *other* way is treated as wholly undone (going up)
 * or wholly done (going down) and run again from its start: batches must be safe to redo.
 */
export function startingPosition(t: Pick<PhasedTarget, 'state' | 'applied' | 'direction' | 'steps'>): Position {
  if (!t.state) return { stepsDone: t.applied ? t.steps.length : 0, cursor: null, rowsDone: 0 };
  const { stepsDone, cursor, direction, rowsDone } = t.state;
  if (cursor === null) return { stepsDone, cursor: null, rowsDone: 0 };
  if (direction === t.direction) return { stepsDone, cursor, rowsDone };
  return { stepsDone: t.direction === 'up' ? stepsDone - 1 : stepsDone + 1, cursor: null, rowsDone: 0 };
}

export async function runPhased(knex: Knex, t: PhasedTarget, options: PhasedRunOptions): Promise<StepResult> {
  const started = performance.now();
  const n = t.steps.length;
  let { stepsDone, cursor, rowsDone } = startingPosition(t);
  let attempts = 1;
  let prepare = options.prepare;
  const checksum = t.state?.checksum ?? t.migration.checksum;
  const going = t.direction === 'up';
  const last = t.stopAt;

  /** The bookkeeping of one transaction: the new position, and the history row at the ends. */
  const record = async (trx: Knex.Transaction, done: number, next: string | null, rows: number) => {
    if (prepare) await prepare(trx);
    if (going && done === n) {
      await deletePhaseState(trx, t.migration.name);
      await recordApplied(trx, t.migration, t.batch);
    } else if (!going && done === 0) {
      await deletePhaseState(trx, t.migration.name);
      await removeApplied(trx, t.migration.name);
    } else {
      if (!going) await removeApplied(trx, t.migration.name);
      await savePhaseState(trx, { name: t.migration.name, stepsDone: done, direction: t.direction, cursor: next, rowsDone: rows, held: t.held, checksum });
    }
  };

  // Held is written even when nothing is left to run before the stop (up --expand on an expanded migration).
  if (t.state && t.held && !t.state.held && (going ? stepsDone >= last : stepsDone <= last)) {
    await inTransaction(knex, t, 'hold', options, (trx) => record(trx, stepsDone, cursor, rowsDone));
  }

  while (going ? stepsDone < last : stepsDone > last) {
    const index = going ? stepsDone : stepsDone - 1;
    const step = t.steps[index]!;
    const after = going ? stepsDone + 1 : stepsDone - 1;
    const label = `${t.migration.name} [${step.phase}: ${step.name}]`;
    const stepStarted = performance.now();
    let stepRetries = 0;
    const batch = isBatched(step) ? step.batch[t.direction] : undefined;
    let batches: number | undefined;
    let rowsThisRun = 0;
    if (isBatched(step) && batch) {
      batches = 0;
      const estimate = await step.batch.estimateRows?.(knex).catch(() => undefined);
      const startedAt = performance.now();
      const rowsAtStart = rowsDone;
      for (;;) {
        let result: BatchResult | undefined;
        stepRetries += -1 + await inTransaction(knex, t, label, options, async (trx) => {
          result = await batch(trx, cursor, options.batchSize);
          const rows = rowsDone + result.rows;
          await record(trx, result.next === null ? after : stepsDone, result.next, result.next === null ? 0 : rows);
        });
        prepare = undefined;
        rowsDone += result!.rows;
        rowsThisRun += result!.rows;
        batches++;
        cursor = result!.next;
        options.onStep?.({
          type: 'progress', name: t.migration.name, step: step.name, phase: step.phase, direction: t.direction,
          rowsDone, estimatedRows: estimate, rowsThisRun: rowsDone - rowsAtStart, ms: performance.now() - startedAt,
        });
        if (cursor === null) break;
        if (options.batchPauseMs > 0) await sleep(options.batchPauseMs);
      }
    } else {
      stepRetries += -1 + await inTransaction(knex, t, label, options, async (trx) => {
        if (!isBatched(step)) await step[t.direction](trx);
        await record(trx, after, null, 0);
      });
      prepare = undefined;
    }
    attempts += stepRetries;
    stepsDone = after;
    cursor = null;
    rowsDone = 0;
    options.onStep?.({
      type: 'phase-finished', name: t.migration.name, step: step.name, phase: step.phase, direction: t.direction,
      ms: Math.round(performance.now() - stepStarted), attempts: 1 + stepRetries,
      ...(batches === undefined ? {} : { batches, rows: rowsThisRun }),
    });
  }
  return { name: t.migration.name, direction: t.direction, ms: Math.round(performance.now() - started), attempts };
}

/** One short transaction under the run's timeouts, retried after lock timeouts; resolves to its attempts. */
function inTransaction(
  knex: Knex,
  t: PhasedTarget,
  what: string,
  options: PhasedRunOptions,
  work: (trx: Knex.Transaction) => Promise<void>,
): Promise<number> {
  const label = { migration: t.migration.name, what, direction: t.direction, transactional: true };
  return retryOnLockTimeout(label, options, async (): Promise<AttemptFailure | undefined> => {
    let watcher: ReturnType<typeof watchLockWaits> | undefined;
    try {
      await knex.transaction(async (trx) => {
        const pid = await applyLocalTimeouts(trx, options.timeouts);
        watcher = watchLockWaits(knex, pid, (w) => options.log(`${what} is waiting for ${describeWaitTarget(w)}, held by ${describeBlockers(w)}`));
        await assertKnexNotMigrating(trx, { lockRow: true });
        await work(trx);
      });
      await watcher?.stop();
      return undefined;
    } catch (error) {
      return { error, wait: await watcher?.stop() };
    }
  });
}
