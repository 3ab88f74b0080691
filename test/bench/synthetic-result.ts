/** Benchmark results made of known numbers, so the report can be checked against the data it came from. */
import type { AppVersion } from '../../bench/app-load/app-versions';
import type { VersionStats, WindowStats } from '../../bench/app-load/latency-windows';
import type { BenchResult } from '../../bench/benchmark';
import type { Side } from '../../bench/contenders';
import type { PhaseLock } from '../../bench/locks-by-phase';
import { appWindows, type RunMeasurement, type Scenario } from '../../bench/measured-run';
import type { SizeResult } from '../../bench/migration-bench';
import type { PhaseSpan } from '../../bench/phase-timeline';

const MiB = 2 ** 20;

export interface RunSpec {
  side: Side;
  direction: 'up' | 'down';
  scenario: Scenario;
  round: number;
  wallMs?: number;
  /** The slowest request during the run (old version; the new one is 1 ms faster). */
  maxMs?: number;
  /** Errors per window name and version, e.g. { 'backfill/new': 2 }. */
  errors?: Record<string, number>;
  /** The slowest request per window name and version where it differs from maxMs, e.g. { 'expand/new': 1500 }. */
  windowMaxMs?: Record<string, number>;
  blockingHoldMs?: number;
  /** The slowest requests as pgbench saw them (absent: pgbench was not run). */
  pgbenchMaxMs?: number;
  failure?: string;
}

/** The contenders that run 006 in phases; each phase takes a third of the run. */
const PHASED: readonly Side[] = ['ours', 'today', 'pgroll'];

function phasesOf(spec: RunSpec, wallMs: number): PhaseSpan[] {
  if (!PHASED.includes(spec.side)) return [{ phase: 'migration', from: 0, to: wallMs, exact: true }];
  const names = spec.direction === 'up' ? (['expand', 'backfill', 'contract'] as const) : (['contract', 'backfill', 'expand'] as const);
  return names.map((phase, i) => ({ phase, from: (wallMs * i) / 3, to: (wallMs * (i + 1)) / 3, exact: true }));
}

export function syntheticRun(spec: RunSpec): RunMeasurement {
  const wallMs = spec.wallMs ?? 1000;
  const phases = phasesOf(spec, wallMs);
  const stats = (window: string, version: AppVersion): VersionStats => ({
    requests: 100,
    answered: 100,
    errors: spec.errors?.[`${window}/${version}`] ?? 0,
    p99Ms: 5,
    maxMs: spec.windowMaxMs?.[`${window}/${version}`] ?? (spec.maxMs ?? 20) - (version === 'new' ? 1 : 0),
    errorGroups: [],
  });
  const windows: WindowStats[] = appWindows(phases, 1000).map((w) => ({ ...w, versions: { old: stats(w.name, 'old'), new: stats(w.name, 'new') } }));
  const pgbenchStats = (): VersionStats => ({ requests: 90, answered: 90, errors: 0, p99Ms: 4, maxMs: spec.pgbenchMaxMs!, errorGroups: [] });
  const pgbench = spec.pgbenchMaxMs === undefined
    ? null
    : { windows: appWindows(phases, 1000).map((w) => ({ ...w, versions: { old: pgbenchStats(), new: pgbenchStats() } })), abortedClients: { old: 0, new: 0 }, failure: null };
  const locks: PhaseLock[] = [
    { phase: phases[0]!.phase, mode: 'AccessExclusiveLock', granted: true, longestMs: spec.blockingHoldMs ?? 30, count: 1, endedBy: 'commit timestamp', blocks: 'reads and writes' },
  ];
  return {
    side: spec.side,
    direction: spec.direction,
    scenario: spec.scenario,
    round: spec.round,
    ok: spec.failure === undefined,
    failure: spec.failure ?? null,
    wallMs,
    phases,
    locks,
    lock: { ms: spec.blockingHoldMs ?? 30, observed: true, holds: 1, end: 'commit timestamp' },
    app:
      spec.scenario === 'idle'
        ? null
        : { windows, timeline: [], openTransaction: spec.scenario === 'open-transaction' ? { ms: 8000, error: null } : null, inserted: { old: 10, new: 10 }, reconnects: { old: 0, new: 0 }, pgbench },
    before: { total: 200 * MiB, heap: 120 * MiB },
    after: { total: 202 * MiB, heap: 121 * MiB },
  };
}

/**
 * Three rounds of every contender with unremarkable numbers; `specs` replace runs by (side, direction, scenario, round).
 * With `engines`, also the contenders of issue #22 going up (today's engine, pgroll-style) and the backfill's floor of each round.
 */
export function syntheticSize(rows: number, admins: number, specs: RunSpec[] = [], engines?: { floorMs: number[] }): SizeResult {
  const runs: RunMeasurement[] = [];
  for (let round = 0; round < 3; round++) {
    const plans: Array<[Side, 'up' | 'down', Scenario, number]> = [
      ...(engines
        ? ([
            ['today', 'up', 'quiet', 1800],
            ['pgroll', 'up', 'quiet', 6000],
            ['today', 'up', 'open-transaction', 9300],
            ['pgroll', 'up', 'open-transaction', 15_000],
          ] as Array<[Side, 'up' | 'down', Scenario, number]>)
        : []),
      ['ours', 'up', 'quiet', 1500],
      ['single', 'up', 'quiet', 1000],
      ['seed', 'up', 'quiet', 30_000],
      ['ours', 'up', 'open-transaction', 9000],
      ['single', 'up', 'open-transaction', 8500],
      ['seed', 'up', 'open-transaction', 38_000],
      ['ours', 'down', 'idle', 1200],
      ['single', 'down', 'idle', 900],
      ['seed', 'down', 'idle', 31_000],
    ];
    for (const [side, direction, scenario, wallMs] of plans) {
      const spec = specs.find((s) => s.side === side && s.direction === direction && s.scenario === scenario && s.round === round);
      runs.push(syntheticRun(spec ?? { side, direction, scenario, round, wallMs }));
    }
  }
  return { rows, admins, runs, ...(engines ? { floorMs: engines.floorMs } : {}) };
}

export function syntheticResult(sizes: SizeResult[], overrides: { appRate?: number; openTransactionSeconds?: number } = {}): BenchResult {
  const appRate = overrides.appRate ?? 100;
  const openTransactionSeconds = overrides.openTransactionSeconds ?? 8;
  return {
    options: {
      rows: sizes[0]!.rows,
      sizes: sizes.map((s) => s.rows),
      runs: 3,
      hugeRuns: 3,
      seedRuns: null,
      seedMaxRows: null,
      appRate,
      openTransactionSeconds,
      statusRuns: 3,
      lockSampleMs: 5,
      loadMarginMs: 1_000,
      earlyDeploy: false,
      pgbench: true,
      scenarios: [],
      only: false,
      opsRows: 1_000_000,
      drainRounds: 10,
      drainSegmentSeconds: 2,
      drainWindowSeconds: 5,
      oldStopsAfterSeconds: 5,
      contenders: ['ours', 'today', 'pgroll', 'single', 'seed'],
    },
    load: { ratePerVersion: appRate, connectionsPerVersion: 10, statementTimeoutMs: 60_000, marginMs: 1000, openTransactionMs: openTransactionSeconds * 1000 },
    phasedSteps: ['expand', 'backfill', 'contract'],
    environment: {
      date: '2026-01-02T03:04:05.000Z',
      machine: 'Test CPU, 2 cores',
      node: 'v20.0.0',
      postgres: '15.18',
      server: 'a test server',
      settings: { fsync: 'on', track_commit_timestamp: 'on' },
      loadAverage: 0.5,
      loadAverageAfter: 1.25,
      pgbench: 'pgbench (PostgreSQL) 15.18',
    },
    sizes,
    status: { runs: 3, oursMs: [200, 210, 190], knexMs: [800, 700, 900], bareMs: [180, 200, 160], oursMedianMs: 200, knexMedianMs: 800, bareMedianMs: 180 },
    complete: true,
  };
}
