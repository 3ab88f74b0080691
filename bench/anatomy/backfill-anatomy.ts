/**
 * Where a backfill's time goes (issue #22), with nothing else running: the same work three ways, each on a
 * fresh copy of the 005 template, in a rotated order round after round.
 *   - the floor: one UPDATE of the admins (backfill-floor.ts), on a copy with `role` added as expand adds it;
 *   - plain batches: 006's batch statement over the same page ranges the engine takes with fixed batches
 *     (`--batch-time 0 --batch-size N`), each as BEGIN, UPDATE, COMMIT from one connection: what batching
 *     itself costs PostgreSQL, with no engine around it;
 *   - plain batches on the expanded table: the same, after 006's expand (expand-006.ts), so through the sync
 *     triggers the engine's batches go through (for a BEFORE ROW UPDATE trigger PostgreSQL fetches and locks
 *     each row before it evaluates the trigger's WHEN, false for every row the backfill writes);
 *   - the engine: `up --expand --batch-time 0 --batch-size N`, the backfill's time as it reports it.
 * Plain batches against the floor is PostgreSQL's price of batching; expanded against plain, the price of the
 * triggers that serve both versions; the engine against plain batches on the expanded table is what the engine
 * adds (its round trips, its bookkeeping, its own JavaScript).
 */
import type pg from 'pg';
import { connect, type DatabaseFactory } from '../databases';
import { FLOOR_UPDATE } from '../backfill-floor';
import { BUILT_CLI } from '../project-files';
import { runNode } from '../timed-process';
import { assertMigrated, type Templates } from '../templates';
import { readProcesses, serverCpu } from '../latency/process-cpu';
import { roundOrder } from '../latency/latency-sweep';
import { expand006 } from './expand-006';

export type AnatomyVariant = 'floor' | 'plain batches' | 'plain batches, expanded' | 'engine';
export const ANATOMY_VARIANTS: readonly AnatomyVariant[] = ['floor', 'plain batches', 'plain batches, expanded', 'engine'];

/** 006's batch statement (migrations/006_rbac_roles.ts, frozen), with `{pages}` for the page range. */
export const BATCH_STATEMENT = `UPDATE portal_users SET role = 'platform_admin' WHERE {pages} AND is_admin AND role <> 'platform_admin'`;

export interface AnatomyRun {
  variant: AnatomyVariant;
  round: number;
  backfillMs: number;
  batches: number;
  /** CPU seconds of every server process over the run (the engine's: its whole `up --expand`); null without the server's pid. */
  serverCpuSeconds: number | null;
  /** CPU seconds of the one backend that did the work (floor and plain batches only). */
  backendCpuSeconds: number | null;
}

export interface AnatomyOptions {
  batchSize: number;
  rounds: number;
  /** The server's postmaster, to read its CPU from /proc; undefined: not measured. */
  postmasterPid?: number;
  log: (line: string) => void;
}

export async function measureAnatomy(factory: DatabaseFactory, templates: Templates, options: AnatomyOptions): Promise<AnatomyRun[]> {
  const runs: AnatomyRun[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const variant of roundOrder(ANATOMY_VARIANTS, round)) {
      const database = await factory.create('anatomy', templates.at005);
      try {
        const run = { variant, round, ...(await measureVariant(variant, factory.url(database), options)) };
        // A fast wrong backfill measures nothing: every admin, and only they, must have the role now.
        const client = await connect(factory.url(database));
        await assertMigrated(client, 'up', templates).finally(() => client.end());
        options.log(`  round ${round}, ${variant}: ${Math.round(run.backfillMs)} ms, ${run.batches} batch(es)`);
        runs.push(run);
      } finally {
        await factory.drop(database);
      }
    }
  }
  return runs;
}

type Measured = Omit<AnatomyRun, 'variant' | 'round'>;

async function measureVariant(variant: AnatomyVariant, url: string, options: AnatomyOptions): Promise<Measured> {
  const server = () => (options.postmasterPid === undefined ? null : serverCpu(readProcesses(), options.postmasterPid));
  if (variant === 'engine') {
    const before = server();
    const { stdout } = await runNode([BUILT_CLI, 'up', '--expand', '--batch-time', '0', '--batch-size', String(options.batchSize)], url);
    const after = server();
    return { ...engineBackfill(stdout), serverCpuSeconds: before === null || after === null ? null : after - before, backendCpuSeconds: null };
  }
  if (variant === 'plain batches, expanded') await expand006(url);
  const client = await connect(url);
  try {
    if (variant !== 'plain batches, expanded') await client.query(`ALTER TABLE portal_users ADD COLUMN role text NOT NULL DEFAULT 'customer_admin'`);
    const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const backend = () => readProcesses().find((p) => p.pid === pid)?.cpu ?? null;
    const ranges = variant === 'floor' ? [] : await pageRanges(client, options.batchSize);
    const [serverBefore, backendBefore, started] = [server(), backend(), performance.now()];
    if (variant === 'floor') await client.query(FLOOR_UPDATE);
    else for (const [from, to] of ranges) await client.query(`BEGIN; ${rangeStatement(from, to)}; COMMIT`);
    const backfillMs = performance.now() - started;
    const [serverAfter, backendAfter] = [server(), backend()];
    return {
      backfillMs,
      batches: variant === 'floor' ? 1 : ranges.length,
      serverCpuSeconds: serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
      backendCpuSeconds: backendBefore === null || backendAfter === null ? null : backendAfter - backendBefore,
    };
  } finally {
    await client.end();
  }
}

const rangeStatement = (from: number, to: number) => BATCH_STATEMENT.replace('{pages}', `ctid >= '(${from},0)'::tid AND ctid < '(${to},0)'::tid`);

/** The page ranges 006's batches take at a fixed size: pages per batch from the planner's rows per page, as its pageBatches does. */
async function pageRanges(client: pg.Client, batchSize: number): Promise<Array<[number, number]>> {
  const { rows } = await client.query(
    `SELECT c.reltuples::float8 AS tuples, c.relpages AS stat_pages, pg_relation_size(c.oid) / current_setting('block_size')::int AS pages
       FROM pg_class c WHERE c.oid = 'portal_users'::regclass`,
  );
  const { tuples, stat_pages: statPages, pages } = rows[0] as { tuples: number; stat_pages: number; pages: string };
  const perBatch = Math.max(1, Math.round(batchSize / (statPages > 0 && tuples > 0 ? tuples / statPages : 50)));
  const ranges: Array<[number, number]> = [];
  for (let from = 0; from < Number(pages); from += perBatch) ranges.push([from, from + perBatch]);
  return ranges;
}

/** The backfill's time and batches from `up`'s report, `· backfill: admins get role platform_admin (4.5 s, 503 batches, ...` (0.1 s apart). */
export function engineBackfill(stdout: string): { backfillMs: number; batches: number } {
  const match = /· backfill: [^(]*\(([\d.]+) (m?s), (\d+) batch/.exec(stdout);
  if (!match) throw new Error(`no backfill line in the engine's output:\n${stdout}`);
  return { backfillMs: Number(match[1]) * (match[2] === 'ms' ? 1 : 1000), batches: Number(match[3]) };
}
