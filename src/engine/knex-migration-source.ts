/**
 * The migrations as a knex MigrationSource, so the stock `knex` CLI
 * (knexfile.ts) sees exactly the names konstruct-migrate records, and runs the
 * same steps through the same executor (run-steps.ts): all of a migration's
 * steps in knex's one transaction, offline, as a plain migration; batches then
 * only bound memory. knex records the migration itself.
 *
 * While a phased migration stands part-way, every migration it gives knex
 * refuses to run: only konstruct-migrate can carry that one on. knex prints a
 * pending migration's `file`, so it carries the name too; the file is kept apart.
 */
import type { Knex } from 'knex';
import { DEFAULT_MIGRATIONS_DIR, listLocalMigrations, type LocalMigration } from '../history/local-migrations';
import { anyPartWay, PHASE_TABLE } from '../history/phase-state';
import { loadMigration } from '../model/load-migration';
import type { Migration } from '../model/migration';
import { runSteps, type UnitRunner } from './run-steps';
import type { Direction } from './step-result';

interface SourceMigration {
  name: string;
  file: string;
  local: LocalMigration;
}

/** Rows per batch when the stock knex CLI runs all steps in one transaction (batches then only bound memory). */
const OFFLINE_BATCH_SIZE = 1_000_000;

export class KonstructMigrationSource implements Knex.MigrationSource<SourceMigration> {
  constructor(private readonly dir: string = DEFAULT_MIGRATIONS_DIR) {}
  async getMigrations(): Promise<SourceMigration[]> {
    return listLocalMigrations(this.dir).map((local) => ({ name: local.name, file: local.name, local }));
  }
  getMigrationName(migration: SourceMigration): string {
    return migration.name;
  }
  async getMigration(source: SourceMigration): Promise<Knex.Migration> {
    const migration = await loadMigration(source.local);
    const offline = (direction: Direction) => async (knex: Knex) => {
      await refusePartWay(knex, migration.name, direction);
      if (direction === 'down') await refuseDataLoss(knex, migration);
      await runOffline(knex, migration, direction);
    };
    return { up: offline('up'), down: offline('down'), ...(migration.knexConfig ? { config: migration.knexConfig } : {}) };
  }
}

/** Every step one way, in `knex` (knex's transaction, or its connection for `config.transaction = false`); also `check`'s copy. */
export function runOffline(knex: Knex, migration: Migration, direction: Direction): Promise<number> {
  const inKnexTransaction: UnitRunner = {
    run: async (_unit, work, record) => {
      await work(knex);
      await record(knex);
      return 1;
    },
  };
  const all = migration.steps.length;
  const [from, stopAt] = direction === 'up' ? [0, all] : [all, 0];
  return runSteps(knex, inKnexTransaction, {
    migration, direction, from: { stepsDone: from, cursor: null, rowsDone: 0 }, stopAt,
    batchSize: OFFLINE_BATCH_SIZE, batchPauseMs: 0, record: async () => {},
  });
}

/** While a migration stands part-way, knex must neither run it in one go nor revert what lies beneath it. */
async function refusePartWay(knex: Knex, migration: string, direction: Direction): Promise<void> {
  const partWay = await anyPartWay(knex);
  if (partWay.length > 0) {
    throw refusal(
      `${partWay.join(', ')} stands part-way (see ${PHASE_TABLE}); only konstruct-migrate can carry it on: ` +
        `run \`konstruct-migrate complete\` to finish it or \`konstruct-migrate down\` to revert it (${migration} ${direction} changed nothing).`,
    );
  }
}

/** The knex CLI has no --yes: where set to `yes`, its migrate:down and migrate:rollback revert what destroys data. */
export const CONFIRM_DATA_LOSS = 'KONSTRUCT_CONFIRM_DATA_LOSS';

/**
 * What `konstruct-migrate down` refuses without --yes, the knex CLI refuses too (found by review: migrate:down
 * dropped user_tenant_roles with its rows, exit 0, where `down` refused with exit 7). Counted in knex's transaction,
 * before anything is reverted.
 */
async function refuseDataLoss(knex: Knex, migration: Migration): Promise<void> {
  if (!migration.dataLostOnDown || process.env[CONFIRM_DATA_LOSS] === 'yes') return;
  const losses = (await migration.dataLostOnDown(knex)).filter((l) => l.count > 0);
  if (losses.length === 0) return;
  throw refusal(
    `reverting ${migration.name} would destroy data (${losses.map((l) => `${l.what}: ${l.count}`).join(', ')}); nothing was changed. ` +
      `Back it up if you need it, then run again with ${CONFIRM_DATA_LOSS}=yes, or use \`konstruct-migrate down\`, which asks.`,
  );
}

/** The knex CLI prints an error's stack: these carry their one line only, the reason being the whole of it. */
function refusal(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}
