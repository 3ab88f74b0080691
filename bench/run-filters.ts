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

/** Who sent the application's requests: the Node pg load generator, or pgbench (the second client). */
export type LoadClient = 'node' | 'pgbench';

export function windowOf(run: RunMeasurement, name: string, client: LoadClient = 'node'): WindowStats | undefined {
  const windows = client === 'node' ? run.app?.windows : run.app?.pgbench?.windows;
  return windows?.find((w) => w.name === name);
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

/** The slowest request, during the migration, of a version the schema was serving at the time (Node pg load). */
export const servedMaxLatency = (run: RunMeasurement): number => servedLatency(run, 'maxMs', 'node');

/**
 * Over the migration's phases, the highest max (or p99) latency of a version the
 * schema was serving at the time, as one client saw it. For p99: the highest of any phase.
 */
export function servedLatency(run: RunMeasurement, stat: 'maxMs' | 'p99Ms', client: LoadClient): number {
  return Math.max(0, ...run.phases.flatMap((p) => SERVED[p.phase].map((v) => windowOf(run, p.phase, client)?.versions[v][stat] ?? 0)));
}

/** The same contender's run of the same round and scenario, on the other side of a comparison. */
export function pairedRuns(a: RunMeasurement[], b: RunMeasurement[]): Array<[RunMeasurement, RunMeasurement]> {
  return a.flatMap((run) => {
    const other = b.find((o) => o.round === run.round && o.scenario === run.scenario && o.direction === run.direction);
    return other ? [[run, other] as [RunMeasurement, RunMeasurement]] : [];
  });
}
