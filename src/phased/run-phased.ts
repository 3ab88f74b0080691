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
import { isBatched, isOutsideTransaction, type BatchFunction, type BatchResult, type OutsideTransactionStep, type PhasedStep } from './phased-migration';
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

/** One run's context: how to open a transaction and how to record a position in it. */
interface Run {
  t: PhasedTarget;
  options: PhasedRunOptions;
  inTransaction(what: string, work: (trx: Knex.Transaction) => Promise<void>): Promise<number>;
  /** Writes the new position (and, at the ends, the history row) in `trx`. */
  record(trx: Knex.Transaction, position: Position): Promise<void>;
}

/** What one step did, for its progress line. */
interface StepOutcome {
  retries: number;
  batches?: number;
  rows?: number;
}

export async function runPhased(knex: Knex, t: PhasedTarget, options: PhasedRunOptions): Promise<StepResult> {
  const started = performance.now();
  const going = t.direction === 'up';
  const run = makeRun(knex, t, options);
  let position = startingPosition(t);
  let retries = 0;

  // Held is written even when nothing is left to run before the stop (up --expand on an expanded migration).
  const atStop = going ? position.stepsDone >= t.stopAt : position.stepsDone <= t.stopAt;
  if (t.state && t.held && !t.state.held && atStop) {
    const here = position;
    await run.inTransaction('hold', (trx) => run.record(trx, here));
  }

  while (going ? position.stepsDone < t.stopAt : position.stepsDone > t.stopAt) {
    const step = t.steps[going ? position.stepsDone : position.stepsDone - 1]!;
    const after = going ? position.stepsDone + 1 : position.stepsDone - 1;
    const stepStarted = performance.now();
    const batch = isBatched(step) ? step.batch[t.direction] : undefined;
    const outcome = batch
      ? await runBatches(knex, run, step, batch, position, after)
      : isOutsideTransaction(step)
      ? await runOutsideTransaction(knex, run, step, after)
      : { retries: -1 + await run.inTransaction(label(t, step), async (trx) => {
          if (!isBatched(step)) await step[t.direction](trx);
          await run.record(trx, { stepsDone: after, cursor: null, rowsDone: 0 });
        }) };
    retries += outcome.retries;
    position = { stepsDone: after, cursor: null, rowsDone: 0 };
    // A step with nothing to do this way (e.g. 006's is_admin restore, going up) is not worth a line.
    if ((isBatched(step) && !batch) || step.statements?.[t.direction].length === 0) continue;
    options.onStep?.({
      type: 'phase-finished', name: t.migration.name, step: step.name, phase: step.phase, direction: t.direction,
      ms: Math.round(performance.now() - stepStarted), attempts: 1 + outcome.retries,
      ...(outcome.batches === undefined ? {} : { batches: outcome.batches, rows: outcome.rows }),
    });
  }
  return { name: t.migration.name, direction: t.direction, ms: Math.round(performance.now() - started), attempts: 1 + retries };
}

/** The batches of one step, from `from`, each in its own transaction that also saves the cursor. */
async function runBatches(knex: Knex, run: Run, step: PhasedStep, batch: BatchFunction, from: Position, after: number): Promise<StepOutcome> {
  const { t, options } = run;
  const estimate = isBatched(step) ? await step.batch.estimateRows?.(knex).catch(() => undefined) : undefined;
  const started = performance.now();
  let { cursor, rowsDone } = from;
  let retries = 0;
  let batches = 0;
  let rowsThisRun = 0;
  do {
    let result: BatchResult | undefined;
    retries += -1 + await run.inTransaction(label(t, step), async (trx) => {
      result = await batch(trx, cursor, options.batchSize);
      const done = result.next === null;
      await run.record(trx, done ? { stepsDone: after, cursor: null, rowsDone: 0 } : { stepsDone: from.stepsDone, cursor: result.next, rowsDone: rowsDone + result.rows });
    });
    cursor = result!.next;
    rowsDone += result!.rows;
    rowsThisRun += result!.rows;
    batches++;
    options.onStep?.({
      type: 'progress', name: t.migration.name, step: step.name, phase: step.phase, direction: t.direction,
      rowsDone, estimatedRows: estimate, rowsThisRun, ms: performance.now() - started,
    });
    if (cursor !== null && options.batchPauseMs > 0) await sleep(options.batchPauseMs);
  } while (cursor !== null);
  return { retries, batches, rows: rowsThisRun };
}

/**
 * Work that cannot run in a transaction (CREATE INDEX CONCURRENTLY), then the
 * position in a short transaction of its own. A kill in between redoes the
 * work, which such a step must allow (phased-migration.ts). Never retried here:
 * a failed concurrent build is the step's to clean up when it runs again.
 */
async function runOutsideTransaction(knex: Knex, run: Run, step: OutsideTransactionStep, after: number): Promise<StepOutcome> {
  const what = { migration: run.t.migration.name, what: label(run.t, step), direction: run.t.direction, transactional: false };
  await retryOnLockTimeout(what, run.options, async () => {
    try {
      await step[run.t.direction](knex);
      return undefined;
    } catch (error) {
      return { error };
    }
  });
  return { retries: -1 + await run.inTransaction(label(run.t, step), (trx) => run.record(trx, { stepsDone: after, cursor: null, rowsDone: 0 })) };
}

function label(t: PhasedTarget, step: PhasedStep): string {
  return `${t.migration.name} [${step.phase}: ${step.name}]`;
}

function makeRun(knex: Knex, t: PhasedTarget, options: PhasedRunOptions): Run {
  const going = t.direction === 'up';
  const checksum = t.state?.checksum ?? t.migration.checksum;
  let prepare = options.prepare;
  return {
    t,
    options,
    inTransaction: async (what, work) => {
      const attempts = await inTransaction(knex, t, what, options, work);
      prepare = undefined; // committed with the first transaction
      return attempts;
    },
    record: async (trx, { stepsDone, cursor, rowsDone }) => {
      if (prepare) await prepare(trx);
      if (going && stepsDone === t.steps.length) {
        await deletePhaseState(trx, t.migration.name);
        await recordApplied(trx, t.migration, t.batch);
      } else if (!going && stepsDone === 0) {
        await deletePhaseState(trx, t.migration.name);
        await removeApplied(trx, t.migration.name);
      } else {
        if (!going) await removeApplied(trx, t.migration.name);
        await savePhaseState(trx, { name: t.migration.name, stepsDone, direction: t.direction, cursor, rowsDone, held: t.held, checksum });
      }
    },
  };
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
