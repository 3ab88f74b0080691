/**
 * `complete`: carry every part-way phased migration to its end — the contract
 * after `up --expand`, or whatever an interrupted `up` or `complete` left.
 * Nothing part-way is not an error: there is nothing to complete.
 */
import type { MigrationContext } from '../context';
import { underMigrationLock } from '../engine/locked-run';
import { listLocalMigrations } from '../history/local-migrations';
import { carryOn, type UpOptions, type UpResult } from './up';

export type CompleteOptions = Omit<UpOptions, 'to' | 'expand'>;

export async function complete(ctx: MigrationContext, options: CompleteOptions = {}): Promise<UpResult> {
  const local = listLocalMigrations(ctx.migrationsDir);
  return underMigrationLock(ctx, 'complete', local, options, async (run) => {
    const partWay = new Set(run.partWay.map((s) => s.name));
    return carryOn(ctx, local, local.filter((m) => partWay.has(m.name)), run, options, 'all');
  });
}
