/**
 * A real run of one migration, one way, from where it stands (run-steps.ts
 * runs its steps). What each unit records, in its own transaction:
 *   - a phased migration that stands part-way: its row in the phase table
 *     (history/phase-state.ts), written and read under the migration lock;
 *   - at the ends, the knex_migrations row: written in the transaction of the
 *     last step up (which also deletes the phase row), deleted in the first
 *     transaction down (which writes the phase row).
 * A plain migration's one step goes straight from one end to the other.
 */
import type { Knex } from 'knex';
import { recordApplied, removeApplied } from '../history/history-table';
import { deletePhaseState, ensurePhaseTable, savePhaseState, type PhaseState } from '../history/phase-state';
import { forgetSteering } from '../history/steering-table';
import type { Migration, Step } from '../model/migration';
import type { ContractDrops } from '../drain/contract-drops';
import { drainHooks } from '../drain/drain-hooks';
import { asPrivilegeError } from '../errors';
import { tellWhatStands } from './part-way-report';
import { runSteps, type Position, type UnitRunner } from './run-steps';
import type { Direction, StepResult } from './step-result';
import type { StepListener } from './step-events';
import type { BatchGate } from './batch-gate';
import { stopIfTestAsks } from './test-stop-point';

export interface MigrationTarget {
  migration: Migration;
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
  /** What its contract drops, for the drain triggers (src/drain/); null or absent: none are made. */
  drops?: ContractDrops | null;
}

export interface BatchOptions {
  batchSize: number;
  batchTimeMs?: number;
  batchPauseMs: number;
  /** Asked before each backfill batch (batch-gates.ts). */
  gates?: readonly BatchGate[];
  /** A real run: a backfill step reports the checkpoints requested while it ran (run-steps.ts). */
  watchCheckpoints?: boolean;
  onStep?: StepListener;
}

export async function runMigration(knex: Knex, runner: UnitRunner, t: MigrationTarget, options: BatchOptions): Promise<StepResult> {
  const from = startingPosition({ ...t, steps: t.migration.steps });
  // The last position a unit of this run committed: what a failure leaves standing (part-way-report.ts).
  let recorded: Position | undefined;
  let committed: Position | undefined;
  // The phase table stands once a phase row was committed (and while this run holds the lock, nothing drops it);
  // a row without a plan may be in a table an earlier version made, without that column: the first record adds it.
  let phaseTableStands = t.state !== undefined && t.state.plan !== null;
  // Transactions whose step made sure of the table before its work (prepareRecord below).
  const tableMade = new WeakSet<Knex>();
  const record = recorder(t, (db) => phaseTableStands || tableMade.has(db));
  const prepareRecord = async (db: Knex, { stepsDone }: Position) => {
    if (!writesPhaseRow(t, stepsDone)) return;
    await ensurePhaseTable(db);
    tableMade.add(db);
  };
  const tracked: UnitRunner = {
    run: async (unit, work, rec) => {
      const attempts = await runner.run(unit, work, rec);
      committed = recorded;
      if (committed && writesPhaseRow(t, committed.stepsDone)) phaseTableStands = true;
      return attempts;
    },
  };
  try {
    const result = await runFrom(knex, tracked, t, from, (db, position) => {
      recorded = position;
      return record(db, position);
    }, prepareRecord, options);
    // At an end there is no backfill left to steer: an operator's pause or batch time is forgotten (steering-table.ts).
    if (t.migration.phased && (t.direction === 'up' ? t.stopAt === t.migration.steps.length : t.stopAt === 0)) await forgetSteering(knex, t.migration.name);
    return result;
  } catch (error) {
    // A raw permission denied becomes the user's error here, so that it says what stands and what this run applied.
    throw tellWhatStands(asPrivilegeError(error) ?? error, { migration: t.migration, steps: t.migration.steps, direction: t.direction }, committed ?? from);
  }
}

async function runFrom(
  knex: Knex,
  runner: UnitRunner,
  t: MigrationTarget,
  from: Position,
  record: (db: Knex, position: Position) => Promise<void>,
  prepareRecord: (db: Knex, position: Position) => Promise<void>,
  options: BatchOptions,
): Promise<StepResult> {
  const started = performance.now();
  let retries = 0;

  // Held is written even when nothing is left to run before the stop: up --expand on an expanded migration, or on one
  // whose first step is already its contract (a lone dropColumn or dropIndex: found by review, nothing was recorded,
  // and a plain `up` then contracted it behind the operator's back). Not at an end: that is the history's to say.
  const atStop = t.direction === 'up' ? from.stepsDone >= t.stopAt : from.stepsDone <= t.stopAt;
  if (t.held && !t.state?.held && atStop && writesPhaseRow(t, from.stepsDone)) {
    const hold = { migration: t.migration, step: { ...t.migration.steps[0]!, outsideTransaction: false }, direction: t.direction, what: 'hold' };
    retries += -1 + await runner.run(hold, async () => {}, (db) => record(db, from));
  }
  const hooks = drainHooks(t.migration, t.drops, t.direction);
  // afterUnit: test-only, a SIGKILL between two units (test-stop-point.ts).
  retries += await runSteps(knex, runner, {
    migration: t.migration, direction: t.direction, from, stopAt: t.stopAt, record, hooks, afterUnit: stopIfTestAsks, ensureIndexes: true, ...options,
    prepareRecord,
  });
  return { name: t.migration.name, direction: t.direction, ms: Math.round(performance.now() - started), attempts: 1 + retries };
}

/** Writes a position: the phase row in between, the history row at the ends. */
function recorder(t: MigrationTarget, phaseTableStands: (db: Knex) => boolean): (db: Knex, position: Position) => Promise<void> {
  const { migration } = t;
  const going = t.direction === 'up';
  const checksum = t.state?.checksum ?? migration.checksum;
  // Recorded when it starts; a row without one (written before plans were recorded) gets it now: the run compared first.
  const plan = migration.plan;
  // Only then can there be a phase row to delete at an end (a plain migration never writes one).
  let phaseRowWritten = t.state !== undefined;
  return async (db, { stepsDone, cursor, rowsDone }) => {
    if (going && stepsDone === migration.steps.length) {
      if (phaseRowWritten) await deletePhaseState(db, migration.name);
      await recordApplied(db, migration, t.batch);
    } else if (!going && stepsDone === 0) {
      if (phaseRowWritten) await deletePhaseState(db, migration.name);
      await removeApplied(db, migration.name);
    } else {
      if (!going) await removeApplied(db, migration.name);
      await savePhaseState(db, { name: migration.name, stepsDone, direction: t.direction, cursor, rowsDone, held: t.held, checksum, plan }, phaseTableStands(db));
      phaseRowWritten = true;
    }
  };
}

/** A position between the ends is a phase row (recorder below); at an end, the history row says it. */
function writesPhaseRow(t: MigrationTarget, stepsDone: number): boolean {
  return t.direction === 'up' ? stepsDone !== t.migration.steps.length : stepsDone !== 0;
}

/**
 * Where a run starts. A batched step half done the *other* way is treated as
 * wholly undone (going up) or wholly done (going down) and run again from its
 * start: batches must be safe to redo.
 */
export function startingPosition(t: { state?: PhaseState; applied?: boolean; direction: Direction; steps: readonly Step[] }): Position {
  if (!t.state) return { stepsDone: t.applied ? t.steps.length : 0, cursor: null, rowsDone: 0 };
  const { stepsDone, cursor, direction, rowsDone } = t.state;
  if (cursor === null) return { stepsDone, cursor: null, rowsDone: 0 };
  if (direction === t.direction) return { stepsDone, cursor, rowsDone };
  return { stepsDone: t.direction === 'up' ? stepsDone - 1 : stepsDone + 1, cursor: null, rowsDone: 0 };
}
