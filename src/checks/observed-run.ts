/**
 * Runs the pending migrations, for real and committed, on the throwaway copy,
 * as `up` would (a plain migration in one transaction unless it says
 * `transaction: false`; a phased one step by step, each batch of a batched
 * step in a transaction of its own), and returns what each statement did to
 * the tables that existed before.
 */
import type { Knex } from 'knex';
import { MigrationFailedError } from '../errors';
import { statementOf } from '../db/statement-errors';
import type { LocalMigration } from '../history/local-migrations';
import type { PhaseState } from '../history/phase-state';
import { loadMigration } from '../model/load-migration';
import { RUN_DEFAULTS } from '../engine/locked-run';
import { startingPosition } from '../engine/run-migration';
import { runSteps, type UnitRunner } from '../engine/run-steps';
import type { ObservedStatement } from './observation';
import { observeStatements, type StatementObserver } from './statement-observer';
import { EXISTING_TABLES } from './table-state';

/** `partWay`: where migrations standing part-way on the target got to (their steps done are already in the copy). */
export async function observePending(copy: Knex, schema: string, pending: LocalMigration[], partWay: readonly PhaseState[] = []): Promise<ObservedStatement[]> {
  const states = new Map(partWay.map((s) => [s.name, s]));
  const existing = (await copy.raw(EXISTING_TABLES, [schema])).rows.map((r: { oid: number }) => r.oid);
  // The copy's knex has exactly one connection: every statement the migrations send goes through it.
  const conn = await copy.client.acquireConnection();
  await copy.client.releaseConnection(conn);
  const observer = await observeStatements(conn, existing);
  try {
    for (const local of pending) {
      const migration = await loadMigration(local);
      // From where `up` carries it on: running a part-way migration from its first step again would fail on what
      // that step already made ("relation ... already exists"). The copy has no rows, so a backfill starts over.
      const { stepsDone } = startingPosition({ state: states.get(migration.name), direction: 'up', steps: migration.steps });
      // The one executor (engine/run-steps.ts), with the real batch size: what `up` runs, unit by unit.
      await runSteps(copy, observingRunner(copy, observer), {
        migration, direction: 'up', from: { stepsDone, cursor: null, rowsDone: 0 }, stopAt: migration.steps.length,
        batchSize: RUN_DEFAULTS.batchSize, batchPauseMs: 0, record: async () => {},
      });
    }
  } finally {
    observer.restore();
  }
  return observer.observed;
}

/** Each unit committed on the copy as `up` commits it (in a transaction unless its step runs outside one), its statements observed where they ran. */
function observingRunner(copy: Knex, observer: StatementObserver): UnitRunner {
  return {
    run: async ({ migration, step, batch }, work, record) => {
      const batched = batch !== undefined;
      observer.at(migration.phased ? { migration: migration.name, phase: step.phase, step: step.name, batched } : { migration: migration.name, batched });
      const unit = step.outsideTransaction ? work(copy) : copy.transaction(async (trx) => {
        await work(trx);
        await record(trx);
      });
      await unit.catch((error: unknown) => Promise.reject(new MigrationFailedError(migration.name, 'up', error, { statement: statementOf(error) })));
      return 1;
    },
  };
}
