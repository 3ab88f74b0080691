/**
 * What may hold back the next batch of a backfill: the health throttle
 * (a lagging replica, WAL waiting to be archived) and an operator steering the
 * run from another shell (pause, resume, a new target batch time). A gate is
 * asked before every batch, when the batch before it has committed: the run
 * then holds no table lock and no open work transaction, so a wait in a gate
 * costs the application nothing. Gates are asked in order (batch-gates.ts),
 * each until it lets the batch go; one may also change the sizer's target.
 */
import type { Knex } from 'knex';
import type { BatchSizer } from './batch-sizer';
import type { StepListener } from './step-events';

export interface BatchGateContext {
  /** A connection that holds nothing, for the gate's own queries. */
  knex: Knex;
  /** The migration and step whose next batch waits. */
  migration: string;
  step: string;
  sizer: BatchSizer;
  onStep?: StepListener;
}

export interface BatchGate {
  /** Resolves when the next batch may start: true when it held the batch back (then every gate is asked again). */
  beforeBatch(context: BatchGateContext): Promise<boolean>;
}

/**
 * Asks `gates` in order until a round where none held the batch back: what one gate waited out, another may have
 * changed meanwhile (found by review: a pause set during a health hold let one more batch run when the hold ended).
 * A round where nothing waits costs each gate its one look.
 */
export async function passGates(gates: readonly BatchGate[], context: BatchGateContext): Promise<void> {
  for (let held = true; held; ) {
    held = false;
    for (const gate of gates) if ((await gate.beforeBatch(context)) && gates.length > 1) held = true;
  }
}
