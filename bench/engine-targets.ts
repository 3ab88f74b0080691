/**
 * Issue #22's targets, judged per contender with a backfill of its own (the new
 * engine, today's engine, the pgroll-style backfill), run by run, at every
 * size (stated at 10M rows). Reported, never asserted, like targets.ts.
 */
import { BACKFILL_SIDES, type Side } from './contenders';
import type { RunMeasurement, Scenario } from './measured-run';
import type { SizeResult } from './migration-bench';
import { pairedRuns, runsOf, servedLatency } from './run-filters';
import type { TargetResult } from './targets';

export const ENGINE = {
  atRows: 10_000_000,
  quietMaxMs: 50,
  openTransactionMaxMs: 100,
  phasesOverSingle: 1.1,
};

/** The backfill phase's length in a run (undefined when the run had none, or the phase was not seen). */
export function backfillMs(run: RunMeasurement): number | undefined {
  const span = run.phases.find((p) => p.phase === 'backfill');
  return span ? span.to - span.from : undefined;
}

/** The run's backfill against the floor timed in the same round (undefined without either). */
export function overFloor(size: SizeResult, run: RunMeasurement): number | undefined {
  const floor = size.floorMs?.[run.round];
  const backfill = backfillMs(run);
  return floor && backfill !== undefined ? backfill / floor : undefined;
}

/** Each run's wall time against the single-transaction 006 in the same round and scenario. */
export function overSingle(size: SizeResult, side: Side, scenario: Scenario): Array<{ run: RunMeasurement; ratio: number; ok: boolean }> {
  return pairedRuns(runsOf(size, side, 'up', scenario), runsOf(size, 'single', 'up', scenario)).map(([run, single]) => ({
    run,
    ratio: run.wallMs / single.wallMs,
    ok: run.ok && single.ok,
  }));
}

/** The contenders of the side-by-side that ran at this size; none in results measured before the floor was (before issue #22's side-by-side). */
export const engineSides = (size: SizeResult): Side[] => (size.floorMs ? BACKFILL_SIDES.filter((side) => runsOf(size, side, 'up').length > 0) : []);

export function engineTargets(size: SizeResult, side: Side): TargetResult[] {
  const quiet = runsOf(size, side, 'up', 'quiet');
  const open = runsOf(size, side, 'up', 'open-transaction');
  const node = (r: RunMeasurement) => servedLatency(r, 'maxMs', 'node');
  const judged = (what: string, target: string, runs: RunMeasurement[], limit: number): TargetResult => {
    const values = runs.map(node);
    return { what, target, kind: 'ms', values, met: runs.map((r, i) => r.ok && values[i]! <= limit) };
  };
  const ratios = overSingle(size, side, 'quiet');
  return [
    judged('application max latency during `up` (served versions, Node pg), quiet table', `≤ ${ENGINE.quietMaxMs} ms`, quiet, ENGINE.quietMaxMs),
    judged('the same, with the open application transaction', `≤ ${ENGINE.openTransactionMaxMs} ms`, open, ENGINE.openTransactionMaxMs),
    {
      what: 'all phases / single-transaction 006 (`up`, quiet table, same round)',
      target: `≤ ${ENGINE.phasesOverSingle}x`,
      kind: 'times',
      values: ratios.map((r) => r.ratio),
      met: ratios.map((r) => r.ok && r.ratio <= ENGINE.phasesOverSingle),
    },
    { what: '`up` succeeds despite the open transaction', target: 'yes', kind: 'yes/no', values: open.map((r) => (r.ok ? 1 : 0)), met: open.map((r) => r.ok) },
  ];
}
