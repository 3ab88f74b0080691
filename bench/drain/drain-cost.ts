/**
 * What the drain gate's write recorder costs the application (issue #23 item
 * 3). 006 is brought to its expanded state (`up --expand`) on two copies of the
 * same template, x and y, and both are vacuumed (the backfill left a dead row
 * version per row, whose autovacuum could otherwise fall on one copy only). The
 * recorder's triggers (every old-shape write, an update or insert of
 * `is_admin`, also upserts a counter row) are kept as `up --expand` made them
 * (pg_get_triggerdef) and then stand on one copy at a time: between rounds they
 * are dropped from one copy and created again on the other, in the crossed
 * order of crossed-rounds.ts, so that what differs between the copies falls on
 * both sides alike. In every round both copies take load at the same time,
 * each half of the application's (simultaneous-load.ts), so that what happens
 * to the machine meanwhile falls on both sides alike too; each round gives a
 * ratio of p99s, and ratio-statistics.ts judges them together, and measures
 * the copy effect the crossing removes. Every segment (one copy in one round)
 * records the triggers it found, the old-shape writes counted while it ran and
 * when its load ran, so a run shows that the recorder really moved and that
 * the two copies were loaded together. Last, the server's own measure of the
 * recorder (trigger-cost.ts), crossed the same way.
 */
import type pg from 'pg';
import { APP_VERSIONS, type AppVersion } from '../app-load/app-versions';
import type { RequestRecord } from '../app-load/load-generator';
import { percentile } from '../app-load/latency-windows';
import { pickRowPools } from '../app-load/row-pools';
import { DRAIN_TABLE } from '../../src/drain/evidence-table';
import { recorderName } from '../../src/drain/write-recorder';
import { withClient, type DatabaseFactory } from '../databases';
import type { LoadPlan } from '../measured-run';
import { BUILT_CLI } from '../project-files';
import type { Templates } from '../templates';
import { runNode } from '../timed-process';
import { carrierOf, COPIES, RECORDER_SIDES, roundSegments, otherCopy, type Copy, type RecorderSide } from './crossed-rounds';
import { loadBothCopies } from './simultaneous-load';
import { summarizeCopyEffect, summarizeRatios, type CopyEffect, type RatioSummary, type RoundLatencies } from './ratio-statistics';
import { measureTriggerCost, type StatementCost } from './trigger-cost';
import { versionTotals, type VersionTotals } from './version-totals';

/** Issue #23 item 3: the application's p99 with the recorder at most 5 % above its p99 without it. */
export const DRAIN_TARGETS = { p99Ratio: 1.05 };

const MIGRATION = '006_rbac_roles';

export interface SideVersion extends VersionTotals {
  /** Updates and inserts only: the requests the triggers can touch. */
  writesP99Ms: number;
}

export interface DrainCostSide {
  /** Drain triggers on portal_users while the load ran (the most any of the side's segments found). */
  triggers: number;
  /** Old-shape writes the recorder counted (0 without it). */
  recordedWrites: number;
  versions: Record<AppVersion, SideVersion>;
}

/** EXPLAIN ANALYZE repetitions of each write on each side: a few seconds, and a median that holds still. */
export const DRAIN_EXPLAIN_REPETITIONS = 300;

export interface DrainCostPlan {
  /** Rounds in one run, both copies loaded at once in each. */
  rounds: number;
  /** Seconds of each round (its warm-up included). */
  segmentSeconds: number;
  /** EXPLAIN ANALYZE repetitions of each write on each side. */
  explainRepetitions: number;
}

/** One segment as it ran (one copy's load in one round): where, on which side, when, and what the recorder did there. */
export interface DrainSegment {
  /** The round it belongs to (0-based, within the run). */
  round: number;
  copy: Copy;
  side: RecorderSide;
  /** Drain triggers on the copy's portal_users when the segment began. */
  triggers: number;
  /** Old-shape writes the copy's counters gained during the segment. */
  recorded: number;
  /** Requests kept (due after the warm-up). */
  requests: number;
  /** Epoch ms of the first and the last request due on the copy, warm-up included (absent in results from before the copies were loaded at once). */
  firstDueAt?: number;
  lastDueAt?: number;
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
  /** Per version: copy x against copy y with the recorder in the same state (null before the crossing, or with one round). */
  copyEffect?: Record<AppVersion, CopyEffect | null> | null;
  /** Every segment, round by round, copy x then copy y (absent in results from before the crossing). */
  segments?: DrainSegment[];
  /** The server's measure of the recorder's cost per write. */
  server: StatementCost[];
}

export async function measureDrainCost(factory: DatabaseFactory, templates: Templates, load: LoadPlan, plan: DrainCostPlan, round: number): Promise<DrainCostRun> {
  const databases = {} as Record<Copy, string>;
  const failed = (failure: string): DrainCostRun => ({ round, ok: false, failure, plan, sides: {} as Record<RecorderSide, DrainCostSide>, ratios: null, server: [] });
  try {
    for (const copy of COPIES) {
      databases[copy] = await factory.create(`drain_${copy}`, templates.at005);
      await runNode([BUILT_CLI, 'up', '--expand', '--no-check'], factory.url(databases[copy]));
    }
    const urls = { x: factory.url(databases.x), y: factory.url(databases.y) };
    const recorder = await withClient(urls.x, readRecorderTriggers);
    if (recorder.length === 0) return failed('the expanded 006 has no drain triggers to measure');
    const carry = (carrier: Copy) => moveRecorder(urls, recorder, carrier);
    for (const copy of COPIES) {
      await withClient(urls[copy], async (client) => {
        await client.query('VACUUM (ANALYZE) portal_users');
        await client.query(`ALTER TABLE portal_users SET (autovacuum_enabled = off)`);
      });
    }
    const rounds: Array<{ carrier: Copy; requests: Record<RecorderSide, RequestRecord[]> }> = [];
    const segments: DrainSegment[] = [];
    for (let r = 0; r < plan.rounds; r++) {
      const carrier = carrierOf(r);
      await carry(carrier);
      await vacuumBothCopies(urls);
      const found = await perCopy(urls, countRecorderTriggers);
      const before = await perCopy(urls, recordedWrites);
      const loaded = await loadBothCopies(urls, templates.rows, load, plan.segmentSeconds * 1000, r);
      const after = await perCopy(urls, recordedWrites);
      const requests = {} as Record<RecorderSide, RequestRecord[]>;
      for (const { copy, side } of roundSegments(r)) {
        const { kept, firstDueAt, lastDueAt } = loaded[copy];
        segments.push({ round: r, copy, side, triggers: found[copy], recorded: after[copy] - before[copy], requests: kept.length, firstDueAt, lastDueAt });
        requests[side] = kept;
      }
      rounds.push({ carrier, requests });
    }
    const sides = {} as Record<RecorderSide, DrainCostSide>;
    for (const side of RECORDER_SIDES) sides[side] = sideResult(segments.filter((s) => s.side === side), rounds.flatMap((r) => r.requests[side]));
    const failure = problemOf(sides, segments);
    const ids = await withClient(urls.x, async (client) => (await pickRowPools(client, templates.rows)).promotedByOld);
    const server = failure === null ? await measureTriggerCost(urls, ids, plan.explainRepetitions, recorderName(MIGRATION), carry) : [];
    const latencies = failure === null ? roundLatencies(rounds) : null;
    return {
      round,
      ok: failure === null,
      failure,
      plan,
      sides,
      ratios: latencies && perVersion((v) => summarizeRatios(latencies(v), DRAIN_TARGETS.p99Ratio)),
      copyEffect: latencies && perVersion((v) => summarizeCopyEffect(latencies(v))),
      segments,
      server,
    };
  } catch (error) {
    return failed((error as Error).message);
  } finally {
    for (const database of Object.values(databases)) await factory.drop(database);
  }
}

/** A query on each copy, one copy after the other. */
async function perCopy<T>(urls: Record<Copy, string>, query: (client: pg.Client) => Promise<T>): Promise<Record<Copy, T>> {
  const result = {} as Record<Copy, T>;
  for (const copy of COPIES) result[copy] = await withClient(urls[copy], query);
  return result;
}

/**
 * Between rounds, with no load running: portal_users is vacuumed on both copies, and autovacuum is off for it
 * during the run. Both versions' writes leave dead rows on each copy, and an autovacuum falls on one copy at
 * a time, in the middle of a round: its I/O would land on one side only. The recorder writes nothing to
 * portal_users, so this leaves out nothing of its cost (its own counter table keeps its autovacuum).
 */
async function vacuumBothCopies(urls: Record<Copy, string>): Promise<void> {
  await Promise.all(COPIES.map((copy) => withClient(urls[copy], (client) => client.query('VACUUM portal_users'))));
}

function roundLatencies(rounds: Array<{ carrier: Copy; requests: Record<RecorderSide, RequestRecord[]> }>): (version: AppVersion) => RoundLatencies[] {
  const of = (requests: RequestRecord[], version: AppVersion) => requests.filter((q) => q.version === version).map((q) => q.ms);
  return (version) => rounds.map((r) => ({ carrier: r.carrier, recording: of(r.requests.recording, version), without: of(r.requests.without, version) }));
}

function perVersion<T>(summary: (version: AppVersion) => T): Record<AppVersion, T> {
  return Object.fromEntries(APP_VERSIONS.map((v) => [v, summary(v)])) as Record<AppVersion, T>;
}

function sideResult(segments: DrainSegment[], due: RequestRecord[]): DrainCostSide {
  return {
    triggers: Math.max(0, ...segments.map((s) => s.triggers)),
    recordedWrites: segments.reduce((sum, s) => sum + s.recorded, 0),
    versions: perVersion((v) => sideVersion(due.filter((r) => r.version === v))),
  };
}

async function recordedWrites(client: pg.Client): Promise<number> {
  const { rows: [r] } = await client.query(`SELECT coalesce(sum(count), 0) AS n FROM ${DRAIN_TABLE} WHERE migration = $1 AND source = 'write'`, [MIGRATION]);
  return Number(r.n);
}

function sideVersion(requests: RequestRecord[]): SideVersion {
  const writes = requests.filter((r) => r.kind !== 'read').map((r) => r.ms).sort((a, b) => a - b);
  return { ...versionTotals(requests), writesP99Ms: percentile(writes, 0.99) };
}

const RECORDER_TRIGGERS = `SELECT t.tgname, pg_get_triggerdef(t.oid) AS definition FROM pg_trigger t
  WHERE t.tgrelid = 'portal_users'::regclass AND t.tgname LIKE $1 AND NOT t.tgisinternal ORDER BY t.tgname`;
const triggerPattern = () => `${recorderName(MIGRATION)}\\_%`;

interface RecorderTrigger {
  tgname: string;
  definition: string;
}

async function readRecorderTriggers(client: pg.Client): Promise<RecorderTrigger[]> {
  return (await client.query(RECORDER_TRIGGERS, [triggerPattern()])).rows;
}

async function countRecorderTriggers(client: pg.Client): Promise<number> {
  return (await readRecorderTriggers(client)).length;
}

/**
 * Puts the recorder's triggers on `carrier` (as `up --expand` made them) and drops them by name from the other
 * copy; the function stays on both, unused where no trigger calls it. Between rounds, with no load running.
 */
async function moveRecorder(urls: Record<Copy, string>, recorder: RecorderTrigger[], carrier: Copy): Promise<void> {
  await withClient(urls[otherCopy(carrier)], async (client) => {
    for (const t of await readRecorderTriggers(client)) await client.query(`DROP TRIGGER "${t.tgname}" ON portal_users`);
  });
  await withClient(urls[carrier], async (client) => {
    const present = new Set((await readRecorderTriggers(client)).map((t) => t.tgname));
    for (const t of recorder) if (!present.has(t.tgname)) await client.query(t.definition);
  });
}

/**
 * A side that did not measure what it claims, or a failed request, makes the run fail: every segment with the
 * recorder found its triggers and counted old-shape writes, every segment without it found none and counted none,
 * and in every round the two copies' loads ran at the same time.
 */
function problemOf(sides: Record<RecorderSide, DrainCostSide>, segments: DrainSegment[]): string | null {
  const where = (s: DrainSegment) => `round ${s.round + 1}, copy ${s.copy}`;
  for (const s of segments) {
    const other = segments.find((o) => o.round === s.round && o.copy !== s.copy);
    if (!other || !(s.firstDueAt! < other.lastDueAt!)) return `${where(s)}: its load did not run while the other copy's did`;
    if (s.side === 'recording' && s.triggers === 0) return `${where(s)}: the segment with the recorder found no drain triggers`;
    if (s.side === 'recording' && s.recorded === 0) return `${where(s)}: the drain triggers recorded no old-shape write`;
    if (s.side === 'without' && s.triggers !== 0) return `${where(s)}: ${s.triggers} drain triggers were left on the copy without the recorder`;
    if (s.side === 'without' && s.recorded !== 0) return `${where(s)}: writes were recorded without the drain triggers`;
  }
  const failed = RECORDER_SIDES.flatMap((s) => APP_VERSIONS.filter((v) => sides[s].versions[v].errors > 0).map((v) => `${v} version ${s}: ${sides[s].versions[v].errorMessages.join(', ')}`));
  return failed.length > 0 ? `requests failed: ${failed.join('; ')}` : null;
}
