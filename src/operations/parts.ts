/**
 * What one operation contributes to a migration, before the compiler
 * (compile.ts) merges the contributions of every operation on a table into one
 * expand, one backfill pass and one contract. Everything is SQL text, so the
 * compiled steps carry their statements as data (dry run, `check`, the snapshot
 * test that freezes them).
 */

import type { BatchedStep } from '../phased/phased-migration';

/** The transaction steps of a migration, in the order they run going up. */
export type Slot =
  /** Catalog-only changes both application versions can live with; new constraints NOT VALID. */
  | 'expand'
  /** Going down only: a restored column gets NOT NULL back, proven by its validated CHECK (no scan). */
  | 'restoreNotNull'
  /** VALIDATE: scans under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on. */
  | 'validate'
  /** SET NOT NULL, proven by a validated CHECK (no scan), and the CHECK dropped. */
  | 'setNotNull'
  /** What only the old version needed goes. */
  | 'contract';

/** `down` lists the statements in the order they run going down (already reversed). */
export interface Statements {
  up: string[];
  down: string[];
}

/**
 * While both shapes exist: `column` follows `expression` (SQL over the row's
 * columns) when the other application version writes. With `sources` (the
 * columns the expression reads, when the operation knows them) it follows on
 * every UPDATE that names a source, through a column-list trigger; without, on
 * any UPDATE that changes the expression's value and leaves `column` alone.
 * A NULL in `column` means "not filled yet": inserts and updates fill it.
 */
export interface SyncRule {
  column: string;
  expression: string;
  sources?: string[];
  /**
   * On INSERT, follow when this column was given (is not NULL) instead of when
   * `column` is NULL: for a column with a default, which is never NULL.
   */
  insertWhenGiven?: string;
}

/** A column the backfill fills (where it is NULL) from an expression over the row. */
export interface Fill {
  column: string;
  expression: string;
  /** SQL condition asked before each batch; where false there is nothing to fill (a column only one path adds). */
  onlyIf?: string;
}

/** Work outside a transaction (CREATE/DROP INDEX CONCURRENTLY), one step of its own. */
export interface OutsideWork {
  /** expand: after expand; backfill: after the backfill; contract: after contract. */
  phase: 'expand' | 'backfill' | 'contract';
  name: string;
  up: ConcurrentSql;
  down: ConcurrentSql;
}

/** A statement to run outside a transaction, with its form inside one (offline path, dry run). */
export interface ConcurrentSql {
  /** Before `sql`: an index by this name that a killed build left INVALID is dropped (CONCURRENTLY). */
  dropInvalidIndex?: string;
  sql: string;
  inTransaction: string;
  /** `sql` and `inTransaction` are queries whose rows (column `statement`) are the statements, run in order. */
  generate?: boolean;
}

export interface OperationParts {
  /** The table whose expand, backfill and contract this shares; none for e.g. raw SQL. */
  table?: string;
  slots?: Partial<Record<Slot, Statements>>;
  rules?: SyncRule[];
  /** Filled by the backfill going up. */
  fillUp?: Fill[];
  /** Filled going down, before what the contract dropped comes back whole. */
  fillDown?: Fill[];
  outside?: OutsideWork[];
  /** Batched steps of their own, run after the backfill (the `batch` operation). */
  batches?: BatchedStep[];
}
