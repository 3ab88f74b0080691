/**
 * The phase API for migration authors (see docs/online-migrations.md).
 *
 * A migration on a live, large table can be written as an ordered list of
 * steps, each tagged with its phase:
 *   expand   — add what the new application version needs, keep the old working;
 *   backfill — fill existing rows in batches of short transactions;
 *   contract — remove what only the old version needed.
 * konstruct-migrate runs each step in its own short transaction (a batched step:
 * one transaction per batch), records progress in the same transaction, and can
 * stop once expanded (`up --expand`) until `complete`.
 *
 *   import type { PhasedStep } from '../src/phased/phased-migration'; // types only
 *   export const phases: PhasedStep[] = [
 *     { phase: 'expand', name: 'add column', up: async (knex) => ..., down: async (knex) => ... },
 *     { phase: 'backfill', name: 'fill column', batch: { up: async (knex, cursor, size) => ({ next, rows }) } },
 *     { phase: 'contract', name: 'drop old column', up: ..., down: ... },
 *   ];
 *
 * The file imports types only, so the compiled migration needs nothing from
 * the engine at run time (frozen history: a later engine cannot change what it
 * does). The loader (model/load-migration.ts) makes it a list of steps; the
 * engine runs them (engine/run-steps.ts), also for the stock knex CLI
 * (engine/knex-migration-source.ts): there every step in knex's one
 * transaction, offline, as a plain migration.
 */
import type { Knex } from 'knex';

export type PhaseName = 'expand' | 'backfill' | 'contract';
export const PHASE_ORDER: readonly PhaseName[] = ['expand', 'backfill', 'contract'];

/** What one batch did: where the next one starts (null: the step is done), and how many rows it covered. */
export interface BatchResult {
  next: string | null;
  rows: number;
}

/**
 * One batch, run in its own transaction with the cursor saved in that same
 * transaction. `cursor` is null for the first batch. It must take row locks
 * only, and be safe to run again: after a crash the last batch is redone, and a
 * step half done one way may be run again from the start the other way.
 */
export type BatchFunction = (knex: Knex, cursor: string | null, size: number) => Promise<BatchResult>;

export interface TransactionStep {
  phase: PhaseName;
  /** Shown in progress, status and errors, e.g. "add role column and triggers". */
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export interface BatchedStep {
  phase: PhaseName;
  name: string;
  batch: {
    /** Absent: nothing to do going up. */
    up?: BatchFunction;
    /** Absent: nothing to do going down. */
    down?: BatchFunction;
    /** Roughly how many rows the batches will cover, for progress (cheap: an estimate is fine). */
    estimateRows?(knex: Knex): Promise<number>;
  };
}

/**
 * Work PostgreSQL refuses inside a transaction (CREATE/DROP INDEX CONCURRENTLY).
 * The runner calls it on its own, then records the new position in a short
 * transaction of its own: so `up` and `down` must be safe to run again (a kill
 * between the work and the record redoes the work). Called inside a transaction
 * (the stock knex CLI's offline path, --dry-run), it must do the same work in
 * that transaction's way (e.g. CREATE INDEX without CONCURRENTLY).
 */
export interface OutsideTransactionStep extends TransactionStep {
  outsideTransaction: true;
  /**
   * Declared by steps that keep the promise above (the generated ones,
   * operations/concurrent-step.ts): --dry-run runs such a step in its one
   * transaction instead of stopping before it.
   */
  inTransactionForm?: true;
  /**
   * Its statements take no lock an application statement queues behind, only wait for older transactions to end
   * (CREATE or DROP INDEX CONCURRENTLY: SHARE UPDATE EXCLUSIVE, then a wait for every transaction older than the
   * build). Such a wait costs the application nothing, so it may last up to --lock-budget, not --lock-timeout (found
   * by review: any transaction open for more than 0.5 s anywhere in the database failed a createIndex).
   */
  waitsAside?: true;
}

/** The SQL a generated step sends, as data: for --dry-run, `check`, and the snapshot that freezes it. */
export interface StepStatements {
  up: readonly string[];
  down: readonly string[];
}

export type PhasedStep = (TransactionStep | BatchedStep | OutsideTransactionStep) & { statements?: StepStatements };


export function isBatched(step: PhasedStep): step is BatchedStep {
  return 'batch' in step;
}

/**
 * Whether a step does anything going this way. A batched step without batches this way does not, nor does a
 * generated step without a statement this way (an operation's refill that only acts going down, say).
 */
export function actsGoing(step: PhasedStep, direction: 'up' | 'down'): boolean {
  if (isBatched(step) && step.batch[direction] === undefined) return false;
  return step.statements?.[direction].length !== 0;
}

export function isOutsideTransaction(step: PhasedStep): step is OutsideTransactionStep {
  return 'outsideTransaction' in step && step.outsideTransaction === true;
}

/** Throws, naming the step, when `phases` is not a list of steps in phase order. */
export function assertWellFormed(steps: readonly PhasedStep[]): void {
  if (!Array.isArray(steps) || steps.length === 0) throw new Error('phases: give at least one step');
  let last = 0;
  for (const step of steps) {
    const rank = PHASE_ORDER.indexOf(step.phase);
    if (rank < 0) throw new Error(`phases: step "${step.name}" has phase "${step.phase}"; expected expand, backfill or contract`);
    if (rank < last) throw new Error(`phases: step "${step.name}" (${step.phase}) comes after a later phase; order them expand, backfill, contract`);
    last = rank;
    if (!isBatched(step) && (typeof step.up !== 'function' || typeof step.down !== 'function')) {
      throw new Error(`phases: step "${step.name}" needs up(knex) and down(knex), or batch: { up?, down? }`);
    }
  }
}

/** Steps applied once the migration is expanded: every expand and backfill step. */
export function expandedAt(steps: readonly PhasedStep[]): number {
  const firstContract = steps.findIndex((s) => s.phase === 'contract');
  return firstContract < 0 ? steps.length : firstContract;
}
