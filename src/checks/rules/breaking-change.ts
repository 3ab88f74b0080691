/**
 * A table or column dropped or renamed breaks the application version that is
 * still running during a rolling deploy. A phased migration's contract phase
 * is where that is meant to happen: it runs once the new version is everywhere.
 */
import { heldOn } from '../lock-modes';
import type { Rule } from '../finding';

export const breakingChange: Rule = {
  name: 'breaking-change',
  find: (s) =>
    s.phase === 'contract'
      ? []
      : s.removed.map(({ table, column, renamedTo }) => {
          const what = column ? `column ${table}.${column}` : `table ${table}`;
          return {
            table: renamedTo && !column ? renamedTo : table,
            lock: heldOn(s, renamedTo && !column ? renamedTo : table) ?? 'AccessExclusiveLock',
            blocks: 'reads and writes' as const,
            why: 'breaking change' as const,
            detail: renamedTo ? `${what} was renamed to ${renamedTo} while the running version still uses the old name` : `${what} was dropped while the running version may still use it`,
            safeWay: 'a phased migration: expand (add the new one, keep both in step), deploy the new version, then drop or rename in the contract phase',
          };
        }),
};
