/**
 * What the step executor (run-steps.ts) and its backfill batches
 * (run-batches.ts) are given: the plan of a run, the units of work it is made
 * of, and the runner each unit runs in.
 */
import type { Knex } from 'knex';
import type { Migration, Step } from '../model/migration';
import type { BatchGate } from './batch-gate';
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
  /**
   * Units run in transactions of their own, so the next backfill batch may work while one commits
   * (run-batches.ts). Not so where every unit shares one transaction (dry runs, the stock knex CLI).
   */
  readonly overlapsCommits?: boolean;
  /** Runs `work`, then `record` (the position after it), as one unit; resolves to the attempts it took. */
  run(unit: Unit, work: (db: Knex) => Promise<void>, record: (db: Knex) => Promise<void>): Promise<number>;
}

export interface StepPlan {
  migration: Migration;
  direction: Direction;
  from: Position;
  /** Stop once this many steps are applied. */
  stopAt: number;
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
