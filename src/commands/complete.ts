/**
 * `complete`: carry every part-way phased migration to its end — the contract
 * after `up --expand`, or whatever an interrupted `up` or `complete` left.
 * Nothing part-way is not an error: there is nothing to complete.
 *
 * Before a contract begins, the drain gate (src/drain/) looks for evidence that
 * the old application version is still active, and refuses, waits (`wait`) or
 * is overridden (`force`). It looks under the migration lock, after the checks
 * of the history, so nothing else migrates meanwhile and a refusal for another
 * reason comes first; waiting there holds no table lock and no snapshot.
 */
import type { MigrationContext } from '../context';
import { DEFAULT_SNAPSHOTS_DIR } from '../catalog/snapshot-files';
import { contractDropsIn } from '../drain/contract-drops';
import { passDrainGate, type DrainOptions, type DrainTarget } from '../drain/drain-gate';
import { underMigrationLock } from '../engine/locked-run';
import { startingPosition } from '../engine/run-migration';
import { listLocalMigrations, type LocalMigration } from '../history/local-migrations';
import type { PhaseState } from '../history/phase-state';
import type { Migration } from '../model/migration';
import { carryOn, type UpOptions, type UpResult } from './up';
import { removeLeftoverCopies } from '../checks/leftover-copies';

export type CompleteOptions = Omit<UpOptions, 'to' | 'expand' | 'beforeRun'> & DrainOptions;

export async function complete(ctx: MigrationContext, options: CompleteOptions = {}): Promise<UpResult> {
  await removeLeftoverCopies();
  const local = listLocalMigrations(ctx.migrationsDir);
  return underMigrationLock(ctx, 'complete', local, options, async (run) => {
    const partWay = new Set(run.partWay.map((s) => s.name));
    const beforeRun = async (migrations: Migration[], states: Map<string, PhaseState>) => {
      const targets = beforeContract(local, migrations, states);
      if (targets.length > 0) await passDrainGate(ctx.knex, targets, options, ctx.log);
    };
    return carryOn(ctx, local, local.filter((m) => partWay.has(m.name)), run, { ...options, beforeRun }, 'all');
  });
}

/** Part-way migrations whose contract has not begun: the ones the gate guards. */
function beforeContract(local: LocalMigration[], migrations: Migration[], states: Map<string, PhaseState>): DrainTarget[] {
  const names = local.map((m) => m.name);
  return migrations
    .filter((m) => m.phased && startingPosition({ state: states.get(m.name), direction: 'up', steps: m.steps }).stepsDone <= m.expandedAt)
    .map((m) => ({ migration: m.name, drops: contractDropsIn(DEFAULT_SNAPSHOTS_DIR, names, m.name) }));
}
