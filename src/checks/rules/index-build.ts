/** An index built without CONCURRENTLY holds SHARE on its table for the whole build: writes wait. */
import { blockedBy, heldOn } from '../lock-modes';
import type { Rule } from '../finding';

export const indexBuild: Rule = {
  name: 'index-build',
  find: (s) =>
    s.indexesBuilt.flatMap(({ table, index }) => {
      const lock = heldOn(s, table);
      const blocks = lock ? blockedBy(lock) : null;
      // No lock seen: it ran outside a transaction, which only CREATE INDEX CONCURRENTLY must.
      if (!lock || !blocks) return [];
      return [{
        table, lock, blocks, why: 'index build' as const,
        detail: `building ${index} read all of ${table} while holding ${lock}`,
        safeWay: 'CREATE INDEX CONCURRENTLY in a migration with `export const config = { transaction: false }` (for a unique constraint: a unique index built concurrently, then ADD CONSTRAINT ... USING INDEX)',
      }];
    }),
};
