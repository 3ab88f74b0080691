/** Rollout scenario results made of known numbers, so their rendering can be checked against the data. */
import type { AppVersion } from '../../bench/app-load/app-versions';
import type { VersionStats, WindowStats } from '../../bench/app-load/latency-windows';
import { roundSegments } from '../../bench/drain/crossed-rounds';
import type { DrainCostRun, DrainCostSide, DrainSegment } from '../../bench/drain/drain-cost';
import type { CopyEffect, RatioSummary } from '../../bench/drain/ratio-statistics';
import type { RollingDeployRun } from '../../bench/drain/rolling-deploy';
import { appWindows } from '../../bench/measured-run';
import type { OpsContender } from '../../bench/ops/ops-folders';
import type { OpsRun } from '../../bench/ops/ops-run';
import type { PhaseSpan } from '../../bench/phase-timeline';
import type { ScenarioResults } from '../../bench/rollout-scenarios';

export interface OpsSpec {
  contender: OpsContender;
  round: number;
  wallMs: number;
  holdMs: number;
  /** Errors per window and version, e.g. { 'after/old': 30 }. */
  errors?: Record<string, number>;
  /** The slowest request per window and version, e.g. { 'backfill/new': 80 } (others: 10 ms). */
  maxMs?: Record<string, number>;
}

export function opsRun(spec: OpsSpec): OpsRun {
  const phased = spec.contender === 'operations';
  const phases: PhaseSpan[] = phased
    ? (['expand', 'backfill', 'contract'] as const).map((phase, i) => ({ phase, from: (spec.wallMs * i) / 3, to: (spec.wallMs * (i + 1)) / 3, exact: true }))
    : [{ phase: 'migration', from: 0, to: spec.wallMs, exact: true }];
  const stats = (window: string, version: AppVersion): VersionStats => ({
    requests: 50,
    answered: 50,
    errors: spec.errors?.[`${window}/${version}`] ?? 0,
    p99Ms: 5,
    maxMs: spec.maxMs?.[`${window}/${version}`] ?? 10,
    errorGroups: [],
  });
  const windows: WindowStats[] = appWindows(phases, 1000).map((w) => ({ ...w, versions: { old: stats(w.name, 'old'), new: stats(w.name, 'new') } }));
  return {
    contender: spec.contender,
    round: spec.round,
    ok: true,
    failure: null,
    wallMs: spec.wallMs,
    phases,
    locks: [{ phase: phases[0]!.phase, mode: 'AccessExclusiveLock', granted: true, longestMs: spec.holdMs, count: 1, endedBy: 'commit timestamp', blocks: 'reads and writes' }],
    windows,
    reconnects: { old: 0, new: 0 },
    worst: { old: null, new: null },
  };
}

function side(p99: Record<AppVersion, number>, triggers: number, recordedWrites: number): DrainCostSide {
  const version = (ms: number) => ({ requests: 2000, errors: 0, p99Ms: ms, maxMs: ms * 3, writesP99Ms: ms * 2, errorMessages: [] });
  return { triggers, recordedWrites, versions: { old: version(p99.old), new: version(p99.new) } };
}

/** Three rounds around the pooled ratio: its median is the ratio, and its interval ±0.03x. */
function ratios(ratio: number): RatioSummary {
  return {
    perRound: [ratio - 0.02, ratio, ratio + 0.02],
    median: ratio,
    min: ratio - 0.02,
    max: ratio + 0.02,
    pooled: ratio,
    interval: [ratio - 0.03, ratio + 0.03],
    metRounds: [ratio - 0.02, ratio, ratio + 0.02].filter((r) => r <= 1.05).length,
    verdict: ratio + 0.03 <= 1.05 ? 'met' : ratio - 0.03 > 1.05 ? 'not met' : 'cannot tell',
  };
}

/** p99 (old, new) with the recorder and without it. */
export function drainCostRun(round: number, recording: [number, number], without: [number, number]): DrainCostRun {
  return {
    round,
    ok: true,
    failure: null,
    plan: { rounds: 10, segmentSeconds: 2, explainRepetitions: 300 },
    sides: { recording: side({ old: recording[0], new: recording[1] }, 2, 400), without: side({ old: without[0], new: without[1] }, 0, 0) },
    ratios: { old: ratios(recording[0] / without[0]), new: ratios(recording[1] / without[1]) },
    copyEffect: { old: copyEffect(recording[0] / without[0]), new: copyEffect(recording[1] / without[1]) },
    segments: crossedSegments(),
    server: [
      { statement: 'update', repetitions: 300, withMs: 0.12, withoutMs: 0.09, recorderMs: 0.025, differenceByCarrier: { x: 0.04, y: 0.02 } },
      { statement: 'insert', repetitions: 300, withMs: 0.2, withoutMs: 0.19, recorderMs: 0.011, differenceByCarrier: { x: 0.015, y: 0.005 } },
    ],
  };
}

/** Copy x 10 % slower than copy y whatever the recorder's state: a fixed carrier would read the ratio ×1.1 (x) or ÷1.1 (y). */
function copyEffect(ratio: number): CopyEffect {
  const ten = { pooled: 1.1, interval: [1.05, 1.15] as [number, number] };
  return { without: ten, recording: ten, byCarrier: { x: ratio * 1.1, y: ratio / 1.1 } };
}

/** Four crossed rounds of 2 s, both copies loaded at once: x carries the recorder in rounds 1 and 4, y in 2 and 3; 50 old-shape writes counted per segment with it. */
function crossedSegments(): DrainSegment[] {
  return [0, 1, 2, 3].flatMap((round) =>
    roundSegments(round).map(({ copy, side }) => ({ round, copy, side, triggers: side === 'recording' ? 2 : 0, recorded: side === 'recording' ? 50 : 0, requests: 300, firstDueAt: round * 3000, lastDueAt: round * 3000 + 2000 })),
  );
}

export function rollingDeployRun(round: number, errors: Record<AppVersion, number>, contractAfterOldMs: number): RollingDeployRun {
  const version = (n: number) => ({ requests: 3000, errors: n, p99Ms: 7, maxMs: 40, errorMessages: n > 0 ? [`42703: column "is_admin" does not exist (${n}x)`] : [] });
  return {
    round,
    ok: true,
    failure: null,
    versions: { old: version(errors.old), new: version(errors.new) },
    expandMs: 4000,
    completeMs: 11_000,
    waitedMs: 10_500,
    oldActiveAfterCompleteMs: 5000,
    contractAfterOldMs,
    worst: { old: null, new: null },
  };
}

export function syntheticScenarios(parts: Partial<Pick<ScenarioResults, 'ops' | 'drainCost' | 'rollingDeploy'>>): ScenarioResults {
  return {
    rows: 1_000_000,
    scenarios: ['ops', 'drain-cost', 'rolling-deploy'],
    drain: { rounds: 10, segmentSeconds: 2, explainRepetitions: 300 },
    drainWindowSeconds: 5,
    oldStopsAfterSeconds: 5,
    ops: parts.ops ?? [],
    drainCost: parts.drainCost ?? [],
    rollingDeploy: parts.rollingDeploy ?? [],
  };
}
