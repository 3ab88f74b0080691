/**
 * The rolling deploy with the drain gate (issue #23 item 4), as the recipe in
 * docs/online-migrations.md runs it, under the application's load:
 *   1. `up --expand` while the old version sends; the new version is rolled
 *      out once expand has committed (portal_users.role becomes visible);
 *   2. as soon as it returns, `complete --wait --drain-window W --old-version
 *      <the old version's application_name>` starts, while the old version is
 *      still sending;
 *   3. some seconds later the old version is retired (stops sending, its last
 *      requests answered, its connections closed), as a finished rollout.
 * `complete` must wait until the old version is gone (its writes recorded by
 * the drain triggers, its sessions) and the window has passed, then contract.
 * The contract's start is the first lock on portal_users taken after
 * `complete` was spawned (sampled from pg_locks): before it, the old version
 * cannot be hurt. Errors are counted for both versions over the whole run.
 */
import { APP_VERSIONS, type AppVersion } from '../app-load/app-versions';
import { applicationName, epochMs } from '../app-load/load-generator';
import type { DatabaseFactory } from '../databases';
import type { LockEpisode } from '../lock-watch';
import type { LoadPlan } from '../measured-run';
import { BUILT_CLI } from '../project-files';
import type { Templates } from '../templates';
import { runNode } from '../timed-process';
import { prepareRun, underWatchedLoad } from '../watched-load';
import { worstRequests, type WorstRequest } from '../worst-request';
import { versionTotals, type VersionTotals } from './version-totals';

export interface RollingDeploySettings {
  load: LoadPlan;
  lockSampleMs: number;
  /** `complete --drain-window`, in seconds. */
  drainWindowSeconds: number;
  /** How long after `complete` starts the old version is retired, in seconds. */
  oldStopsAfterSeconds: number;
}

export interface RollingDeployRun {
  round: number;
  ok: boolean;
  failure: string | null;
  /** Over the whole run, margins included. */
  versions: Record<AppVersion, VersionTotals>;
  expandMs: number;
  /** `complete` from spawn to exit. */
  completeMs: number;
  /** From `complete`'s spawn to the contract's first lock: how long it waited (null: no contract lock seen). */
  waitedMs: number | null;
  /** From `complete`'s spawn to the old version's last answer: > 0 when it started while the old version was active. */
  oldActiveAfterCompleteMs: number | null;
  /** From the old version's last answer to the contract's first lock: > 0 when it did not contract while the old version was active. */
  contractAfterOldMs: number | null;
  /** Per version, its slowest request of the whole run, and what it waited on (times from the start of `up --expand`). */
  worst: Record<AppVersion, WorstRequest | null>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureRollingDeploy(factory: DatabaseFactory, templates: Templates, settings: RollingDeploySettings, round: number): Promise<RollingDeployRun> {
  const database = await factory.create('rolling', templates.at005);
  const url = factory.url(database);
  try {
    const { pools, clockOffsetMs } = await prepareRun(url, templates.rows);
    const seen = await underWatchedLoad(url, { load: settings.load, lockSampleMs: settings.lockSampleMs, pools, rolloutColumn: 'role', phasedMigration: null }, async (load) => {
      const expandStarted = epochMs();
      await runNode([BUILT_CLI, 'up', '--expand', '--no-check'], url);
      const completeStartedAt = epochMs();
      const args = [BUILT_CLI, 'complete', '--wait', '--drain-window', String(settings.drainWindowSeconds), '--old-version', applicationName('old')];
      // Handled at once: a complete that fails while the old version still runs must not be an unhandled rejection.
      const completing = runNode(args, url).then((done) => ({ ms: done.ms, error: null }), (error: Error) => ({ ms: epochMs() - completeStartedAt, error }));
      await sleep(settings.oldStopsAfterSeconds * 1000);
      const oldLastAnswerAt = await load.retire('old');
      const completed = await completing;
      if (completed.error) throw completed.error;
      return { expandStarted, expandMs: completeStartedAt - expandStarted, completeStartedAt, completeMs: completed.ms, oldLastAnswerAt };
    });
    const run = seen.result;
    const contractAt = run ? firstLockAfter(seen.episodes, (run.completeStartedAt + clockOffsetMs) / 1000) : null;
    const contractLocal = contractAt === null ? null : contractAt * 1000 - clockOffsetMs;
    const versions = Object.fromEntries(APP_VERSIONS.map((v) => [v, versionTotals(seen.app.requests.filter((r) => r.version === v))])) as Record<AppVersion, VersionTotals>;
    const failure = seen.failure ?? (contractLocal === null ? 'no lock of the contract was seen' : null);
    return {
      round,
      ok: failure === null,
      failure,
      versions,
      expandMs: run?.expandMs ?? 0,
      completeMs: run?.completeMs ?? 0,
      waitedMs: run && contractLocal !== null ? contractLocal - run.completeStartedAt : null,
      oldActiveAfterCompleteMs: run?.oldLastAnswerAt != null ? run.oldLastAnswerAt - run.completeStartedAt : null,
      contractAfterOldMs: run?.oldLastAnswerAt != null && contractLocal !== null ? contractLocal - run.oldLastAnswerAt : null,
      worst: run
        ? worstRequests(
            {
              requests: seen.app.requests,
              startedAt: run.expandStarted,
              clockOffsetMs,
              // Every request of the run counts here, margins included, as in its table.
              phases: [
                { phase: 'before', from: -settings.load.marginMs, to: 0 },
                { phase: '`up --expand`', from: 0, to: run.expandMs },
                { phase: '`complete --wait`', from: run.expandMs, to: run.expandMs + run.completeMs },
                { phase: 'after', from: run.expandMs + run.completeMs, to: run.expandMs + run.completeMs + settings.load.marginMs },
              ],
              counts: () => true,
              episodes: seen.episodes,
              machine: seen.machine,
              steps: null,
            },
            APP_VERSIONS,
          )
        : { old: null, new: null },
    };
  } finally {
    await factory.drop(database);
  }
}

/** Epoch seconds (server clock) of the first lock on the table held or awaited by a transaction that ended after `after`: complete's, since `up --expand` had exited by then. */
function firstLockAfter(episodes: LockEpisode[], after: number): number | null {
  const starts = episodes.filter((e) => e.end > after).map((e) => Math.max(e.start, after));
  return starts.length > 0 ? Math.min(...starts) : null;
}
