/**
 * What `check` saw one statement do on the throwaway copy, limited to the
 * tables that existed before the pending migrations ran (new tables are free:
 * nobody reads or writes them yet). Rules (rules/*.ts) judge these facts;
 * they never read the SQL text.
 */
import type { FilteredWrite } from './every-row';

export interface ObservedStatement {
  /** The migration, and for a phased one its phase and step. */
  migration: string;
  phase?: string;
  step?: string;
  /** Statements of a batched step: each batch commits on its own, so rows changed are bounded by the batch. */
  batched: boolean;
  sql: string;
  /** Table locks newly held after it, strongest per table; null when it could only run outside a transaction (locks then end with it). */
  locks: Array<{ table: string; mode: string }> | null;
  /**
   * The strongest lock its transaction holds on each table after it, earlier statements' included:
   * what the application waits behind while this statement works (VALIDATE after ADD ... NOT VALID in
   * the same transaction scans under the ADD's ACCESS EXCLUSIVE). Null as for `locks`.
   */
  held: Array<{ table: string; mode: string }> | null;
  /** The strongest lock its transaction holds on any index of each table after it (null as for `locks`). */
  indexLocked?: Array<{ table: string; mode: string }> | null;
  /** Tables whose relfilenode changed: PostgreSQL wrote a new copy of them. */
  rewritten: string[];
  /** Why a rewritten table was rewritten, as far as its catalog shows (columns added with a default, types changed). */
  rewriteCauses: RewriteCause[];
  /** Tables PostgreSQL scanned to check new constraints without rewriting them (its DEBUG1 "verifying table"). */
  verified: string[];
  /** Indexes that appeared on an existing table. */
  indexesBuilt: Array<{ table: string; index: string }>;
  /** Constraints that became validated: added without NOT VALID, or VALIDATE CONSTRAINT. */
  validated: Array<{ table: string; constraint: string; kind: 'check' | 'foreign key' }>;
  /** Columns that became NOT NULL; `proved`: an existing validated CHECK spared the scan. */
  notNullSet: Array<{ table: string; column: string; proved: boolean }>;
  /** Tables and columns that disappeared or got another name. */
  removed: Array<{ table: string; column?: string; renamedTo?: string }>;
  /**
   * UPDATE or DELETE whose plan reads the whole table with no condition, or one that holds for every row already
   * there (`because` says why): every row is changed and locked.
   */
  everyRow: Array<{
    table: string;
    command: 'UPDATE' | 'DELETE';
    because?: string;
    /** Not every row, but many, while the transaction holds this lock on the table (one that blocks the application). */
    underLock?: string;
  }>;
  /** UPDATE or DELETE over the whole table with a condition on columns its rows already had: the copy cannot count them. */
  filteredWrites: FilteredWrite[];
}

export type RewriteCause =
  | { table: string; kind: 'refresh' }
  | { table: string; kind: 'volatile default'; column: string; default: string }
  | { table: string; kind: 'generated column'; column: string; expression: string }
  | { table: string; kind: 'type change'; column: string; from: string; to: string };
