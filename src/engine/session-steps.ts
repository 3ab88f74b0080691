/**
 * A migration that opts out of the transaction (`config.transaction = false`,
 * e.g. CREATE INDEX CONCURRENTLY) runs on a session of its own with session
 * settings (lock_timeout, statement_timeout): through a transaction pooler those
 * would land on whichever server connection is lent for each statement. Such a
 * run is refused before any step, so nothing is half done (db/pooler.ts).
 */
import type { Knex } from 'knex';
import { assertSessionKept } from '../db/pooler';
import { loadMigration, type LocalMigration } from '../history/local-migrations';
import type { Direction } from './run-step';

export async function assertSessionStepsCanRun(knex: Knex, steps: LocalMigration[], direction: Direction): Promise<void> {
  const outside: string[] = [];
  for (const step of steps) if ((await loadMigration(step)).config?.transaction === false) outside.push(step.name);
  if (outside.length === 0) return;
  await assertSessionKept(knex, `${outside.join(', ')} (${direction}) runs outside a transaction and`);
}
