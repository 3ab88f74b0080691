/**
 * What an operations list cannot do on the database as it is, asked by `up` before the migration's first step
 * (commands/up.ts), so that a refusal changes nothing. Each reason was found by review:
 * - a partitioned table (../partitioned-tables.ts): the backfill would fill nothing, and contract drop the old values;
 * - triggers the backfill cannot keep out (../backfill-triggers.ts): it would fire them on every row;
 * - a relation createIndex's name is taken by (another index, a table): IF NOT EXISTS kept the other index, and `down`
 *   then dropped it;
 * - rows that do not meet a constraint alterColumn adds: the application's updates of them would fail from expand on;
 * - a fromType other than the column's type, length included; a type narrowed (a smaller length or precision); indexes and constraints on a dropped column that
 *   `down` would not bring back; dropIndex of an index a constraint owns, or of one it describes otherwise than it is.
 */
import type { Knex } from 'knex';
import type { Operation } from '../index';
import { constraintIndexesDropped } from './constraint-indexes';
import { droppedColumnDependents } from './dropped-column-dependents';
import { indexPredicates } from './index-predicates';
import { indexShapes } from './index-shapes';
import { narrowedTypes } from './narrowed-types';
import { partitionedTables } from './partitioned';
import { rowsAgainstConstraints } from './rows-against-constraints';
import type { StartCheck } from './start-check';
import { statedTypes } from './stated-types';
import { tableTriggers } from './table-triggers';
import { takenIndexNames } from './taken-index-names';

/** A new check: one file here, one line. */
const CHECKS: StartCheck[] = [
  partitionedTables,
  tableTriggers,
  rowsAgainstConstraints,
  statedTypes,
  narrowedTypes,
  droppedColumnDependents,
  constraintIndexesDropped,
  indexShapes,
  indexPredicates,
  takenIndexNames,
];

export type StartChecks = (knex: Knex) => Promise<string[]>;

export function startChecks(operations: readonly Operation[]): StartChecks {
  const checks = CHECKS.map((check) => check(operations));
  return async (knex) => {
    const reasons: string[] = [];
    for (const check of checks) reasons.push(...(await check(knex)));
    return reasons;
  };
}
