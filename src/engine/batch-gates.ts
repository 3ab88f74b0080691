/**
 * The gates a real run asks before each backfill batch (batch-gate.ts), in
 * order: one line per gate. Dry runs and the stock knex CLI ask none.
 */
import type { BatchGate } from './batch-gate';
import { healthThrottleFor, type HealthThrottleOptions } from './health-throttle';
import { steeringGate } from './steering-gate';

/** The run options the gates read (part of RunOptions, locked-run.ts); declared here so the engine's imports stay one-way. */
export interface GateOptions extends HealthThrottleOptions {}

export function batchGates(options: GateOptions): BatchGate[] {
  const gates = [
    steeringGate(), // an operator's pause comes first: while paused, the database's health is not asked
    healthThrottleFor(options), // undefined with --max-replica-lag 0 --max-archive-backlog 0
  ];
  return gates.filter((gate): gate is BatchGate => gate !== undefined);
}
