/**
 * A step outside a transaction (e.g. CREATE INDEX CONCURRENTLY) runs on a
 * session of its own with session settings (lock_timeout, statement_timeout):
 * through a transaction pooler those would land on whichever server connection
 * is lent for each statement. Such a run is refused before any step, so nothing
 * is half done (db/pooler.ts).
 */
import type { Knex } from 'knex';
import { assertSessionKept } from '../db/pooler';
import type { Migration } from '../model/migration';
import type { Direction } from './step-result';

export async function assertSessionStepsCanRun(knex: Knex, migrations: readonly Migration[], direction: Direction): Promise<void> {
  const outside = migrations.filter((m) => m.steps.some((s) => s.outsideTransaction)).map((m) => m.name);
  if (outside.length === 0) return;
  await assertSessionKept(knex, `${outside.join(', ')} (${direction}) runs outside a transaction and`);
}
