/**
 * What a migration file exports: `up` and `down` (a plain migration), or
 * `phases` (a phased one, src/phased/phased-migration.ts). The loader
 * (load-migration.ts) turns either into one Migration (migration.ts).
 */
import type { Operation } from '../operations';
import type { Knex } from 'knex';
import type { PhasedStep } from '../phased/phased-migration';

export interface MigrationModule {
  up?(knex: Knex): Promise<void>;
  down?(knex: Knex): Promise<void>;
  /** knex's convention: `export const config = { transaction: false }` for e.g. CREATE INDEX CONCURRENTLY. */
  config?: { transaction?: boolean };
  /**
   * What reverting this migration would destroy, counted on the live database
   * before `down` runs; `down` refuses (or asks) when any count is above zero.
   * Knowledge of the migration, so it lives in the migration file.
   */
  dataLostOnDown?(knex: Knex): Promise<DataLoss[]>;
  /** A phased migration's steps; konstruct-migrate runs them one by one. */
  phases?: readonly PhasedStep[];
  /** Declarative operations (src/operations/); the loader compiles them into `phases`. */
  operations?: readonly Operation[];
  /** Findings of `check` accepted on purpose: `[{ rule, table, reason }]` (docs/checking-migrations.md). */
  acceptFindings?: unknown;
}

export interface DataLoss {
  /** e.g. "rows in user_tenant_roles". */
  what: string;
  count: number;
}
