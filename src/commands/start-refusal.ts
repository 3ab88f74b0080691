/** The refusal `up` and `check` share: a migration that cannot start on the database as it stands. */
import type { Knex } from 'knex';
import type { StepResult } from '../engine/step-result';
import { ConfigError } from '../errors';
import type { Migration } from '../model/migration';

/**
 * Why a migration that has not started cannot start on the database as it stands (operations/start-checks.ts), asked
 * at its turn: the migrations before it in the same run may be what makes it possible (found by review: a plain
 * migration filling the NULLs, then `nullable: false`, was refused as one run). `before`: what this run applied first.
 */
export async function refuseIfCannotStart(knex: Knex, migration: Migration, before: readonly StepResult[]): Promise<void> {
  const refusals = (await migration.startChecks?.(knex)) ?? [];
  if (refusals.length === 0) return;
  const stands = before.length === 0 ? 'Nothing was changed.' : `${before.map((s) => s.name).join(', ')} applied before it; nothing of ${migration.name} was run.`;
  throw new ConfigError(refusals.map((reason) => `${migration.name}: ${reason}`).join('; '),
    `${stands} Resolve that, or write the change as a plain migration (docs/online-migrations.md).`);
}
