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
import { loadMigration } from '../model/load-migration';
import { isBatched } from '../phased/phased-migration';
import { RUN_DEFAULTS } from '../engine/locked-run';
import type { ObservedStatement } from './observation';
import { observeStatements } from './statement-observer';
import { EXISTING_TABLES } from './table-state';

export async function observePending(copy: Knex, schema: string, pending: LocalMigration[]): Promise<ObservedStatement[]> {
  const existing = (await copy.raw(EXISTING_TABLES, [schema])).rows.map((r: { oid: number }) => r.oid);
  // The copy's knex has exactly one connection: every statement the migrations send goes through it.
  const conn = await copy.client.acquireConnection();
  await copy.client.releaseConnection(conn);
  const observer = await observeStatements(conn, existing);
  try {
    for (const migration of pending) {
      const loaded = await loadMigration(migration);
      const fail = (error: unknown) => new MigrationFailedError(migration.name, 'up', error, { statement: statementOf(error) });
      const plain = loaded.steps[0]!;
      if (!loaded.phased && !isBatched(plain)) {
        observer.at({ migration: migration.name, batched: false });
        const run = plain.outsideTransaction ? plain.up(copy) : copy.transaction((trx) => plain.up(trx));
        await run.catch((error: unknown) => Promise.reject(fail(error)));
        continue;
      }
      for (const step of loaded.steps) {
        const where = { migration: migration.name, phase: step.phase, step: step.name };
        if (!isBatched(step)) {
          observer.at({ ...where, batched: false });
          await copy.transaction((trx) => step.up(trx)).catch((error) => Promise.reject(fail(error)));
          continue;
        }
        observer.at({ ...where, batched: true });
        for (let cursor: string | null = null, first = true; step.batch.up && (first || cursor !== null); first = false) {
          const from: string | null = cursor;
          cursor = (await copy.transaction((trx) => step.batch.up!(trx, from, RUN_DEFAULTS.batchSize)).catch((error) => Promise.reject(fail(error)))).next;
        }
      }
    }
  } finally {
    observer.restore();
  }
  return observer.observed;
}
