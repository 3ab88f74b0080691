/** Operations do not handle a partitioned table (../partitioned-tables.ts says why). */
import type { StartCheck } from './start-check';
import { partitionedAmong, partitionedRefusal } from '../partitioned-tables';
import { tablesChangedBy } from './operations-of';

export const partitionedTables: StartCheck = (operations) => {
  const tables = tablesChangedBy(operations);
  return async (knex) => {
    const partitioned = await partitionedAmong(knex, tables);
    return partitioned.length > 0 ? [partitionedRefusal(partitioned)] : [];
  };
};
