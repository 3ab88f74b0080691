/**
 * The gates a real run asks before each backfill batch (batch-gate.ts), in
 * order: one line per gate. Dry runs and the stock knex CLI ask none.
 */
import type { BatchGate } from './batch-gate';
import { steeringGate } from './steering-gate';

/** The run options the gates read (part of RunOptions, locked-run.ts); declared here so the engine's imports stay one-way. */
export interface GateOptions {}

export function batchGates(_options: GateOptions): BatchGate[] {
  return [steeringGate()];
}
