/**
 * One measured run: one contender takes one fresh copy of the template one way,
 * `up` under the application's load (on a quiet table, or with an application
 * transaction kept open across its start), `down` on an idle database. Around it:
 * the locks it takes on portal_users, the phases it goes through, what each app
 * version saw in each window, and a check of the data it left.
 */
import type pg from 'pg';
import type { AppVersion } from './app-load/app-versions';
import { problemsAfterUpUnderLoad } from './app-load/load-check';
import { epochMs, startAppLoad, type LoadRecord, type LoadSettings, type RequestRecord } from './app-load/load-generator';
import { openApplicationTransaction } from './app-load/open-transaction';
import { startPgbenchLoad, type PgbenchRecord } from './app-load/pgbench-load';
import { watchForColumn } from './app-load/rollout';
import { pickRowPools, type PickedRows } from './app-load/row-pools';
import { windowStats, type TimeWindow, type WindowStats } from './app-load/latency-windows';
import { latencyTimeline, type TimelineBucket } from './app-load/latency-timeline';
import { runContender, type ContenderSetup, type Direction, type Side } from './contenders';
import type { PhaseCommit } from './pgroll-style-backfill';
import { portalUsersSize, withClient, type DatabaseFactory, type RelationSize } from './databases';
import { longestHold, watchTableLocks, type LockEpisode, type LockHold } from './lock-watch';
import { locksByPhase, type PhaseLock } from './locks-by-phase';
import { watchPhaseRow, type PhaseRowVersion } from './phase-clock';
import { phaseTimeline, type PhaseName, type PhaseSpan } from './phase-timeline';
import { serverClockOffsetMs } from './server-clock';
import { assertMigrated, type Templates } from './templates';

/**
 * quiet: `up` under load; open-transaction: the same with an app transaction open across its start;
 * early-deploy: quiet, but the new version sends from the start instead of once expand has committed; idle: no load.
 */
export type Scenario = 'quiet' | 'open-transaction' | 'early-deploy' | 'idle';

export interface RunPlan {
  side: Side;
  direction: Direction;
  scenario: Scenario;
  round: number;
}

export interface LoadPlan extends LoadSettings {
  /** How long the load runs before the migration starts, and after it ends. */
  marginMs: number;
  /** How long the open application transaction lasts (open-transaction scenario). */
  openTransactionMs: number;
}

export interface AppOutcome {
  windows: WindowStats[];
  /** Max latency and errors per version in short buckets, for the chart: kept for konstruct-migrate's runs only (results.json stays small). */
  timeline: TimelineBucket[];
  /** The open application transaction: how long it was open, and its error if it failed. */
  openTransaction: { ms: number; error: string | null } | null;
  inserted: Record<AppVersion, number>;
  /** Connections the Node load had to open during the run (0 when no request paid for connecting). */
  reconnects: Record<AppVersion, number>;
  /** The same windows as seen by pgbench, the second client (null when it was not run). */
  pgbench: PgbenchOutcome | null;
  /** Every request of the Node load, when the context asks to keep them (the latency sweep windows them itself). */
  requests?: RequestRecord[];
}

export interface PgbenchOutcome {
  windows: WindowStats[];
  abortedClients: Record<AppVersion, number>;
  failure: string | null;
}

export interface RunMeasurement extends RunPlan {
  /** False when the migration failed or left wrong data; `failure` says why. */
  ok: boolean;
  failure: string | null;
  /** Epoch ms (this process's clock) of the start, the zero of `phases` (absent from results written before it). */
  startedAt?: number;
  wallMs: number;
  phases: PhaseSpan[];
  locks: PhaseLock[];
  /** The longest AccessExclusiveLock hold on portal_users over the whole run. */
  lock: LockHold;
  app: AppOutcome | null;
  before: RelationSize;
  after: RelationSize;
}

export interface RunContext {
  factory: DatabaseFactory;
  templates: Templates;
  setup: ContenderSetup;
  lockSampleMs: number;
  load: LoadPlan;
  /** The steps of the phased 006 as the CLI runs it (empty before it was phased). */
  phasedSteps: ReadonlyArray<{ phase: PhaseName }>;
  /** pgbench's path, or null to run the Node load alone. */
  pgbench: string | null;
  /** Keep every request in the outcome (not for results.json: it would grow by megabytes). */
  keepRequests?: boolean;
}

const MIGRATION = '006_rbac_roles';
/** The contenders that run 006 in its phases: the CLI's two engines (their phase row is sampled) and the pgroll-style one. */
const PHASED_SIDES: readonly Side[] = ['ours', 'today', 'pgroll'];
/** How often the catalog is read for the rollout: a deploy within 20 ms of expand's commit, at a fraction of the lock sampler's cost. */
const ROLLOUT_POLL_MS = 20;

export async function measureRun(context: RunContext, plan: RunPlan): Promise<RunMeasurement> {
  const { factory, templates } = context;
  const database = await factory.create('run', plan.direction === 'up' ? templates.at005 : templates.at006);
  const url = factory.url(database);
  try {
    const { before, pools, clockOffsetMs } = await withClient(url, async (client) => ({
      before: await portalUsersSize(client),
      pools: plan.scenario === 'idle' ? null : await pickRowPools(client, templates.rows),
      clockOffsetMs: await serverClockOffsetMs(client),
    }));
    const seen = await observeRun(context, plan, url, pools);
    const toServer = (ms: number) => (ms + clockOffsetMs) / 1000;
    const phases = phaseTimeline({
      steps: PHASED_SIDES.includes(plan.side) ? context.phasedSteps : [],
      direction: plan.direction,
      // The pgroll-style contender says itself when its phases committed, in epoch ms.
      versions: seen.phaseCommits
        ? seen.phaseCommits.map((c) => ({ stepsDone: c.stepsDone, cursor: null, committedAt: toServer(c.at), exact: true }))
        : seen.versions,
      startedAt: toServer(seen.startedAt),
      endMs: seen.endedAt - seen.startedAt,
    });
    const windows = appWindows(phases, context.load.marginMs);
    let failure = seen.failure;
    const after = await withClient(url, async (client) => {
      const size = await portalUsersSize(client);
      failure ??= await dataProblem(client, plan, templates, pools, seen.app);
      return size;
    });
    return {
      ...plan,
      ok: failure === null,
      failure,
      startedAt: seen.startedAt,
      wallMs: seen.endedAt - seen.startedAt,
      phases,
      locks: locksByPhase(seen.episodes, phases, toServer(seen.startedAt)),
      lock: longestHold(seen.episodes, 'AccessExclusiveLock', context.lockSampleMs),
      app: seen.app && {
        windows: windowStats(seen.app.requests, seen.startedAt, windows),
        timeline: plan.side === 'ours' ? latencyTimeline(seen.app.requests, seen.startedAt) : [],
        openTransaction: seen.openTransaction,
        inserted: seen.app.inserted,
        reconnects: seen.app.reconnects,
        pgbench: seen.pgbench && {
          windows: windowStats(seen.pgbench.requests, seen.startedAt, windows),
          abortedClients: seen.pgbench.abortedClients,
          failure: seen.pgbench.failure,
        },
        ...(context.keepRequests ? { requests: seen.app.requests } : {}),
      },
      before,
      after,
    };
  } finally {
    await factory.drop(database);
  }
}

interface Observed {
  /** Epoch ms (this process's clock): the start and end of what is timed (see contenders.ts). */
  startedAt: number;
  endedAt: number;
  failure: string | null;
  app: LoadRecord | null;
  pgbench: PgbenchRecord | null;
  openTransaction: AppOutcome['openTransaction'];
  episodes: LockEpisode[];
  versions: PhaseRowVersion[];
  phaseCommits?: PhaseCommit[];
}

/** The contender's run with everything watching it: the load (and margins), the open transaction, the lock and phase samplers. */
async function observeRun(context: RunContext, plan: RunPlan, url: string, pools: PickedRows | null): Promise<Observed> {
  const load = pools ? await startAppLoad(url, pools, context.load) : null;
  const pgbench = pools && context.pgbench ? await startPgbenchLoad(context.pgbench, url, context.templates.rows, context.load) : null;
  const openTransactionPids = new Set<number>();
  const loadPids = () => [...(load?.pids ?? []), ...(pgbench?.pids() ?? []), ...openTransactionPids];
  const watch = await watchTableLocks(url, 'portal_users', context.lockSampleMs, loadPids);
  // The new version is rolled out once expand has committed (rollout.ts); pgbench's clients end on
  // their first error, so its new version waits for that moment also in the early-deploy scenario.
  if (load && plan.scenario === 'early-deploy') load.deploy('new');
  let rolledOutAt: number | null = null;
  const rolledOut = load
    ? await watchForColumn(url, 'portal_users', 'role', ROLLOUT_POLL_MS, () => {
        rolledOutAt = epochMs();
        load.deploy('new');
      })
    : null;
  const phased = (plan.side === 'ours' || plan.side === 'today') && context.phasedSteps.length > 0;
  const phaseClock = phased ? await watchPhaseRow(url, MIGRATION, context.lockSampleMs) : null;
  let failure: string | null = null;
  const failed = (what: string) => (error: Error) => {
    failure ??= `${what}: ${error.message}`;
    return [];
  };
  let startedAt = 0;
  let endedAt = 0;
  let phaseCommits: PhaseCommit[] | undefined;
  let openTransaction: AppOutcome['openTransaction'] = null;
  let app: LoadRecord | null = null;
  let pgbenchRecord: PgbenchRecord | null = null;
  try {
    if (load) await sleep(context.load.marginMs);
    const open = plan.scenario === 'open-transaction' && pools
      ? await openApplicationTransaction(url, pools.heldByOpenTransaction, context.load.openTransactionMs, (pid) => openTransactionPids.add(pid))
      : null;
    const launched = epochMs();
    const timed = await runContender(plan.side, plan.direction, url, context.setup).catch((error: Error) => {
      failed(`${plan.direction} failed`)(error);
      return { startedAt: launched, ms: epochMs() - launched };
    });
    startedAt = timed.startedAt;
    endedAt = timed.startedAt + timed.ms;
    phaseCommits = 'phaseCommits' in timed ? timed.phaseCommits : undefined;
    if (open) openTransaction = await open.done;
    if (load) await sleep(context.load.marginMs);
  } finally {
    await rolledOut?.stop().catch(failed('watching for the rollout failed'));
    app = (await load?.stop()) ?? null;
    pgbenchRecord = (await pgbench?.stop(rolledOutAt).catch((error: Error) => ({ requests: [], abortedClients: { old: 0, new: 0 }, failure: error.message }))) ?? null;
  }
  // pgbench's backends may take locks before its pids are known: they are the application's, never the migration's.
  const appPids = new Set(loadPids());
  const episodes = (await watch.stop().catch(failed('lock sampling failed'))).filter((e) => !appPids.has(e.pid));
  const versions = (await phaseClock?.stop().catch(failed('phase sampling failed'))) ?? [];
  return { startedAt, endedAt, failure, app, pgbench: pgbenchRecord, openTransaction, episodes, versions, phaseCommits };
}

async function dataProblem(
  client: pg.Client,
  plan: RunPlan,
  templates: Templates,
  pools: PickedRows | null,
  app: LoadRecord | null,
): Promise<string | null> {
  if (plan.direction === 'up' && pools && app) {
    const problems = await problemsAfterUpUnderLoad(client, templates.rows, pools, app);
    return problems.length > 0 ? `wrong data after up: ${problems.join('; ')}` : null;
  }
  try {
    await assertMigrated(client, plan.direction, templates);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The windows the targets are judged on, in ms from the start of the migration:
 * each phase, the margins before and after, the whole run, and for a phased run
 * "start of expand to start of contract" and "from the end of expand on".
 */
export function appWindows(phases: PhaseSpan[], marginMs: number): TimeWindow[] {
  const end = phases.at(-1)!.to;
  const windows: TimeWindow[] = [
    { name: 'before', from: -marginMs, to: 0 },
    ...phases.map((p) => ({ name: p.phase, from: p.from, to: p.to })),
    { name: 'after', from: end, to: end + marginMs },
    { name: 'whole run', from: 0, to: end },
  ];
  const expand = phases.find((p) => p.phase === 'expand');
  const contract = phases.find((p) => p.phase === 'contract');
  if (expand) windows.push({ name: 'from the end of expand on', from: expand.to, to: end + marginMs });
  if (expand && contract) windows.push({ name: 'start of expand to start of contract', from: 0, to: contract.from });
  return windows;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
