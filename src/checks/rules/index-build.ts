/**
 * An index built without CONCURRENTLY holds SHARE on its table for the whole build: writes wait. One written anew
 * under ACCESS EXCLUSIVE on the index alone (ALTER INDEX ... SET TABLESPACE) stops every query that plans on the
 * table, since planning locks all of a table's indexes (found by review: it passed, no table lock being held).
 */
import { blockedBy, heldOn } from '../lock-modes';
import type { Rule } from '../finding';

export const indexBuild: Rule = {
  name: 'index-build',
  find: (s) =>
    s.indexesBuilt.flatMap(({ table, index }) => {
      const lock = heldOn(s, table);
      const blocks = lock ? blockedBy(lock) : null;
      if ((!lock || !blocks) && s.indexLocked?.some((l) => l.table === table && l.mode === 'AccessExclusiveLock')) {
        return [{
          table, lock: `AccessExclusiveLock on ${index}`, blocks: 'reads and writes' as const, why: 'index build' as const,
          detail: `${index} was written anew while its transaction held AccessExclusiveLock on it: every query on ${table} plans with its indexes, and waits`,
          safeWay: 'REINDEX INDEX CONCURRENTLY, or a new index built CONCURRENTLY where it should be and the old one dropped CONCURRENTLY',
        }];
      }
      // No lock seen: it ran outside a transaction, which only CREATE INDEX CONCURRENTLY must.
      if (!lock || !blocks) return [];
      return [{
        table, lock, blocks, why: 'index build' as const,
        detail: `building ${index} read all of ${table} while holding ${lock}`,
        safeWay: 'CREATE INDEX CONCURRENTLY in a migration with `export const config = { transaction: false }` (for a unique constraint: a unique index built concurrently, then ADD CONSTRAINT ... USING INDEX)',
      }];
    }),
};
