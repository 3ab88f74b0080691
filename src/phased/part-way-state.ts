/** The states `status` gives a part-way migration (see partWayState). */
import type { PhaseName } from './phased-migration';

/**
 * What `status` calls a part-way migration, named by what the application
 * versions can do, so that nobody deploys the new version too early:
 *
 *   expanding    an expand step is next: only the old version is served;
 *   backfilling  a backfill step is next: only the old version is served;
 *   expanded     expand and backfill are done, no contract step yet: both versions are served;
 *   contracting  some contract steps are done: only the new version is served.
 */
export type PartWayState = 'expanding' | 'backfilling' | 'expanded' | 'contracting';
export const PART_WAY_STATES: readonly PartWayState[] = ['expanding', 'backfilling', 'expanded', 'contracting'];

/** `steps` in order, each with its phase; `stepsDone` of them applied. */
export function partWayState(steps: ReadonlyArray<{ phase: PhaseName }>, stepsDone: number): PartWayState {
  const next = steps[stepsDone]?.phase;
  const contractDone = steps.slice(0, stepsDone).some((s) => s.phase === 'contract');
  if (contractDone) return 'contracting';
  if (next === 'expand') return 'expanding';
  if (next === 'backfill') return 'backfilling';
  return 'expanded';
}
