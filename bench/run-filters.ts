/** Picking runs out of a size's results, and the values the report lists per run. */
import type { Side } from './contenders';
import type { RunMeasurement, Scenario } from './measured-run';
import type { SizeResult } from './migration-bench';
import type { AppVersion } from './app-load/app-versions';
import type { WindowStats } from './app-load/latency-windows';
import type { SpanName } from './phase-timeline';

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

/**
 * Which versions of the application the schema serves during each phase, as a
 * rolling deploy runs them: the old version alone while expand runs (the new
 * one cannot work before `role` exists), both once expanded, the new one alone
 * once contract starts (it drops what the old one uses). A migration without
 * phases serves the old version until it commits.
 */
export const SERVED: Record<SpanName, readonly AppVersion[]> = {
  expand: ['old'],
  backfill: ['old', 'new'],
  contract: ['new'],
  migration: ['old'],
};

export const isServed = (version: AppVersion, phase: SpanName) => SERVED[phase].includes(version);

/** The slowest request, during the migration, of a version the schema was serving at the time. */
export function servedMaxLatency(run: RunMeasurement): number {
  return Math.max(0, ...run.phases.flatMap((p) => SERVED[p.phase].map((v) => windowOf(run, p.phase)?.versions[v].maxMs ?? 0)));
}

/** The same contender's run of the same round and scenario, on the other side of a comparison. */
export function pairedRuns(a: RunMeasurement[], b: RunMeasurement[]): Array<[RunMeasurement, RunMeasurement]> {
  return a.flatMap((run) => {
    const other = b.find((o) => o.round === run.round && o.scenario === run.scenario && o.direction === run.direction);
    return other ? [[run, other] as [RunMeasurement, RunMeasurement]] : [];
  });
}
