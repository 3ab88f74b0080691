/**
 * The one model every command and the engine work with: a migration is a list
 * of steps. A phased migration's steps are the ones its file lists; a plain
 * migration is a single step (its `up` and `down`). One executor
 * (engine/run-steps.ts) runs them all, for real, in a dry run and for the stock
 * knex CLI, so what a command does never depends on how the file was written,
 * and no command needs to know a particular migration.
 */
import type { Knex } from 'knex';
import { expandedAt, type PhasedStep } from '../phased/phased-migration';
import type { LocalMigration } from '../history/local-migrations';
import type { DataLoss, MigrationModule } from './migration-module';
import { planFingerprint } from './plan-fingerprint';

/**
 * One step as the executor runs it. `outsideTransaction`: the step cannot run
 * in a transaction (CREATE INDEX CONCURRENTLY); it runs on a session of its own,
 * is never retried after a lock timeout, and its progress is recorded after it.
 */
export type Step = PhasedStep & { outsideTransaction?: boolean; inTransactionForm?: boolean; waitsAside?: boolean };

export interface Migration extends LocalMigration {
  steps: readonly Step[];
  /**
   * Written as phases: each step runs, is recorded and is reported on its own,
   * and the migration can stand part-way (held expanded). A plain migration's
   * one step is the whole migration.
   */
  phased: boolean;
  /** Steps applied once both application versions are served (every expand and backfill step). */
  expandedAt: number;
  /** What each step number means (plan-fingerprint.ts): recorded when it starts, compared when a run carries it on. */
  plan: string;
  /**
   * What reverting the whole migration would destroy. Reverting only its
   * contract destroys nothing: the expanded state holds both shapes of the data.
   */
  dataLostOnDown?(knex: Knex): Promise<DataLoss[]>;
  /** What the stock knex CLI is given beside up/down (knex's `config.transaction`). */
  knexConfig?: MigrationModule['config'];
  /** Findings of `check` the migration accepts on purpose, as it exports them (checked by checks/accepted-findings.ts). */
  acceptFindings?: unknown;
  /** Why it cannot start on this database (operations/start-checks.ts): `up` refuses it, before anything runs, for any. */
  startChecks?(knex: Knex): Promise<string[]>;
}

/** The model of a loaded file; `mod` is checked well-formed (load-migration.ts). */
export function toMigration(local: LocalMigration, mod: MigrationModule): Migration {
  const common = { ...local, dataLostOnDown: mod.dataLostOnDown?.bind(mod), knexConfig: mod.config, acceptFindings: mod.acceptFindings };
  if (mod.phases) {
    const steps: readonly Step[] = mod.phases;
    // The stock knex CLI cannot run a step that refuses a transaction inside its own: it runs the steps without one
    // (a generated step with an in-transaction form, e.g. an operation's index build, runs in knex's transaction).
    const knexConfig = mod.config ?? (steps.some((s) => s.outsideTransaction && !s.inTransactionForm) ? { transaction: false } : undefined);
    return { ...common, knexConfig, steps, phased: true, expandedAt: expandedAt(steps), plan: planFingerprint(steps) };
  }
  const plain: Step = {
    // Never shown (phased: false); 'expand' because a plain migration is whole at its one step: `up --expand` runs it to the end.
    phase: 'expand',
    name: local.name,
    up: mod.up!.bind(mod),
    down: mod.down!.bind(mod),
    outsideTransaction: mod.config?.transaction === false,
  };
  return { ...common, steps: [plain], phased: false, expandedAt: 1, plan: planFingerprint([plain]) };
}

/** Where a migration's data-loss count applies: reverting below its expanded point. */
export function revertLosesData(migration: Migration, stopAt: number): boolean {
  return stopAt < migration.expandedAt;
}
