/**
 * The one step executor. Every migration is a list of steps (model/migration.ts);
 * this runs them one way, from a position to a stop, whatever runs each unit of
 * work: a real run (work-transaction.ts), a dry run (dry-run.ts) or the stock
 * knex CLI's one transaction (knex-migration-source.ts). A unit is a step, or
 * one batch of a batched step; it runs with the new position recorded in it.
 * So a run killed at any moment leaves the migration at a step boundary or
 * between two batches, and the next run carries on from there, redoing at most
 * the batch that was running.
 */
import type { Knex } from 'knex';
import { sleep } from '../db/backoff';
import { checkpointsBetween, readCheckpoints, type CheckpointReading } from '../db/checkpoint-counter';
import type { Migration, Step } from '../model/migration';
import { actsGoing, isBatched, isOutsideTransaction, type BatchFunction, type BatchResult } from '../phased/phased-migration';
import { passGates, type BatchGate } from './batch-gate';
import { batchesMayCommitAsync } from './batch-commit-mode';
import { adaptiveBatchSizer, fixedBatchSizer } from './batch-sizer';
import type { StepListener } from './step-events';
import type { Direction } from './step-result';

/** Where a migration stands: steps applied, and inside a batched step the cursor of its next batch. */
export interface Position {
  stepsDone: number;
  cursor: string | null;
  rowsDone: number;
}

/** One unit of work, as a runner is told about it. */
export interface Unit {
  migration: Migration;
  step: Step;
  direction: Direction;
  /** How errors and progress name it: the migration, or the migration and its step. */
  what: string;
  /** A batched step: the number of this batch in this run (1, 2, ...), 0 when it has none this way. */
  batch?: number;
  /**
   * Asked right before COMMIT: true lets a real run's COMMIT return before its WAL is flushed
   * (a batch that is not its step's last; why that is safe: docs/production-safety.md).
   */
  commitAsync?(): boolean;
}

export interface UnitRunner {
  /** Runs `work`, then `record` (the position after it), as one unit; resolves to the attempts it took. */
  run(unit: Unit, work: (db: Knex) => Promise<void>, record: (db: Knex) => Promise<void>): Promise<number>;
}

export interface StepPlan {
  migration: Migration;
  direction: Direction;
  from: Position;
  /** Stop once this many steps are applied. */
  stopAt: number;
  /** A real run on the target: the indexes of the expanded point are made sure of (ensureIndexBuilds). */
  ensureIndexes?: boolean;
  /** Rows of every batch; with `batchTimeMs`, the most rows of one batch. */
  batchSize: number;
  /** A real run: the size adapts so a batch takes about this long (batch-sizer.ts). Absent (dry runs, the stock knex CLI): `batchSize` every time. */
  batchTimeMs?: number;
  batchPauseMs: number;
  /** Asked before each batch (a real run only): each resolves when the batch may start (batch-gate.ts). */
  gates?: readonly BatchGate[];
  /** A real run: a backfill step that saw checkpoints requested while it ran says so (a 'checkpoints' event). */
  watchCheckpoints?: boolean;
  onStep?: StepListener;
  /** Writes `position` in the unit's transaction (nothing, for the stock knex CLI, which records the migration itself). */
  record(db: Knex, position: Position): Promise<void>;
  /**
   * In a step's unit, before its work: what `record` of that position needs made first (the phase
   * table), so that it is not made while the step's locks are held.
   */
  prepareRecord?(db: Knex, position: Position): Promise<void>;
  /** Work the engine adds around a step (the drain triggers, src/drain/drain-hooks.ts). */
  hooks?: StepHooks;
  /** After each unit committed and was reported, before the next starts (a real run only); `batch`: its number in this run. */
  afterUnit?(position: Position, batch?: number): void;
}

/** Called with the step's index in the migration's list. */
export interface StepHooks {
  /** In the step's unit, before its work (a transaction step only). */
  before(db: Knex, index: number): Promise<void>;
  /** In the step's unit, after its work (a transaction step only). */
  after(db: Knex, index: number): Promise<void>;
  /** After the step committed (batched steps too); absent in a dry run, which commits nothing. */
  committed?(knex: Knex, index: number): Promise<void>;
}

/** Runs the plan's steps; resolves to the retries the units needed. `knex` is for the batches' row estimates. */
export async function runSteps(knex: Knex, runner: UnitRunner, plan: StepPlan): Promise<number> {
  const { migration, direction } = plan;
  const going = direction === 'up';
  let position = plan.from;
  let retries = 0;
  let indexesEnsured = false;
  while (going ? position.stepsDone < plan.stopAt : position.stepsDone > plan.stopAt) {
    const index = going ? position.stepsDone : position.stepsDone - 1;
    const step = migration.steps[index]!;
    if (plan.ensureIndexes && going && !indexesEnsured && step.phase === 'contract' && migration.phased) {
      retries += await ensureIndexBuilds(runner, migration, index);
      indexesEnsured = true;
    }
    const after = going ? position.stepsDone + 1 : position.stepsDone - 1;
    const started = performance.now();
    const batch = isBatched(step) ? step.batch[direction] : undefined;
    const unit: Unit = { migration, step, direction, what: whatOf(migration, step), ...(isBatched(step) ? { batch: 0 } : {}) };
    const outcome = batch
      ? await runBatches(knex, runner, plan, unit, batch, position, after)
      : {
          retries: -1 + await runner.run(
            unit,
            async (db) => {
              await plan.prepareRecord?.(db, { stepsDone: after, cursor: null, rowsDone: 0 });
              await plan.hooks?.before(db, index);
              if (!isBatched(step)) await step[direction](db);
              await plan.hooks?.after(db, index);
            },
            (db) => plan.record(db, { stepsDone: after, cursor: null, rowsDone: 0 }),
          ),
        };
    retries += outcome.retries;
    position = { stepsDone: after, cursor: null, rowsDone: 0 };
    await plan.hooks?.committed?.(knex, index);
    // A plain migration's one step is reported by the command; a step with nothing to do this way is not worth a line.
    if (migration.phased && actsGoing(step, direction)) {
      plan.onStep?.({
        type: 'phase-finished', name: migration.name, step: step.name, phase: step.phase, direction,
        ms: Math.round(performance.now() - started), attempts: 1 + outcome.retries,
        ...(outcome.batches === undefined ? {} : { batches: outcome.batches, rows: outcome.rows }),
      });
    }
    plan.afterUnit?.(position);
  }
  // Down to the expanded point, its indexes stand as they did there (a contract reverted may have taken one along).
  if (plan.ensureIndexes && !going && plan.stopAt > 0 && position.stepsDone === plan.stopAt && plan.from.stepsDone > plan.stopAt && migration.phased) {
    retries += await ensureIndexBuilds(runner, migration, plan.stopAt);
  }
  return retries;
}

const INDEX_BUILD = /^CREATE (UNIQUE )?INDEX CONCURRENTLY IF NOT EXISTS /;

/**
 * The index builds among the steps before `end` run again: a no-op for an index that is there (IF NOT EXISTS), a
 * build for one that is not. Reverting a contract can take an index with it: alterColumn `unique`'s constraint took
 * over its index, and DROP CONSTRAINT drops both, so the expanded state lacked the index and `complete` then failed
 * on every run (found by review). The compiled steps stay as they were (applied migrations' SQL is frozen).
 */
async function ensureIndexBuilds(runner: UnitRunner, migration: Migration, end: number): Promise<number> {
  let retries = 0;
  for (const step of migration.steps.slice(0, end)) {
    if (!isOutsideTransaction(step) || !INDEX_BUILD.test(step.statements?.up[0] ?? '')) continue;
    const unit: Unit = { migration, step, direction: 'up', what: whatOf(migration, step) };
    retries += -1 + await runner.run(unit, (db) => step.up(db), async () => {});
  }
  return retries;
}

/** What one step did, for its progress line. */
interface StepOutcome {
  retries: number;
  batches?: number;
  rows?: number;
}

/** The batches of one step, from `from`, each a unit that also records the cursor. */
async function runBatches(
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
  // Sized from the time each batch took, measured here: the batch itself stays one statement plus saving the position.
  const checkpointsAtStart = plan.watchCheckpoints ? await readCheckpoints(knex).catch(() => undefined) : undefined;
  const sizer = plan.batchTimeMs ? adaptiveBatchSizer({ targetMs: plan.batchTimeMs, cap: plan.batchSize, now: () => performance.now() }) : fixedBatchSizer(plan.batchSize);
  const mayCommitAsync = batchesMayCommitAsync();
  let { cursor, rowsDone } = from;
  let retries = 0;
  let batches = 0;
  let rowsThisRun = 0;
  do {
    await passGates(plan.gates ?? [], { knex, migration: unit.migration.name, step: step.name, sizer, onStep: plan.onStep });
    let result: BatchResult | undefined;
    retries += -1 + await runner.run(
      // The last batch records the step's end: its COMMIT stays synchronous, and flushes the batches' WAL before it.
      { ...unit, batch: batches + 1, commitAsync: () => mayCommitAsync && result !== undefined && result.next !== null },
      async (db) => {
        result = await batch(db, cursor, sizer.next()); // each attempt restarts the clock, with the same size
      },
      (db) => plan.record(db, result!.next === null
        ? { stepsDone: after, cursor: null, rowsDone: 0 }
        : { stepsDone: from.stepsDone, cursor: result!.next, rowsDone: rowsDone + result!.rows }),
    );
    sizer.done(); // from the last attempt's start to its commit: as long as it held its rows
    cursor = result!.next;
    rowsDone += result!.rows;
    rowsThisRun += result!.rows;
    batches++;
    plan.onStep?.({
      type: 'progress', name: unit.migration.name, step: step.name, phase: step.phase, direction: unit.direction,
      rowsDone, estimatedRows: estimate, rowsThisRun, ms: performance.now() - started,
    });
    // The last batch's unit is the step's end: runSteps calls afterUnit for it.
    if (cursor !== null) plan.afterUnit?.({ stepsDone: from.stepsDone, cursor, rowsDone }, batches);
    if (cursor !== null && plan.batchPauseMs > 0) await sleep(plan.batchPauseMs);
  } while (cursor !== null);
  if (checkpointsAtStart) await reportForcedCheckpoints(knex, checkpointsAtStart, unit, plan.onStep);
  return { retries, batches, rows: rowsThisRun };
}

/** `006_rbac_roles [expand: add role column]`, or a plain migration's name. */
function whatOf(migration: Migration, step: Step): string {
  return migration.phased ? `${migration.name} [${step.phase}: ${step.name}]` : migration.name;
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
