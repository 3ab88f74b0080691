/**
 * One run of the operations scenario (issue #20 item 6): on a fresh copy of the
 * 006 template, one contender applies 007 (a rename, a type change, an index)
 * with `up` while the old and the new application version read and write
 * portal_users; the new version is rolled out once `display_name` becomes
 * visible (expand's commit, or the plain migration's). Around it: the locks it
 * took, its phases, what each version saw per window, and the data it left.
 */
import { APP_VERSIONS, type AppVersion } from '../app-load/app-versions';
import { windowStats, type WindowStats } from '../app-load/latency-windows';
import { epochMs } from '../app-load/load-generator';
import { withClient, type DatabaseFactory } from '../databases';
import { locksByPhase, type PhaseLock } from '../locks-by-phase';
import { appWindows, type LoadPlan } from '../measured-run';
import { phaseTimeline, type PhaseSpan } from '../phase-timeline';
import { BUILT_CLI } from '../project-files';
import type { Templates } from '../templates';
import { runNode } from '../timed-process';
import { prepareRun, underWatchedLoad } from '../watched-load';
import { worstRequests, type WorstRequest } from '../worst-request';
import { opsRequests } from './ops-app-versions';
import { opsDataProblems } from './ops-data-check';
import { OPS_MIGRATION, type OpsContender, type OpsFolders } from './ops-folders';

export interface OpsRun {
  contender: OpsContender;
  round: number;
  /** False when the migration failed or left wrong data; `failure` says why. */
  ok: boolean;
  failure: string | null;
  /** `up` from spawn to exit. */
  wallMs: number;
  phases: PhaseSpan[];
  locks: PhaseLock[];
  windows: WindowStats[];
  reconnects: Record<AppVersion, number>;
  /** Per version, its slowest request while served during the migration, and what it waited on. */
  worst: Record<AppVersion, WorstRequest | null>;
}

export interface OpsContext {
  factory: DatabaseFactory;
  templates: Templates;
  folders: OpsFolders;
  lockSampleMs: number;
  load: LoadPlan;
}

export async function measureOpsRun(context: OpsContext, contender: OpsContender, round: number): Promise<OpsRun> {
  const { factory, templates } = context;
  const database = await factory.create('ops', templates.at006);
  const url = factory.url(database);
  try {
    const { pools, clockOffsetMs } = await prepareRun(url, templates.rows);
    const env = { KONSTRUCT_MIGRATIONS_DIR: context.folders.dirs[contender] };
    const seen = await underWatchedLoad(
      url,
      { load: context.load, lockSampleMs: context.lockSampleMs, pools, requests: opsRequests(pools), rolloutColumn: 'display_name', phasedMigration: contender === 'operations' ? OPS_MIGRATION : null },
      async () => {
        const startedAt = epochMs();
        const { ms } = await runNode([BUILT_CLI, 'up', '--no-check'], url, env);
        return { startedAt, ms };
      },
    );
    const timed = seen.result ?? { startedAt: epochMs(), ms: 0 };
    const toServer = (ms: number) => (ms + clockOffsetMs) / 1000;
    const phases = phaseTimeline({
      steps: contender === 'operations' ? context.folders.steps : [],
      direction: 'up',
      versions: seen.versions,
      startedAt: toServer(timed.startedAt),
      endMs: timed.ms,
    });
    let failure = seen.failure;
    if (failure === null) {
      const problems = await withClient(url, (client) => opsDataProblems(client, templates.rows, seen.app));
      if (problems.length > 0) failure = `wrong data after up: ${problems.join('; ')}`;
    }
    return {
      contender,
      round,
      ok: failure === null,
      failure,
      wallMs: timed.ms,
      phases,
      locks: locksByPhase(seen.episodes, phases, toServer(timed.startedAt)),
      windows: windowStats(seen.app.requests, timed.startedAt, appWindows(phases, context.load.marginMs)),
      reconnects: seen.app.reconnects,
      worst: worstRequests(
        {
          requests: seen.app.requests,
          startedAt: timed.startedAt,
          clockOffsetMs,
          phases,
          episodes: seen.episodes,
          machine: seen.machine,
          steps: contender === 'operations' ? { names: context.folders.steps.map((s) => s.name), versions: seen.versions } : null,
        },
        APP_VERSIONS,
      ),
    };
  } finally {
    await factory.drop(database);
  }
}
