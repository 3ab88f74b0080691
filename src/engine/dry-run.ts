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
 * transaction: the dry run stops before it and says so.
 *
 * A phased migration shows each of its steps that would run, with its phase;
 * of a batched step, the first batch's statements (the others repeat them).
 */
import type { ContractDrops } from '../drain/contract-drops';
import { drainHooks, type DrainHooks } from '../drain/drain-hooks';
import type { Knex } from 'knex';
import { KonstructError, LockTimeoutError, MigrationFailedError } from '../errors';
import { statementOf } from '../db/statement-errors';
import { ensureHistoryTables, recordApplied, removeApplied } from '../history/history-table';
import { loadMigration, type LocalMigration } from '../history/local-migrations';
import type { Direction } from './run-step';
import { applyLocalTimeouts, type SessionTimeouts } from './session-timeouts';
import { recordStatements, type RecordedStatement, type StatementRecorder } from './statement-recorder';
import { RUN_DEFAULTS } from './locked-run';
import { isBatched, type PhaseName, type PhasedStep } from '../phased/phased-migration';

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

/** A migration to dry-run; for a phased one, the indexes of the steps to run, in order. */
export interface DryRunUnit {
  migration: LocalMigration;
  steps?: number[];
  /** What its contract drops: the drain triggers come and go as in a real run, their statements listed with the step's. */
  drops?: ContractDrops | null;
}

export async function dryRunSteps(
  knex: Knex,
  units: DryRunUnit[],
  direction: Direction,
  batch: number,
  timeouts: SessionTimeouts,
): Promise<DryRunStep[]> {
  const results: DryRunStep[] = [];
  const conn = await knex.client.acquireConnection();
  const recorder = recordStatements(conn);
  try {
    await knex.transaction(
      async (trx) => {
        await applyLocalTimeouts(trx, timeouts);
        if (direction === 'up') await ensureHistoryTables(trx);
        for (const { migration, steps, drops } of units) {
          const mod = await loadMigration(migration);
          if (mod.phases && steps) {
            const drain = drainHooks(migration.name, drops, mod.phases, direction);
            await dryRunPhased(trx, recorder, migration, mod.phases, steps, direction, results, drain);
            if (direction === 'up' && steps.at(-1) === mod.phases.length - 1) await recordApplied(trx, migration, batch);
            if (direction === 'down') await removeApplied(trx, migration.name);
            continue;
          }
          if (mod.config?.transaction === false) {
            results.push({ name: migration.name, direction, statements: [], notRun: 'it is not transactional, so it cannot be run and rolled back; the dry run stops here' });
            break;
          }
          await recorder.start();
          try {
            await mod[direction](trx);
          } catch (error) {
            throw stepError(migration, direction, error);
          } finally {
            results.push({ name: migration.name, direction, statements: recorder.stop() });
          }
          if (direction === 'up') await recordApplied(trx, migration, batch);
          else await removeApplied(trx, migration.name);
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

async function dryRunPhased(
  trx: Knex.Transaction,
  recorder: StatementRecorder,
  migration: LocalMigration,
  phases: readonly PhasedStep[],
  steps: number[],
  direction: Direction,
  results: DryRunStep[],
  drain: DrainHooks,
): Promise<void> {
  for (const index of steps) {
    const step = phases[index]!;
    const shown: DryRunStep = { name: migration.name, direction, phase: step.phase, step: step.name, statements: [] };
    await recorder.start({ eachMode: true });
    try {
      if (!isBatched(step)) {
        await drain.before(trx, index);
        await step[direction](trx);
        await drain.after(trx, index);
      } else {
        const batch = step.batch[direction];
        let cursor: string | null = null;
        shown.batches = 0;
        while (batch) {
          cursor = (await batch(trx, cursor, RUN_DEFAULTS.batchSize)).next;
          shown.batches++;
          if (shown.batches === 1) shown.statements = recorder.stop();
          if (cursor === null) break;
        }
      }
    } catch (error) {
      throw stepError(migration, direction, error);
    } finally {
      if (!shown.batches) shown.statements = recorder.stop();
      results.push(shown);
    }
  }
}

function stepError(migration: LocalMigration, direction: Direction, error: unknown): KonstructError {
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
