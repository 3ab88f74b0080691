/** Picking runs out of a size's results, and the values the report lists per run. */
import type { Side } from './contenders';
import type { RunMeasurement, Scenario } from './measured-run';
import type { SizeResult } from './migration-bench';
import type { WindowStats } from './app-load/latency-windows';

export function runsOf(size: SizeResult, side: Side, direction: 'up' | 'down', scenario?: Scenario): RunMeasurement[] {
  return size.runs.filter((r) => r.side === side && r.direction === direction && (scenario === undefined || r.scenario === scenario));
}

export function windowOf(run: RunMeasurement, name: string): WindowStats | undefined {
  return run.app?.windows.find((w) => w.name === name);
}

/** The slowest request of either version in a window (0 when there was no load or no such window). */
export function maxLatency(run: RunMeasurement, window = 'whole run'): number {
  const w = windowOf(run, window);
  return w ? Math.max(w.versions.old.maxMs, w.versions.new.maxMs) : 0;
}

/** The same contender's run of the same round and scenario, on the other side of a comparison. */
export function pairedRuns(a: RunMeasurement[], b: RunMeasurement[]): Array<[RunMeasurement, RunMeasurement]> {
  return a.flatMap((run) => {
    const other = b.find((o) => o.round === run.round && o.scenario === run.scenario && o.direction === run.direction);
    return other ? [[run, other] as [RunMeasurement, RunMeasurement]] : [];
  });
}
