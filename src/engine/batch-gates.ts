/**
 * The gates a real run asks before each backfill batch (batch-gate.ts), in
 * order: one line per gate. Dry runs and the stock knex CLI ask none.
 */
import type { BatchGate } from './batch-gate';
import type { RunOptions } from './locked-run';
import { steeringGate } from './steering-gate';

export function batchGates(_options: RunOptions): BatchGate[] {
  return [steeringGate()];
}
