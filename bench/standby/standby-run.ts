/**
 * One run of the replica-lag scenario (issue #22 item 5): on a fresh copy of
 * the 005 template, with the streaming standby attached to the benchmark's
 * server, the new engine's `up` (default flags) under the two-version
 * application load, with the health throttle on (its default limit) or off
 * (`--max-replica-lag 0`, which `up` documents as "off"). Around it: the
 * standby's lag every LAG_SAMPLE_MS, the phases (for the backfill's window and
 * length), how long the throttle held (`up --json`'s `result.throttled`), and
 * how long the standby took to replay the run once `up` had returned.
 */
import type { Knex } from 'knex';
import type { Standby } from '../../test/support/attach-standby';
import { percentile } from '../app-load/latency-windows';
import { problemsAfterUpUnderLoad } from '../app-load/load-check';
import { epochMs } from '../app-load/load-generator';
import { withClient, type DatabaseFactory } from '../databases';
import { phaseTimeline, type PhaseName } from '../phase-timeline';
import { BUILT_CLI } from '../project-files';
import type { LoadPlan } from '../measured-run';
import type { Templates } from '../templates';
import { runNode } from '../timed-process';
import { prepareRun, underWatchedLoad } from '../watched-load';
import { sampleReplicaLag, waitForReplay, type LagSample } from './replica-lag-sampler';

/** How often the standby's lag is sampled. */
export const LAG_SAMPLE_MS = 100;
/** How long a run waits for the standby to replay everything before giving up. */
const CATCH_UP_TIMEOUT_MS = 15 * 60_000;
const MIGRATION = '006_rbac_roles';

export interface LagStats {
  samples: number;
  p99Ms: number;
  maxMs: number;
}

export interface StandbyRun {
  round: number;
  /** The health throttle on (default limit) or off (`--max-replica-lag 0`). */
  throttle: boolean;
  ok: boolean;
  failure: string | null;
  /** `up` from spawn to exit. */
  wallMs: number;
  /** The backfill phase's length, and the table's rows through it per second (null: not seen). */
  backfillMs: number | null;
  rowsPerSecond: number | null;
  /** The standby's lag sampled during the backfill, and during the whole `up`. */
  backfillLag: LagStats;
  runLag: LagStats;
  /** The throttle's holds, from `up --json` (`result.throttled`): how many, and their total length. */
  holds: number;
  heldMs: number;
  /** After `up` returned, how long the standby took to replay everything the primary had written. */
  caughtUpMs: number | null;
}

export interface StandbyRunContext {
  factory: DatabaseFactory;
  templates: Templates;
  standby: Standby;
  /** A connection to the primary's `postgres` database, for the catch-up waits. */
  primary: Knex;
  primaryUrl: string;
  load: LoadPlan;
  lockSampleMs: number;
  phasedSteps: ReadonlyArray<{ phase: PhaseName }>;
}

export async function measureStandbyRun(context: StandbyRunContext, throttle: boolean, round: number): Promise<StandbyRun> {
  const { factory, templates, standby } = context;
  const database = await factory.create('standby', templates.at005);
  const url = factory.url(database);
  try {
    // The copy (and the previous run's drop) replayed first: the run starts with the standby current.
    await waitForReplay(context.primary, standby.replayLsn, CATCH_UP_TIMEOUT_MS);
    const { pools, clockOffsetMs } = await prepareRun(url, templates.rows);
    const sampler = await sampleReplicaLag(context.primaryUrl, standby.applicationName, LAG_SAMPLE_MS);
    let caughtUpMs: number | null = null;
    const seen = await underWatchedLoad(
      url,
      { load: context.load, lockSampleMs: context.lockSampleMs, pools, rolloutColumn: 'role', phasedMigration: MIGRATION },
      async () => {
        const startedAt = epochMs();
        const args = [BUILT_CLI, 'up', '--no-check', '--json', ...(throttle ? [] : ['--max-replica-lag', '0'])];
        const { ms, stdout } = await runNode(args, url);
        caughtUpMs = await waitForReplay(context.primary, standby.replayLsn, CATCH_UP_TIMEOUT_MS);
        return { startedAt, ms, holds: holdsOf(stdout) };
      },
    );
    const samples = await sampler.stop();
    const timed = seen.result ?? { startedAt: epochMs(), ms: 0, holds: [] };
    const phases = phaseTimeline({
      steps: context.phasedSteps,
      direction: 'up',
      versions: seen.versions,
      startedAt: (timed.startedAt + clockOffsetMs) / 1000,
      endMs: timed.ms,
    });
    const backfill = phases.find((p) => p.phase === 'backfill');
    const backfillMs = backfill && backfill.to > backfill.from ? backfill.to - backfill.from : null;
    let failure = seen.failure;
    if (failure === null) {
      const problems = await withClient(url, (client) => problemsAfterUpUnderLoad(client, templates.rows, pools, seen.app));
      if (problems.length > 0) failure = `wrong data after up: ${problems.join('; ')}`;
    }
    const within = (from: number, to: number) => lagStats(samples.filter((s) => s.at >= timed.startedAt + from && s.at <= timed.startedAt + to));
    return {
      round,
      throttle,
      ok: failure === null,
      failure,
      wallMs: timed.ms,
      backfillMs,
      rowsPerSecond: backfillMs === null ? null : templates.rows / (backfillMs / 1000),
      backfillLag: backfill ? within(backfill.from, backfill.to) : lagStats([]),
      runLag: within(0, timed.ms),
      holds: timed.holds.length,
      heldMs: timed.holds.reduce((sum, h) => sum + h.waitedMs, 0),
      caughtUpMs,
    };
  } finally {
    await factory.drop(database);
  }
}

/** `up --json`'s document: the throttle's holds are `result.throttled`, absent when it never held. */
function holdsOf(stdout: string): Array<{ waitedMs: number }> {
  const document = JSON.parse(stdout) as { result: { throttled?: Array<{ waitedMs: number }> } | null };
  return document.result?.throttled ?? [];
}

/** p99 and max of the samples that saw the standby replaying. */
export function lagStats(samples: LagSample[]): LagStats {
  const lags = samples.flatMap((s) => (s.lagMs === null ? [] : [s.lagMs])).sort((a, b) => a - b);
  return { samples: lags.length, p99Ms: percentile(lags, 0.99), maxMs: lags.at(-1) ?? 0 };
}
