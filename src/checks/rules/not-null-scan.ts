/**
 * SET NOT NULL scans the table under ACCESS EXCLUSIVE unless a validated
 * CHECK (col IS NOT NULL) already proves it (PostgreSQL 12+ then skips the
 * scan and says so at DEBUG1).
 */
import { heldOn } from '../lock-modes';
import type { Rule } from '../finding';

export const notNullScan: Rule = {
  name: 'not-null-scan',
  find: (s) =>
    s.notNullSet
      .filter(({ table, proved }) => !proved && !s.rewritten.includes(table))
      .map(({ table, column }) => ({
        table,
        lock: heldOn(s, table) ?? 'AccessExclusiveLock',
        blocks: 'reads and writes' as const,
        why: 'scan' as const,
        detail: `SET NOT NULL on ${table}.${column} scanned every row for NULLs while holding ACCESS EXCLUSIVE`,
        safeWay: `first ADD CONSTRAINT ... CHECK (${column} IS NOT NULL) NOT VALID and VALIDATE CONSTRAINT it; then SET NOT NULL needs no scan (and the CHECK can be dropped)`,
      })),
};
