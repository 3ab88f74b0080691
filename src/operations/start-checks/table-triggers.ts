/** Triggers the backfill cannot keep out (../backfill-triggers.ts); a partitioned table is refused on its own. */
import { backfillTriggerProblems } from '../backfill-triggers';
import { partitionedAmong } from '../partitioned-tables';
import { tablesChangedBy } from './operations-of';
import type { StartCheck } from './start-check';

export const tableTriggers: StartCheck = (operations) => {
  const walked = tablesChangedBy(operations, true);
  return async (knex) => {
    const partitioned = await partitionedAmong(knex, walked);
    return backfillTriggerProblems(knex, walked.filter((t) => !partitioned.includes(t)));
  };
};
