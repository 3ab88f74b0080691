/**
 * The batches of one batched step (run-steps.ts runs the steps), each a unit
 * that also records the cursor after it.
 *
 * Overlapped commits. A batch's COMMIT waits for its WAL to reach the disk
 * (and a synchronous standby): at 10M rows about 6 ms of every ~40 ms batch,
 * while the database's CPU has nothing to do for this run. So where the runner
 * allows it (a real run: one transaction per unit, on a pool), the next batch's
 * work starts as soon as this batch's work is done, in a transaction of its
 * own, and runs while this one commits. The order of commits does not change:
 * a batch records its cursor only once the batch ahead of it has committed, and
 * only if that batch committed the cursor this one started from. Otherwise
 * (the batch ahead failed, or a retry of it ended elsewhere) this one rolls
 * back: the step then fails with the error of the batch ahead, or carries on
 * from what the batch ahead really committed. So a killed run still leaves the
 * cursor of a committed batch, with every batch before it committed, and no
 * batch after it; at most two batches' row locks are held at a time, never
 * overlapping rows (disjoint ranges of the table).
 *
 * Sequential where it cannot or should not overlap: dry runs and the stock
 * knex CLI run every unit in one transaction, and a --batch-pause asks for
 * time between batches.
 */
import type { Knex } from 'knex';
import { sleep } from '../db/backoff';
import { checkpointsBetween, readCheckpoints, type CheckpointReading } from '../db/checkpoint-counter';
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';
import { isBatched, type BatchFunction, type BatchResult } from '../phased/phased-migration';
import { batchesMayCommitAsync } from './batch-commit-mode';
import { adaptiveBatchSizer, fixedBatchSizer, type BatchTicket } from './batch-sizer';
import type { Position, StepPlan, Unit, UnitRunner } from './step-plan';
import type { StepListener } from './step-events';

/** What one step did, for its progress line. */
export interface StepOutcome {
  retries: number;
  batches?: number;
  rows?: number;
}

/** Where a batch starts: its cursor, and the rows done before it. */
interface BatchStart {
  cursor: string | null;
  rowsDone: number;
}

/** A batch sent off: its work may be running, done, or committed. */
interface Launched {
  start: BatchStart;
  ticket: BatchTicket;
  /** The last attempt's result: the one that commits, if any does. */
  result?: BatchResult;
  /** Resolves when an attempt's work is done (its COMMIT may still be to come). */
  worked: Promise<void>;
  /** Resolves to the attempts it took once it committed; rejects when it failed. */
  committed: Promise<number>;
  /** Resolves once it committed and was reported (progress, the test stop point): right at its commit, in commit order. */
  finished: Promise<void>;
}

/**
 * Raised in a batch's unit, before it records anything, when the batch ahead of
 * it did not commit the cursor this one started from: it rolls the batch back.
 * Never reaches the user: runBatches handles it. A KonstructError, so that the
 * lock retry passes it on as it is.
 */
class BatchAheadMoved extends KonstructError {
  constructor() {
    super('the batch ahead did not commit where this batch started', { exitCode: ExitCode.Internal });
  }
}

export async function runBatches(
  knex: Knex,
  runner: UnitRunner,
  plan: StepPlan,
  unit: Unit,
  batch: BatchFunction,
  from: Position,
  after: number,
): Promise<StepOutcome> {
  const { step } = unit;
  const estimate = plan.onStep && isBatched(step) ? await step.batch.estimateRows?.(knex).catch(() => undefined) : undefined;
  const started = performance.now();
  const checkpointsAtStart = plan.watchCheckpoints ? await readCheckpoints(knex).catch(() => undefined) : undefined;
  // Sized from the time each batch took, measured here: the batch itself stays one statement plus saving the position.
  const overlap = runner.overlapsCommits === true && plan.batchPauseMs === 0;
  const sizer = plan.batchTimeMs
    ? adaptiveBatchSizer({ targetMs: plan.batchTimeMs, cap: plan.batchSize, now: () => performance.now(), lag: overlap ? 1 : 0 })
    : fixedBatchSizer(plan.batchSize);
  const mayCommitAsync = batchesMayCommitAsync();
  const outcome = { retries: 0, batches: 0, rows: 0 };

  /** Sends a batch off from `start`; with `ahead`, it records only after that one committed where it starts. */
  const launch = (start: BatchStart, ahead: Launched | undefined): Launched => {
    const ticket = sizer.begin();
    let worked!: () => void;
    const launched = { start, ticket, worked: new Promise<void>((resolve) => (worked = resolve)) } as Launched;
    launched.committed = runner.run(
      // The last batch records the step's end: its COMMIT stays synchronous, and flushes the batches' WAL before it.
      { ...unit, batch: outcome.batches + (ahead ? 2 : 1), commitAsync: () => mayCommitAsync && launched.result !== undefined && launched.result.next !== null },
      async (db) => {
        ticket.restart(); // each attempt restarts the clock, with the same size
        launched.result = await batch(db, start.cursor, ticket.rows);
        worked();
      },
      async (db) => {
        if (ahead && !(await committedAt(ahead, start))) throw new BatchAheadMoved();
        const end = positionAfter(start, launched.result!);
        await plan.record(db, end.cursor === null ? { stepsDone: after, cursor: null, rowsDone: 0 } : { stepsDone: from.stepsDone, ...end });
      },
    );
    launched.finished = launched.committed.then((attempts) => finish(launched, attempts));
    // Awaited in order below; a failure is handled there, not as unhandled.
    launched.committed.catch(() => {});
    launched.finished.catch(() => {});
    return launched;
  };

  /** A batch committed: progress, the test stop point, the sizer. */
  const finish = (launched: Launched, attempts: number): void => {
    outcome.retries += attempts - 1;
    launched.ticket.end(); // from the last attempt's start to its commit: as long as it held its rows
    const result = launched.result!;
    const rowsDone = launched.start.rowsDone + result.rows;
    outcome.rows += result.rows;
    outcome.batches++;
    plan.onStep?.({
      type: 'progress', name: unit.migration.name, step: step.name, phase: step.phase, direction: unit.direction,
      rowsDone, estimatedRows: estimate, rowsThisRun: outcome.rows, ms: performance.now() - started,
    });
    // The last batch's unit is the step's end: runSteps calls afterUnit for it.
    if (result.next !== null) plan.afterUnit?.({ stepsDone: from.stepsDone, cursor: result.next, rowsDone }, outcome.batches);
  };

  let start: BatchStart = { cursor: from.cursor, rowsDone: from.rowsDone };
  let committing: Launched | undefined; // the batch whose work is done and whose COMMIT may still run
  for (;;) {
    const ahead = committing;
    committing = undefined;
    const settled = () => (ahead ? ahead.finished.catch(() => {}) : Promise.resolve());
    try {
      for (const gate of plan.gates ?? []) await gate.beforeBatch({ knex, migration: unit.migration.name, step: step.name, sizer, onStep: plan.onStep, settled });
    } catch (error) {
      await settled(); // no transaction of this run is left behind
      throw error;
    }
    const current = launch(start, overlap ? ahead : undefined);
    // Its work done, or the whole unit failed; the batch ahead commits meanwhile.
    const failed = await Promise.race([current.worked.then(() => false), current.committed.then(() => false, () => true)]);
    if (ahead) {
      if (!(await ahead.finished.then(() => true, () => false))) {
        await current.finished.catch(() => {}); // it rolls back on seeing that
        await ahead.finished; // rejects: the step fails with the error of the batch ahead
      }
      const aheadEnd = positionAfter(ahead.start, ahead.result!);
      if (aheadEnd.cursor !== start.cursor) {
        // A retry of the batch ahead ended elsewhere: this one rolls back; carry on from there.
        await current.finished.catch(() => {});
        current.ticket.abandon();
        if (aheadEnd.cursor === null) break;
        start = aheadEnd;
        continue;
      }
    }
    if (failed) await current.finished; // rejects: the step fails with this batch's error
    if (overlap && current.result!.next !== null) {
      committing = current;
      start = positionAfter(start, current.result!);
      continue;
    }
    await current.finished;
    const end = positionAfter(start, current.result!);
    if (end.cursor === null) break;
    if (plan.batchPauseMs > 0) await sleep(plan.batchPauseMs);
    start = end;
  }
  if (checkpointsAtStart) await reportForcedCheckpoints(knex, checkpointsAtStart, unit, plan.onStep);
  return outcome;
}

/**
 * Whether `ahead` committed with its cursor at `start` and was reported (false: it failed, a retry of it
 * ended elsewhere, or reporting it threw, e.g. a listener that stops the run: then nothing after it commits).
 */
async function committedAt(ahead: Launched, start: BatchStart): Promise<boolean> {
  const ok = await ahead.finished.then(() => true, () => false);
  return ok && ahead.result!.next === start.cursor;
}

/** Where a batch leaves the step: the next cursor and the rows done, or the step's end. */
function positionAfter(start: BatchStart, result: BatchResult): BatchStart {
  return { cursor: result.next, rowsDone: start.rowsDone + result.rows };
}

/**
 * After a backfill step: checkpoints requested while it ran, usually because its WAL outgrew max_wal_size;
 * their writes slow the application (docs/production-safety.md#a-big-backfill-and-max_wal_size). Only
 * advice: a statistic that cannot be read says nothing.
 */
async function reportForcedCheckpoints(knex: Knex, start: CheckpointReading, unit: Unit, onStep: StepListener | undefined): Promise<void> {
  const end = await readCheckpoints(knex).catch(() => undefined);
  const forced = end && checkpointsBetween(start, end);
  if (forced) onStep?.({ type: 'checkpoints', name: unit.migration.name, step: unit.step.name, ...forced });
}

