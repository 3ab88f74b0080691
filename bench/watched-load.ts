/**
 * The frame of a scenario run under the application's load, shared by the
 * operations scenario and the rolling deploy: the load starts (the old version
 * sending), the locks on portal_users and the migration's phase row are
 * sampled, and the new version is rolled out once `rolloutColumn` becomes
 * visible (expand has committed). The work runs between two margins of load;
 * whatever it throws is kept as the run's failure, and everything is stopped.
 */
import type { RequestSource, RowPools } from './app-load/app-versions';
import { pickRowPools, type PickedRows } from './app-load/row-pools';
import { withClient } from './databases';
import { serverClockOffsetMs } from './server-clock';
import { startAppLoad, type LoadRecord, type RunningLoad } from './app-load/load-generator';
import { watchForColumn } from './app-load/rollout';
import { watchTableLocks, type LockEpisode } from './lock-watch';
import { watchMachineLoad, type MachineSample } from './machine-load';
import type { LoadPlan } from './measured-run';
import { watchPhaseRow, type PhaseRowVersion } from './phase-clock';

export interface WatchedLoadPlan {
  load: LoadPlan;
  lockSampleMs: number;
  pools: RowPools;
  requests?: RequestSource;
  /** The column whose appearance rolls the new version out. */
  rolloutColumn: string;
  /** The phased migration whose phase row is sampled (null: none). */
  phasedMigration: string | null;
}

export interface WatchedLoad<T> {
  result: T | null;
  failure: string | null;
  app: LoadRecord;
  /** Lock holds and waits of everything but the application. */
  episodes: LockEpisode[];
  versions: PhaseRowVersion[];
  /** The machine's load every half second while the load ran. */
  machine: MachineSample[];
}

const ROLLOUT_POLL_MS = 20;

/** Before a run: the rows the load will touch, and the server's clock against this process's. */
export async function prepareRun(url: string, rows: number): Promise<{ pools: PickedRows; clockOffsetMs: number }> {
  return withClient(url, async (client) => ({ pools: await pickRowPools(client, rows), clockOffsetMs: await serverClockOffsetMs(client) }));
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function underWatchedLoad<T>(url: string, plan: WatchedLoadPlan, work: (load: RunningLoad) => Promise<T>): Promise<WatchedLoad<T>> {
  const load = await startAppLoad(url, plan.pools, plan.load, plan.requests);
  let failure: string | null = null;
  const failed = (what: string) => (error: Error) => {
    failure ??= `${what}: ${error.message}`;
    return [];
  };
  let result: T | null = null;
  let app: LoadRecord | undefined;
  let episodes: LockEpisode[] = [];
  let versions: PhaseRowVersion[] = [];
  let machine: MachineSample[] = [];
  const machineWatch = watchMachineLoad();
  try {
    const watch = await watchTableLocks(url, 'portal_users', plan.lockSampleMs, () => load.pids);
    const phaseClock = plan.phasedMigration ? await watchPhaseRow(url, plan.phasedMigration, plan.lockSampleMs) : null;
    const rollout = await watchForColumn(url, 'portal_users', plan.rolloutColumn, ROLLOUT_POLL_MS, () => load.deploy('new'));
    try {
      await sleep(plan.load.marginMs);
      try {
        result = await work(load);
      } catch (error) {
        failed('the run failed')(error as Error);
      }
      await sleep(plan.load.marginMs);
    } finally {
      await rollout.stop().catch(failed('watching for the rollout failed'));
      app = await load.stop();
      episodes = await watch.stop().catch(failed('lock sampling failed'));
      versions = (await phaseClock?.stop().catch(failed('phase sampling failed'))) ?? [];
    }
  } finally {
    app ??= await load.stop();
    machine = await machineWatch.stop();
  }
  // Pids of the load may have been added after a sample saw them: they are the application's, never the migration's.
  const appPids = new Set(load.pids);
  return { result, failure, app, episodes: episodes.filter((e) => !appPids.has(e.pid)), versions, machine };
}
