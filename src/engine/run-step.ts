/**
 * Applying or reverting one migration atomically: its statements and the
 * history row commit together in one transaction, or not at all. A migration
 * that opts out of the transaction (`config.transaction = false`, needed for
 * CREATE INDEX CONCURRENTLY) is recorded only after it has finished.
 */
import type { Knex } from 'knex';
import { MigrationFailedError } from '../errors';
import { recordApplied, removeApplied } from '../history/history-table';
import { loadMigration, type LocalMigration } from '../history/local-migrations';

export type Direction = 'up' | 'down';

export interface StepResult {
  name: string;
  direction: Direction;
  ms: number;
}

export async function runStep(
  knex: Knex,
  migration: LocalMigration,
  direction: Direction,
  batch: number,
): Promise<StepResult> {
  const mod = await loadMigration(migration);
  const record = (db: Knex) =>
    direction === 'up' ? recordApplied(db, migration.name, batch) : removeApplied(db, migration.name);
  const started = performance.now();
  try {
    if (mod.config?.transaction === false) {
      await mod[direction](knex);
      await record(knex);
    } else {
      await knex.transaction(async (trx) => {
        await mod[direction](trx);
        await record(trx);
      });
    }
  } catch (error) {
    throw new MigrationFailedError(migration.name, direction, error);
  }
  return { name: migration.name, direction, ms: Math.round(performance.now() - started) };
}
