/** A rule's verdict on one statement's effect on one existing table, and the rule interface. */
import type { ObservedStatement } from './observation';

export type Why = 'rewrite' | 'scan' | 'index build' | 'rows locked' | 'breaking change';

/** What a rule says; check.ts adds where, the table's size, the estimated hold and whether it was accepted. */
export interface RuleFinding {
  table: string;
  /** The lock that blocks the application, e.g. AccessExclusiveLock; "row locks" for rows an UPDATE holds. */
  lock: string;
  blocks: 'reads and writes' | 'writes';
  why: Why;
  /** One line: what PostgreSQL did. */
  detail: string;
  /** The online way to write it, where one exists. */
  safeWay: string;
}

export interface Rule {
  /** Its name, as a migration's acceptFindings names it. */
  name: string;
  find(statement: ObservedStatement): RuleFinding[];
}
