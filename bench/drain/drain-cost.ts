/**
 * What the drain gate's write recorder costs the application (issue #23 item
 * 3). 006 is brought to its expanded state (`up --expand`) on two copies of the
 * same template; on one the drain triggers stay (every old-shape write, an
 * update or insert of `is_admin`, also upserts a counter row), on the other they
 * are dropped by name, and both are vacuumed (the backfill left a dead row
 * version per row, whose autovacuum could otherwise fall on whichever copy is
 * loaded first). Then the copies take the same load, both versions sending from
 * the start, in many short rounds of four segments, A B B A (B A A B in odd
 * rounds), so a drift of the shared machine weighs on both sides alike; each
 * round gives a ratio of p99s, and ratio-statistics.ts judges them together.
 * The first WARM_UP_MS of each segment are left out on both sides: each
 * segment opens fresh connections, whose first statements are slower.
 * Last, the server's own measure of the recorder (trigger-cost.ts). Nothing
 * else differs: same data, same steps, same load.
 */
import type pg from 'pg';
import { APP_VERSIONS, appRequest, type AppVersion } from '../app-load/app-versions';
import { epochMs, startAppLoad, type RequestRecord } from '../app-load/load-generator';
import { percentile } from '../app-load/latency-windows';
import { pickRowPools } from '../app-load/row-pools';
import { DRAIN_TABLE } from '../../src/drain/evidence-table';
import { recorderName } from '../../src/drain/write-recorder';
import { withClient, type DatabaseFactory } from '../databases';
import type { LoadPlan } from '../measured-run';
import { BUILT_CLI } from '../project-files';
import type { Templates } from '../templates';
import { runNode } from '../timed-process';
import { summarizeRatios, type RatioSummary, type RoundLatencies } from './ratio-statistics';
import { measureTriggerCost, type StatementCost } from './trigger-cost';
import { versionTotals, type VersionTotals } from './version-totals';

/** Issue #23 item 3: the application's p99 with the recorder at most 5 % above its p99 without it. */
export const DRAIN_TARGETS = { p99Ratio: 1.05 };

export type RecorderSide = 'recording' | 'without';
export const RECORDER_SIDES: readonly RecorderSide[] = ['recording', 'without'];
const MIGRATION = '006_rbac_roles';

export interface SideVersion extends VersionTotals {
  /** Updates and inserts only: the requests the triggers can touch. */
  writesP99Ms: number;
}

export interface DrainCostSide {
  /** Drain triggers on portal_users while the load ran. */
  triggers: number;
  /** Old-shape writes the recorder counted (0 without it). */
  recordedWrites: number;
  versions: Record<AppVersion, SideVersion>;
}

/** EXPLAIN ANALYZE repetitions of each write on each side: a few seconds, and a median that holds still. */
export const DRAIN_EXPLAIN_REPETITIONS = 300;

export interface DrainCostPlan {
  /** A B B A rounds in one run. */
  rounds: number;
  /** Seconds of each segment (four per round). */
  segmentSeconds: number;
  /** EXPLAIN ANALYZE repetitions of each write on each side. */
  explainRepetitions: number;
}

export interface DrainCostRun {
  round: number;
  ok: boolean;
  failure: string | null;
  plan: DrainCostPlan;
  /** Every round's requests pooled, per side. */
  sides: Record<RecorderSide, DrainCostSide>;
  /** Per version: the ratio of p99s (with / without) round by round, and judged together. */
  ratios: Record<AppVersion, RatioSummary> | null;
  /** The server's measure of the recorder's cost per write. */
  server: StatementCost[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureDrainCost(factory: DatabaseFactory, templates: Templates, load: LoadPlan, plan: DrainCostPlan, round: number): Promise<DrainCostRun> {
  const databases = {} as Record<RecorderSide, string>;
  try {
    for (const side of RECORDER_SIDES) {
      databases[side] = await factory.create(`drain_${side}`, templates.at005);
      await runNode([BUILT_CLI, 'up', '--expand', '--no-check'], factory.url(databases[side]));
    }
    await withClient(factory.url(databases.without), dropRecorderTriggers);
    for (const side of RECORDER_SIDES) await withClient(factory.url(databases[side]), (client) => client.query('VACUUM (ANALYZE) portal_users'));
    const urls = { recording: factory.url(databases.recording), without: factory.url(databases.without) };
    const rounds: Array<Record<RecorderSide, RequestRecord[]>> = [];
    let segment = 0;
    for (let r = 0; r < plan.rounds; r++) {
      const [a, b] = (round * plan.rounds + r) % 2 === 0 ? RECORDER_SIDES : [...RECORDER_SIDES].reverse();
      const requests: Record<RecorderSide, RequestRecord[]> = { recording: [], without: [] };
      for (const side of [a!, b!, b!, a!]) requests[side].push(...(await loadSegment(urls[side], templates.rows, load, plan.segmentSeconds * 1000, segment++)));
      rounds.push(requests);
    }
    const sides = {} as Record<RecorderSide, DrainCostSide>;
    for (const side of RECORDER_SIDES) sides[side] = await sideResult(urls[side], rounds.flatMap((r) => r[side]));
    const failure = problemOf(sides);
    const ids = await withClient(urls.recording, async (client) => (await pickRowPools(client, templates.rows)).promotedByOld);
    const server = failure === null ? await measureTriggerCost(urls, ids, plan.explainRepetitions, recorderName(MIGRATION)) : [];
    return { round, ok: failure === null, failure, plan, sides, ratios: failure === null ? ratiosOf(rounds) : null, server };
  } catch (error) {
    return { round, ok: false, failure: (error as Error).message, plan, sides: {} as Record<RecorderSide, DrainCostSide>, ratios: null, server: [] };
  } finally {
    for (const database of Object.values(databases)) await factory.drop(database);
  }
}

/** One segment of load on one copy; its requests are numbered apart from the other segments' (inserted emails stay unique). */
async function loadSegment(url: string, rows: number, plan: LoadPlan, ms: number, segment: number): Promise<RequestRecord[]> {
  const pools = await withClient(url, (client) => pickRowPools(client, rows));
  const load = await startAppLoad(url, pools, plan, (version, sequence) => appRequest(version, segment * SEGMENT_SEQUENCES + sequence, pools));
  const startedAt = epochMs();
  load.deploy('new');
  await sleep(ms);
  const record = await load.stop();
  // Requests due within the segment, after its warm-up: the same count on both sides.
  return record.requests.filter((r) => r.dueAt - startedAt >= WARM_UP_MS && r.dueAt - startedAt < ms);
}

/** The start of a segment left out: fresh connections' first statements (catalog caches, plans). */
export const WARM_UP_MS = 250;

function ratiosOf(rounds: Array<Record<RecorderSide, RequestRecord[]>>): Record<AppVersion, RatioSummary> {
  const latencies = (version: AppVersion): RoundLatencies[] =>
    rounds.map((r) => ({
      recording: r.recording.filter((q) => q.version === version).map((q) => q.ms),
      without: r.without.filter((q) => q.version === version).map((q) => q.ms),
    }));
  return Object.fromEntries(APP_VERSIONS.map((v) => [v, summarizeRatios(latencies(v), DRAIN_TARGETS.p99Ratio)])) as Record<AppVersion, RatioSummary>;
}

/** Far more requests than one segment sends. */
const SEGMENT_SEQUENCES = 10_000_000;

async function sideResult(url: string, due: RequestRecord[]): Promise<DrainCostSide> {
  const triggers = await withClient(url, countRecorderTriggers);
  const recordedWrites = await withClient(url, async (client) => {
    const { rows: [r] } = await client.query(`SELECT coalesce(sum(count), 0) AS n FROM ${DRAIN_TABLE} WHERE migration = $1 AND source = 'write'`, [MIGRATION]);
    return Number(r.n);
  });
  const versions = Object.fromEntries(APP_VERSIONS.map((v) => [v, sideVersion(due.filter((r) => r.version === v))])) as Record<AppVersion, SideVersion>;
  return { triggers, recordedWrites, versions };
}

function sideVersion(requests: RequestRecord[]): SideVersion {
  const writes = requests.filter((r) => r.kind !== 'read').map((r) => r.ms).sort((a, b) => a - b);
  return { ...versionTotals(requests), writesP99Ms: percentile(writes, 0.99) };
}

const RECORDER_TRIGGERS = `SELECT t.tgname FROM pg_trigger t WHERE t.tgrelid = 'portal_users'::regclass AND t.tgname LIKE $1 AND NOT t.tgisinternal`;
const triggerPattern = () => `${recorderName(MIGRATION)}\\_%`;

async function countRecorderTriggers(client: pg.Client): Promise<number> {
  return (await client.query(RECORDER_TRIGGERS, [triggerPattern()])).rows.length;
}

/** Drops the drain triggers by name (write-recorder.ts names them after the migration); the function stays, unused. */
async function dropRecorderTriggers(client: pg.Client): Promise<void> {
  const { rows } = await client.query(RECORDER_TRIGGERS, [triggerPattern()]);
  for (const r of rows) await client.query(`DROP TRIGGER "${r.tgname}" ON portal_users`);
}

/** A side that did not measure what it claims, or a failed request, makes the run fail. */
function problemOf(sides: Record<RecorderSide, DrainCostSide>): string | null {
  if (sides.recording.triggers === 0) return 'the expanded 006 has no drain triggers to measure';
  if (sides.without.triggers !== 0) return `${sides.without.triggers} drain triggers were left after dropping them`;
  if (sides.recording.recordedWrites === 0) return 'the drain triggers recorded no old-shape write';
  if (sides.without.recordedWrites !== 0) return 'writes were recorded without the drain triggers';
  const failed = RECORDER_SIDES.flatMap((s) => APP_VERSIONS.filter((v) => sides[s].versions[v].errors > 0).map((v) => `${v} version ${s}: ${sides[s].versions[v].errorMessages.join(', ')}`));
  return failed.length > 0 ? `requests failed: ${failed.join('; ')}` : null;
}
