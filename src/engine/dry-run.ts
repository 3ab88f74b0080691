/**
 * --dry-run: the pending steps run for real, in order, inside ONE transaction
 * that is always rolled back — so later steps see what earlier ones did, and
 * nothing is committed: no schema change, no history row, not even the history
 * tables on a database that has none. Every statement each step sent is
 * recorded, with the table locks it took.
 *
 * A lock already held in that transaction is not taken again, so a table an
 * earlier pending step created or locked shows no lock in a later step; run
 * with `--to` to look at one step alone.
 * A non-transactional step (CREATE INDEX CONCURRENTLY) cannot run inside a
 * transaction: the dry run stops before it and says so, unless the step has a
 * form for inside one (`inTransactionForm`, the steps operations generate).
 *
 * A phased migration shows each of its steps that would run, with its phase;
 * of a batched step, the first batch's statements (the others repeat them).
 * The steps run through the same executor as a real run (run-steps.ts), with
 * the run's options (--batch-size); only each unit's transaction differs.
 */
import type { Knex } from 'knex';
import { KonstructError, LockTimeoutError, MigrationFailedError } from '../errors';
import { statementOf } from '../db/statement-errors';
import { ensureHistoryTables, recordApplied, removeApplied } from '../history/history-table';
import type { ContractDrops } from '../drain/contract-drops';
import { drainHooks } from '../drain/drain-hooks';
import type { Migration } from '../model/migration';
import type { PhaseName } from '../phased/phased-migration';
import { runSteps, type Position, type Unit, type UnitRunner } from './run-steps';
import type { Direction } from './step-result';
import { applyLocalTimeouts, type SessionTimeouts } from './session-timeouts';
import { recordStatements, type RecordedStatement, type StatementRecorder } from './statement-recorder';

export interface DryRunStep {
  name: string;
  direction: Direction;
  /** A step of a phased migration: its phase and name. */
  phase?: PhaseName;
  step?: string;
  /** A batched step: how many batches ran (only the first one's statements are listed). */
  batches?: number;
  statements: RecordedStatement[];
  /** Why this step was not run (it is not transactional); the dry run stopped here. */
  notRun?: string;
}

class RollBack {}
class StopHere {}

/** A migration to dry-run, from where it stands to `stopAt` steps applied. */
export interface DryRunUnit {
  migration: Migration;
  from: Position;
  stopAt: number;
  /** What its contract drops: the drain triggers come and go as in a real run, their statements listed with the step's. */
  drops?: ContractDrops | null;
}

export async function dryRunSteps(
  knex: Knex,
  units: DryRunUnit[],
  direction: Direction,
  run: { batch: number; batchSize: number; timeouts: SessionTimeouts },
): Promise<DryRunStep[]> {
  const results: DryRunStep[] = [];
  const conn = await knex.client.acquireConnection();
  const recorder = recordStatements(conn);
  try {
    await knex.transaction(
      async (trx) => {
        await applyLocalTimeouts(trx, run.timeouts);
        if (direction === 'up') await ensureHistoryTables(trx);
        const runner = inTheOneTransaction(trx, recorder, results);
        try {
          for (const { migration, from, stopAt, drops } of units) {
            const record = (db: Knex, { stepsDone }: Position) =>
              direction === 'down' ? removeApplied(db, migration.name) : stepsDone === migration.steps.length ? recordApplied(db, migration, run.batch) : Promise.resolve();
            // The drain triggers' statements as the real run has them; nothing commits, so nothing to do after a step.
            const { before, after } = drainHooks(migration, drops, direction);
            await runSteps(knex, runner, { migration, direction, from, stopAt, batchSize: run.batchSize, batchPauseMs: 0, record, hooks: { before, after } });
          }
        } catch (error) {
          if (!(error instanceof StopHere)) throw error;
        }
        throw new RollBack();
      },
      { connection: conn },
    );
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  } finally {
    recorder.restore();
    await knex.client.releaseConnection(conn);
  }
  return results;
}

/** Each unit in the dry run's one transaction, its statements recorded: one entry per step, a batched step's first batch shown. */
function inTheOneTransaction(trx: Knex.Transaction, recorder: StatementRecorder, results: DryRunStep[]): UnitRunner {
  return {
    run: async (unit, work, record) => {
      const { migration, step, direction } = unit;
      const shown = migration.phased ? { phase: step.phase, step: step.name } : {};
      if (step.outsideTransaction && !step.inTransactionForm) {
        results.push({ name: migration.name, direction, ...shown, statements: [], notRun: 'it is not transactional, so it cannot be run and rolled back; the dry run stops here' });
        throw new StopHere();
      }
      const later = unit.batch !== undefined && unit.batch > 1;
      const entry: DryRunStep = later ? results.at(-1)! : { name: migration.name, direction, ...shown, statements: [] };
      if (!later) results.push(entry);
      if (unit.batch !== undefined) entry.batches = unit.batch;
      // A phased step runs in a transaction of its own for real, so each mode it takes is shown (statement-recorder.ts).
      if (!later) await recorder.start(migration.phased ? { eachMode: true } : undefined);
      try {
        await work(trx);
      } catch (error) {
        throw stepError(unit, error);
      } finally {
        if (!later) entry.statements = recorder.stop();
      }
      await record(trx);
      return 1;
    },
  };
}

function stepError({ migration, direction }: Unit, error: unknown): KonstructError {
  if (error instanceof KonstructError) return error;
  if ((error as { code?: string })?.code === '55P03') {
    return new LockTimeoutError(
      `dry run of ${migration.name} (${direction}) could not get a table lock within lock_timeout; it was rolled back`,
      'Another session holds a lock it needs; try again later, or raise --lock-timeout.',
      error,
    );
  }
  return new MigrationFailedError(migration.name, direction, error, { statement: statementOf(error) });
}
