/**
 * A CHECK or FOREIGN KEY validated in the statement that adds it scans the
 * whole table under a lock that blocks writes (ACCESS EXCLUSIVE for a CHECK,
 * SHARE ROW EXCLUSIVE for a foreign key). VALIDATE CONSTRAINT on its own takes
 * SHARE UPDATE EXCLUSIVE, which blocks neither: not a finding in a transaction
 * of its own, but one when the transaction still holds the ADD's lock.
 */
import { blockedBy, heldOn } from '../lock-modes';
import type { Rule } from '../finding';

export const constraintValidation: Rule = {
  name: 'constraint-validation',
  find: (s) =>
    s.validated.flatMap(({ table, constraint, kind }) => {
      const lock = heldOn(s, table);
      const blocks = lock ? blockedBy(lock) : null;
      if (!lock || !blocks) return [];
      return [{
        table, lock, blocks, why: 'scan' as const,
        detail: `${kind} ${constraint} was checked against every row of ${table} while holding ${lock}`,
        safeWay: `add it with NOT VALID, then ALTER TABLE ${table} VALIDATE CONSTRAINT ${constraint} in a later step (that scan lets reads and writes go on)`,
      }];
    }),
};
