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
import { listLocalMigrations, loadMigration, type LocalMigration } from '../history/local-migrations';
import { expandedAt } from '../phased/phased-migration';
import type { PhaseState } from '../phased/phase-state';
import { startingPosition } from '../phased/run-phased';
import { carryOn, type UpOptions, type UpResult } from './up';

export type CompleteOptions = Omit<UpOptions, 'to' | 'expand'> & DrainOptions;

export async function complete(ctx: MigrationContext, options: CompleteOptions = {}): Promise<UpResult> {
  const local = listLocalMigrations(ctx.migrationsDir);
  return underMigrationLock(ctx, 'complete', local, options, async (run) => {
    const targets = options.dryRun ? [] : await beforeContract(local, run.partWay);
    if (targets.length > 0) await passDrainGate(ctx.knex, targets, options, ctx.log);
    const partWay = new Set(run.partWay.map((s) => s.name));
    return carryOn(ctx, local, local.filter((m) => partWay.has(m.name)), run, options, 'all');
  });
}

/** Part-way migrations whose contract has not begun: the ones the gate guards. */
async function beforeContract(local: LocalMigration[], partWay: PhaseState[]): Promise<DrainTarget[]> {
  const names = local.map((m) => m.name);
  const targets: DrainTarget[] = [];
  for (const state of partWay) {
    const migration = local.find((m) => m.name === state.name);
    const steps = migration && (await loadMigration(migration)).phases;
    if (!steps) continue;
    if (startingPosition({ state, direction: 'up', steps }).stepsDone > expandedAt(steps)) continue;
    targets.push({ migration: state.name, drops: contractDropsIn(DEFAULT_SNAPSHOTS_DIR, names, state.name) });
  }
  return targets;
}
