/**
 * The drain gate's targets, run by run (issue #23): the write recorder costs
 * the application's p99 at most 5 % (same round, with against without), and
 * the rolling deploy with `complete --wait` fails no request of either version
 * and contracts only after the old version's last request.
 */
import { APP_VERSIONS } from '../app-load/app-versions';
import { target, type TargetResult } from '../targets';
import { DRAIN_TARGETS, type DrainCostRun } from './drain-cost';
import { verdictOf } from './ratio-statistics';
import type { RollingDeployRun } from './rolling-deploy';

/**
 * p99 with the recorder over p99 without it, as far as the run can tell: the upper end of the pooled ratio's 95 %
 * interval over its rounds, so "met" means shown within the target, not merely a median under it. NaN
 * (shown "–", not met) when the run failed, or when its interval says the copies differed by more than the recorder
 * could make them ("biased", ratio-statistics.ts): such a run measured something else.
 */
export function p99Ratio(run: DrainCostRun, version: 'old' | 'new'): number {
  if (!run.ok || !run.ratios) return NaN;
  const r = run.ratios[version];
  return verdictOf(r.interval, DRAIN_TARGETS.p99Ratio) === 'biased' ? NaN : r.interval[1];
}

export function drainCostTargets(runs: DrainCostRun[]): TargetResult[] {
  return APP_VERSIONS.map((version) =>
    target(`drain recording: ${version} version's p99 with the write recorder / without it (upper end of the 95 % interval over a run's rounds; –: a biased run)`, `≤ ${DRAIN_TARGETS.p99Ratio}x`, 'times', runs, (r) => p99Ratio(r, version), (v) => v <= DRAIN_TARGETS.p99Ratio),
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
