/**
 * Issue #22 item 5's replica targets, run by run: with the throttle on (its
 * default limit), the standby's replay lag p99 during the backfill at most
 * 1 s, and the backfill's throughput at least 80 % of the unthrottled rate of
 * the same round. Stated at 1M and 10M rows; reported, never asserted.
 */
import type { TargetResult } from '../targets';
import type { StandbyResults } from './standby-scenario';
import type { StandbyRun } from './standby-run';

export const REPLICA = {
  lagP99Ms: 1_000,
  throughputShare: 0.8,
};

/** Each round's throttled run with its unthrottled one (rounds where both ran). */
export function pairedRounds(runs: StandbyRun[]): Array<{ on: StandbyRun; off: StandbyRun }> {
  const on = runs.filter((r) => r.throttle);
  return on.flatMap((run) => {
    const off = runs.find((r) => !r.throttle && r.round === run.round);
    return off ? [{ on: run, off }] : [];
  });
}

/** The throttled run's backfill rate against the unthrottled one's (NaN when either was not seen). */
export function throughputShare(pair: { on: StandbyRun; off: StandbyRun }): number {
  const { on, off } = pair;
  return on.rowsPerSecond !== null && off.rowsPerSecond ? on.rowsPerSecond / off.rowsPerSecond : NaN;
}

export function standbyTargets(results: StandbyResults): TargetResult[] {
  if (results.skipped) return [];
  const throttled = results.runs.filter((r) => r.throttle);
  const pairs = pairedRounds(results.runs);
  const shares = pairs.map(throughputShare);
  // A backfill too short for one sample has no lag to judge.
  const lags = throttled.map((r) => (r.backfillLag.samples > 0 ? r.backfillLag.p99Ms : NaN));
  return [
    {
      what: `standby replay lag p99 during the backfill, throttle on (limit ${results.maxReplicaLagSeconds} s)`,
      target: `≤ ${REPLICA.lagP99Ms / 1000} s`,
      kind: 'ms',
      values: lags,
      met: throttled.map((r, i) => r.ok && lags[i]! <= REPLICA.lagP99Ms),
    },
    {
      what: 'backfill throughput, throttle on / off (same round, standby attached)',
      target: `≥ ${REPLICA.throughputShare.toFixed(2)}x`,
      kind: 'times',
      values: shares,
      met: pairs.map((p, i) => p.on.ok && p.off.ok && shares[i]! >= REPLICA.throughputShare),
    },
  ];
}
