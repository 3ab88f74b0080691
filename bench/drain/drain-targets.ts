/**
 * The drain gate's targets, run by run (issue #23): the write recorder costs
 * the application's p99 at most 5 % (same round, with against without), and
 * the rolling deploy with `complete --wait` fails no request of either version
 * and contracts only after the old version's last request.
 */
import { APP_VERSIONS } from '../app-load/app-versions';
import { target, type TargetResult } from '../targets';
import { DRAIN_TARGETS, type DrainCostRun } from './drain-cost';
import type { RollingDeployRun } from './rolling-deploy';

/** p99 with the recorder over p99 without it: the median over the run's A B B A rounds (NaN when the run failed). */
export function p99Ratio(run: DrainCostRun, version: 'old' | 'new'): number {
  return run.ok && run.ratios ? run.ratios[version].median : NaN;
}

export function drainCostTargets(runs: DrainCostRun[]): TargetResult[] {
  return APP_VERSIONS.map((version) =>
    target(`drain recording: ${version} version's p99 with the write recorder / without it (median of a run's A B B A rounds)`, `≤ ${DRAIN_TARGETS.p99Ratio}x`, 'times', runs, (r) => p99Ratio(r, version), (v) => v <= DRAIN_TARGETS.p99Ratio),
  );
}

export function rollingDeployTargets(runs: RollingDeployRun[]): TargetResult[] {
  return [
    ...APP_VERSIONS.map((version) => target(`rolling deploy: ${version} version's errors, whole run`, '0', 'count', runs, (r) => r.versions[version].errors, (v) => v === 0)),
    target(
      'rolling deploy: `complete --wait` contracted only after the old version\'s last request',
      'yes',
      'yes/no',
      runs,
      (r) => (r.contractAfterOldMs !== null && r.contractAfterOldMs > 0 && (r.oldActiveAfterCompleteMs ?? 0) > 0 ? 1 : 0),
      (v) => v === 1,
    ),
  ];
}
