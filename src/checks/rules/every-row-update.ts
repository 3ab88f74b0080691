/**
 * An UPDATE or DELETE of every row in one transaction locks every row until it commits: writers of any row wait. One
 * of many rows while the transaction holds a lock that blocks the application on the table (taken by an earlier
 * statement, an ADD COLUMN) keeps everyone waiting as long.
 */
import type { Rule } from '../finding';
import { blockedBy } from '../lock-modes';

const BATCHED = 'a batched step of a phased migration (short transactions over ranges of rows; see docs/online-migrations.md)';

export const everyRowUpdate: Rule = {
  name: 'every-row-update',
  find: (s) =>
    s.everyRow.map(({ table, command, because, underLock }) =>
      underLock
        ? {
          table,
          lock: underLock,
          blocks: blockedBy(underLock)!,
          why: 'rows locked' as const,
          detail: `${command} of many rows of ${table} while its transaction holds ${underLock} on it (${because})`,
          safeWay: `commit the change that took the lock first, then write the rows in ${BATCHED}`,
        }
        : {
          table,
          lock: 'row locks on every row',
          blocks: 'writes' as const,
          why: 'rows locked' as const,
          detail: `${command} of every row of ${table} in one transaction${because ? ` (${because})` : ''}`,
          safeWay: BATCHED,
        }),
};
