/** An UPDATE or DELETE of every row in one transaction locks every row until it commits: writers of any row wait. */
import type { Rule } from '../finding';

export const everyRowUpdate: Rule = {
  name: 'every-row-update',
  find: (s) =>
    s.everyRow.map(({ table, command, because }) => ({
      table,
      lock: 'row locks on every row',
      blocks: 'writes' as const,
      why: 'rows locked' as const,
      detail: `${command} of every row of ${table} in one transaction${because ? ` (${because})` : ''}`,
      safeWay: 'a batched step of a phased migration (short transactions over ranges of rows; see docs/online-migrations.md)',
    })),
};
