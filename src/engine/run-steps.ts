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
import type { Migration, Step } from '../model/migration';
import { isBatched } from '../phased/phased-migration';
import { runBatches } from './run-batches';
import type { StepPlan, Unit, UnitRunner } from './step-plan';

export type { Position, StepHooks, StepPlan, Unit, UnitRunner } from './step-plan';

/** Runs the plan's steps; resolves to the retries the units needed. `knex` is for the batches' row estimates. */
export async function runSteps(knex: Knex, runner: UnitRunner, plan: StepPlan): Promise<number> {
  const { migration, direction } = plan;
  const going = direction === 'up';
  let position = plan.from;
  let retries = 0;
  while (going ? position.stepsDone < plan.stopAt : position.stepsDone > plan.stopAt) {
    const index = going ? position.stepsDone : position.stepsDone - 1;
    const step = migration.steps[index]!;
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
    // A plain migration's one step is reported by the command; a batched step with nothing to do this way is not worth a line.
    // Nor is a generated step with no statement this way (an operation's step that only acts going up, say).
    if (migration.phased && !(isBatched(step) && !batch) && step.statements?.[direction].length !== 0) {
      plan.onStep?.({
        type: 'phase-finished', name: migration.name, step: step.name, phase: step.phase, direction,
        ms: Math.round(performance.now() - started), attempts: 1 + outcome.retries,
        ...(outcome.batches === undefined ? {} : { batches: outcome.batches, rows: outcome.rows }),
      });
    }
    plan.afterUnit?.(position);
  }
  return retries;
}

/** `006_rbac_roles [expand: add role column]`, or a plain migration's name. */
function whatOf(migration: Migration, step: Step): string {
  return migration.phased ? `${migration.name} [${step.phase}: ${step.name}]` : migration.name;
}
