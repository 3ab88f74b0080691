/**
 * What the operations scenario reports per run, and its targets (issue #20
 * item 6: errors 0, longest blocking hold ≤ 100 ms), judged run by run like
 * every other target. A version is judged where the schema serves it, as a
 * rolling deploy runs them (run-filters.ts: SERVED): the old version before and
 * during expand and backfill (until the plain migration commits), the new one
 * from the end of expand on (from the plain migration's commit on). The old
 * version's failures after contract are the expected end of a deploy, shown
 * apart, never counted.
 */
import { APP_VERSIONS, type AppVersion } from '../app-load/app-versions';
import type { WindowStats } from '../app-load/latency-windows';
import { longestBlockingHold } from '../locks-by-phase';
import { SERVED } from '../run-filters';
import { target, type TargetResult } from '../targets';
import type { OpsRun } from './ops-run';

export const OPS_TARGETS = { errors: 0, blockingHoldMs: 100 };

/** The windows in which the schema serves `version`: phases, and the margin on its side of the run. */
function servedWindows(run: OpsRun, version: AppVersion): WindowStats[] {
  const phases = run.phases.filter((p) => SERVED[p.phase].includes(version)).map((p) => p.phase as string);
  const names = new Set([...phases, version === 'old' ? 'before' : 'after']);
  return run.windows.filter((w) => names.has(w.name));
}

export function servedErrors(run: OpsRun, version: AppVersion): number {
  return servedWindows(run, version).reduce((sum, w) => sum + w.versions[version].errors, 0);
}

/** The slowest request (or the highest p99 of a window) of a served version during the migration's phases. */
export function servedDuring(run: OpsRun, stat: 'maxMs' | 'p99Ms'): number {
  const phases = new Set(run.phases.map((p) => p.phase as string));
  return Math.max(0, ...APP_VERSIONS.flatMap((v) => servedWindows(run, v).filter((w) => phases.has(w.name)).map((w) => w.versions[v][stat])));
}

export const longestBlocking = (run: OpsRun): number => longestBlockingHold(run.locks)?.longestMs ?? 0;

export function opsTargets(runs: OpsRun[]): TargetResult[] {
  const ours = runs.filter((r) => r.contender === 'operations');
  return [
    target('operations: old version errors while served (before and during expand and backfill)', `${OPS_TARGETS.errors}`, 'count', ours, (r) => servedErrors(r, 'old'), (v) => v === 0),
    target('operations: new version errors while served (from the end of expand on)', `${OPS_TARGETS.errors}`, 'count', ours, (r) => servedErrors(r, 'new'), (v) => v === 0),
    target('operations: longest hold of a lock that stops reads or writes on portal_users', `≤ ${OPS_TARGETS.blockingHoldMs} ms`, 'ms', ours, longestBlocking, (v) => v <= OPS_TARGETS.blockingHoldMs),
  ];
}
