/**
 * What a phased run says when it fails with part of its migration committed
 * (a failing batch, a terminated connection, a lost lock, a server restart):
 * which steps stand applied, where a half-done backfill's cursor stands, and
 * that the next run carries on from there. Only the failing step's or batch's
 * transaction was rolled back, so "the database is unchanged" would be false.
 */
import { KonstructError } from '../errors';
import type { PhasedStep } from '../phased/phased-migration';

export interface StandingPosition {
  stepsDone: number;
  cursor: string | null;
  rowsDone: number;
}

interface Target {
  migration: { name: string };
  steps: readonly PhasedStep[];
  direction: 'up' | 'down';
}

/** Amends `error` when `at` leaves the migration part-way; returns it, to be thrown. */
export function tellWhatStands(error: unknown, t: Target, at: StandingPosition): unknown {
  const untouched = at.cursor === null && at.stepsDone === (t.direction === 'up' ? 0 : t.steps.length);
  if (error instanceof KonstructError && !untouched) error.tellPartWay(describeStanding(t, at));
  return error;
}

/**
 * `006_rbac_roles stands part-way, committed and kept: 1 of 5 steps applied (last: expand "…"),
 * backfill "…" up to cursor (12,4) (1200 rows). Run the command again to carry on from there …`
 */
export function describeStanding(t: Target, at: StandingPosition): string {
  const n = t.steps.length;
  const last = at.stepsDone > 0 ? t.steps[at.stepsDone - 1]! : undefined;
  const parts = [`${at.stepsDone} of ${n} steps applied${last ? ` (last: ${stepName(last)})` : ''}`];
  if (at.cursor !== null) {
    // Going up the cursor belongs to the next step; going down, to the last applied one (phase-state.ts).
    const batched = t.direction === 'up' ? t.steps[at.stepsDone]! : last!;
    const way = t.direction === 'up' ? 'done' : 'reverted';
    parts.push(`${stepName(batched)} ${way} up to cursor ${at.cursor} (${at.rowsDone} rows)`);
  }
  return `${t.migration.name} stands part-way (${t.direction}), committed and kept: ${parts.join(', ')}. ` +
    'Run the command again to carry on from there (`konstruct-migrate status` shows where it stands).';
}

function stepName(step: PhasedStep): string {
  return `${step.phase} "${step.name}"`;
}
