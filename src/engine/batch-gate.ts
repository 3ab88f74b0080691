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
  /** Resolves when the next batch may start. */
  beforeBatch(context: BatchGateContext): Promise<void>;
}
